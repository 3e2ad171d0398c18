// Operator commands, behind one guard: only ADMIN_USER_IDS may use them, and every refusal is logged.
import type { Composer, Context, MiddlewareFn } from 'telegraf';
import { confirmLiveScreen, statusScreen, type OpsStatus } from '../../domain/bot-views.js';
import type { Callback } from '../../domain/callbacks.js';
import { escapeHtml } from '../../domain/messages.js';
import { logger } from '../../observability.js';
import type { BotDeps } from './deps.js';
import { edit, say, send } from './screens.js';

const isAdmin = (ctx: Context, deps: BotDeps) =>
  ctx.from !== undefined && deps.admins.has(String(ctx.from.id));

/** The one admin guard: lets admins through, answers everyone else, and logs the refusal. */
function adminOnly(deps: BotDeps, command: string): MiddlewareFn<Context> {
  return async (ctx, next) => {
    if (isAdmin(ctx, deps)) return next();
    logger.warn('admin command refused', {
      reason: 'ADMIN_REFUSED',
      command,
      userId: String(ctx.from?.id ?? ''),
    });
    await say(ctx, 'That command is for Alfa operators only. Send /help to see yours.');
  };
}

const argsOf = (ctx: Context): string[] =>
  (ctx.message && 'text' in ctx.message ? ctx.message.text : '').split(/\s+/).slice(1).filter(Boolean);

async function opsStatus(deps: BotDeps): Promise<OpsStatus> {
  const [reading, checkpoint, head, queues, recentErrors] = await Promise.all([
    deps.mode.read({ fresh: true }),
    deps.indexer.checkpoint().catch(() => undefined),
    deps.indexer.head().catch(() => undefined),
    deps.queues.depths(),
    deps.errors.recent(5).catch(() => []),
  ]);
  return {
    mode: reading.mode,
    modeSwitch: reading.switchValue,
    ceiling: deps.ceiling,
    emergencyStop: reading.emergencyStop,
    indexer: { block: checkpoint?.block, head, savedAt: checkpoint?.savedAt },
    queues,
    recentErrors,
  };
}

async function timed(name: string, check: () => Promise<unknown>): Promise<string> {
  const started = Date.now();
  try {
    await check();
    return `✓ ${name} (${Date.now() - started} ms)`;
  } catch (err) {
    return `✗ ${name}: ${escapeHtml(err instanceof Error ? err.message.slice(0, 100) : String(err))}`;
  }
}

export function registerAdminCommands(bot: Composer<Context>, deps: BotDeps): void {
  const by = (ctx: Context) => String(ctx.from?.id ?? 'unknown');

  bot.command('copy', adminOnly(deps, 'copy'), async (ctx) => {
    const [what, value] = argsOf(ctx);
    const wanted = value?.toUpperCase();
    if (what?.toLowerCase() !== 'mode' || (wanted !== 'DRY' && wanted !== 'LIVE')) {
      return say(ctx, 'Usage: <code>/copy mode DRY</code> or <code>/copy mode LIVE</code>');
    }
    if (wanted === 'LIVE') return send(ctx, confirmLiveScreen());
    await deps.executionSwitch.write('DRY');
    deps.mode.forget();
    logger.info('execution mode set', { reason: 'MODE_DRY', by: by(ctx) });
    await say(ctx, 'Copy execution is now <b>DRY</b>: copies are simulated, nothing is sent.');
  });

  bot.command('emergency', adminOnly(deps, 'emergency'), async (ctx) => {
    const [action] = argsOf(ctx);
    if (action !== 'stop' && action !== 'start')
      return say(ctx, 'Usage: <code>/emergency stop</code> or <code>/emergency start</code>');
    await deps.flags.setEmergencyStop(action === 'stop', by(ctx), deps.clock.now());
    deps.mode.forget();
    logger.warn('emergency flag', {
      reason: action === 'stop' ? 'EMERGENCY_STOP' : 'EMERGENCY_CLEARED',
      by: by(ctx),
    });
    await say(
      ctx,
      action === 'stop'
        ? '⛔ <b>Emergency stop.</b> Nothing more will be signed until <code>/emergency start</code>.'
        : 'Emergency stop cleared. Copy execution follows the mode switch again.',
    );
  });

  bot.command('autocopy_off_all', adminOnly(deps, 'autocopy_off_all'), async (ctx) => {
    const changed = await deps.follows.turnOffAllAuto();
    logger.warn('auto copy turned off everywhere', { reason: 'AUTOCOPY_OFF_ALL', changed, by: by(ctx) });
    await say(
      ctx,
      `Auto copy turned off on ${changed} follow${changed === 1 ? '' : 's'}; they now get alerts only.`,
    );
  });

  bot.command('status', adminOnly(deps, 'status'), async (ctx) => {
    await send(ctx, statusScreen(await opsStatus(deps)));
  });

  bot.command('health', adminOnly(deps, 'health'), async (ctx) => {
    const lines = await Promise.all([
      timed('DynamoDB', () => deps.users.get(by(ctx))),
      timed('SSM execution switch', () => deps.executionSwitch.read()),
      timed('SQS', async () => {
        const depths = await deps.queues.depths();
        if (depths.some((q) => q.depth === undefined)) throw new Error('a queue did not answer');
      }),
      timed('chain RPC', async () => {
        if ((await deps.indexer.head()) === undefined) throw new Error('no head');
      }),
    ]);
    await say(ctx, ['<b>Health</b>', ...lines].join('\n'));
  });

  bot.command('recent_errors', adminOnly(deps, 'recent_errors'), async (ctx) => {
    const errors = await deps.errors.recent(10);
    await say(
      ctx,
      errors.length === 0
        ? 'No errors recorded recently.'
        : [
            '<b>Recent errors</b>',
            ...errors.map(
              (e) =>
                `${e.at.slice(0, 19).replace('T', ' ')} ${escapeHtml(e.reason)}: ${escapeHtml(e.message)}`,
            ),
          ].join('\n'),
    );
  });
}

/** Handles an admin button (the LIVE confirmation); false when it is not one. */
export async function handleAdminButton(ctx: Context, cb: Callback, deps: BotDeps): Promise<boolean> {
  if (cb.a !== 'live') return false;
  if (!isAdmin(ctx, deps)) {
    logger.warn('admin button refused', {
      reason: 'ADMIN_REFUSED',
      command: 'copy',
      userId: String(ctx.from?.id ?? ''),
    });
    await ctx.answerCbQuery('For Alfa operators only.', { show_alert: true });
    return true;
  }
  if (!cb.confirm) {
    await ctx.answerCbQuery('Cancelled.');
    await edit(ctx, { text: 'Copy execution stays as it was.', keyboard: [] });
    return true;
  }
  await deps.executionSwitch.write('LIVE');
  deps.mode.forget();
  const reading = await deps.mode.read({ fresh: true });
  logger.warn('execution mode set', {
    reason: 'MODE_LIVE',
    by: String(ctx.from?.id ?? ''),
    effective: reading.mode,
  });
  await ctx.answerCbQuery('Switch set to LIVE.');
  await edit(ctx, {
    text:
      reading.mode === 'LIVE'
        ? '🟢 Copy execution is <b>LIVE</b>. /emergency stop halts it at once.'
        : `The switch says LIVE, but the system stays <b>DRY</b>${deps.ceiling === 'DRY' ? ' (the deploy ceiling COPY_EXECUTION_MODE is DRY)' : reading.emergencyStop ? ' (emergency stop is on)' : ''}.`,
    keyboard: [],
  });
  return true;
}
