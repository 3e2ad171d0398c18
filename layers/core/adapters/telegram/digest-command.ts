// /digest on|off: a user turns their daily digest on or off (it is on until they say otherwise).
import type { Composer, Context } from 'telegraf';
import type { BotDeps } from './deps.js';
import { say } from './screens.js';

export function registerDigestCommand(bot: Composer<Context>, deps: BotDeps): void {
  bot.command('digest', async (ctx) => {
    const arg = (ctx.message && 'text' in ctx.message ? ctx.message.text : '').split(/\s+/)[1]?.toLowerCase();
    if (arg !== 'on' && arg !== 'off') {
      return say(
        ctx,
        'Usage: <code>/digest off</code> stops the daily summary, <code>/digest on</code> brings it back.',
      );
    }
    if (!deps.digestPreference) return say(ctx, 'Daily digests are not available here.');
    const known = await deps.digestPreference.set(String(ctx.from?.id ?? ''), arg === 'on');
    if (!known) return say(ctx, 'Send /start first.');
    return say(
      ctx,
      arg === 'on'
        ? 'Daily digest <b>on</b>: every morning (08:00 UTC), yesterday in one message.'
        : 'Daily digest <b>off</b>. <code>/digest on</code> brings it back.',
    );
  });
}
