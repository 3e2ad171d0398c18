// Operator commands, behind one guard: only ADMIN_USER_IDS may use them, and every refusal is logged.
// Commands that change anything (mode, emergency stop, autocopy off) are admin-function actions: the
// webhook's own role cannot write the switch or the flags, and the admin function audit-logs them.
// Going LIVE and clearing the emergency stop take a second tap whose button expires and is bound
// to the state it was asked about (domain/confirmations.ts): a stale "Yes, go LIVE" does nothing.
import type { Composer, Context, MiddlewareFn } from 'telegraf';
import type { AdminRequestInput, AdminResponse } from '../../admin/requests.js';
import {
  confirmEmergencyStartScreen,
  confirmLiveBoundScreen,
  statusScreen,
  type OpsStatus,
} from '../../domain/bot-views.js';
import type { Callback } from '../../domain/callbacks.js';
import { checkConfirmation } from '../../domain/confirmations.js';
import { escapeHtml } from '../../domain/messages.js';
import { logger } from '../../observability.js';
import type { BotDeps } from './deps.js';
import { edit, say, send } from './screens.js';

/** Who tapped or typed, for logs and the admin function's audit (`telegram:<id>`). */
const by = (ctx: Context) => String(ctx.from?.id ?? 'unknown');

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

/** Runs an admin-function action; undefined (after telling the admin) when it cannot be run. */
async function viaAdmin(
  ctx: Context,
  deps: BotDeps,
  request: AdminRequestInput,
): Promise<Extract<AdminResponse, { ok: true }> | undefined> {
  if (!deps.admin) {
    await say(ctx, 'The admin function is not configured on this stack (ADMIN_FUNCTION_NAME).');
    return undefined;
  }
  try {
    const answer = await deps.admin.call(request);
    if (answer.ok) return answer;
    await say(ctx, `Refused: <code>${escapeHtml(answer.code)}</code> ${escapeHtml(answer.message)}`);
  } catch (err) {
    logger.error('admin function call failed', {
      reason: 'ADMIN_CALL_FAILED',
      action: request.action,
      error: err as Error,
    });
    await say(ctx, 'The admin function did not answer; nothing was changed. Try again or use the CLI.');
  }
  return undefined;
}

export function registerAdminCommands(bot: Composer<Context>, deps: BotDeps): void {
  const caller = (ctx: Context) => `telegram:${by(ctx)}`;

  bot.command('copy', adminOnly(deps, 'copy'), async (ctx) => {
    const [what, value] = argsOf(ctx);
    const wanted = value?.toUpperCase();
    if (what?.toLowerCase() !== 'mode' || (wanted !== 'DRY' && wanted !== 'LIVE')) {
      return say(ctx, 'Usage: <code>/copy mode DRY</code> or <code>/copy mode LIVE</code>');
    }
    if (wanted === 'LIVE') {
      // Bound to the switch as it is now: if anyone changes it before the tap, the tap is refused.
      const reading = await deps.mode.read({ fresh: true });
      return send(ctx, confirmLiveBoundScreen(reading.switchValue, deps.clock.now()));
    }
    if (!(await viaAdmin(ctx, deps, { action: 'mode', by: caller(ctx), mode: 'DRY' }))) return;
    deps.mode.forget();
    logger.info('execution mode set', { reason: 'MODE_DRY', by: by(ctx) });
    await say(ctx, 'Copy execution is now <b>DRY</b>: copies are simulated, nothing is sent.');
  });

  bot.command('emergency', adminOnly(deps, 'emergency'), async (ctx) => {
    const [action] = argsOf(ctx);
    if (action !== 'stop' && action !== 'start')
      return say(ctx, 'Usage: <code>/emergency stop</code> or <code>/emergency start</code>');
    if (action === 'start') {
      // Stopping is the safe direction and happens at once; restarting is asked first.
      const reading = await deps.mode.read({ fresh: true });
      if (!reading.emergencyStop) return say(ctx, 'No emergency stop is set: nothing to clear.');
      return send(ctx, confirmEmergencyStartScreen(reading.emergencyStop, deps.clock.now()));
    }
    if (!(await viaAdmin(ctx, deps, { action: 'emergency', by: caller(ctx), stop: true }))) return;
    deps.mode.forget();
    logger.warn('emergency flag', { reason: 'EMERGENCY_STOP', by: by(ctx) });
    await say(
      ctx,
      '⛔ <b>Emergency stop.</b> Nothing more will be signed until <code>/emergency start</code>.',
    );
  });

  bot.command('autocopy_off_all', adminOnly(deps, 'autocopy_off_all'), async (ctx) => {
    const answer = await viaAdmin(ctx, deps, { action: 'autocopy-off-all', by: caller(ctx) });
    if (!answer) return;
    const changed = Number(answer.result.followsChanged ?? 0);
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

type AdminConfirm = Extract<Callback, { a: 'confirm' }> & { kind: 'live' | 'emergency_start' };
const isAdminConfirm = (cb: Callback): cb is AdminConfirm =>
  cb.a === 'confirm' && (cb.kind === 'live' || cb.kind === 'emergency_start');

/**
 * Handles an admin button (go LIVE, clear the emergency stop); false when it is not one. The tap is
 * checked against the state read fresh now: expired or stale, nothing is asked of the admin function.
 */
export async function handleAdminButton(ctx: Context, cb: Callback, deps: BotDeps): Promise<boolean> {
  if (cb.a !== 'live' && !isAdminConfirm(cb)) return false;
  const command = cb.a === 'live' || cb.kind === 'live' ? 'copy' : 'emergency';
  if (!isAdmin(ctx, deps)) {
    logger.warn('admin button refused', { reason: 'ADMIN_REFUSED', command, userId: by(ctx) });
    await ctx.answerCbQuery('For Alfa operators only.', { show_alert: true });
    return true;
  }
  if (cb.a === 'live') {
    // The unbound buttons of earlier versions, still in chats: they carry no time nor state.
    const text = cb.confirm
      ? 'This confirmation has expired; nothing was changed. Send /copy mode LIVE to ask again.'
      : 'Copy execution stays as it was.';
    if (cb.confirm)
      logger.info('confirmation refused', { reason: 'CONFIRM_EXPIRED', kind: 'live', userId: by(ctx) });
    await ctx.answerCbQuery(cb.confirm ? text.slice(0, 190) : 'Cancelled.', { show_alert: cb.confirm });
    await edit(ctx, { text, keyboard: [] });
    return true;
  }
  const reading = await deps.mode.read({ fresh: true });
  const check = checkConfirmation(
    cb,
    cb.kind === 'live' ? { switch: reading.switchValue } : { emergencyStop: reading.emergencyStop },
    deps.clock.now(),
  );
  if (!check.ok) {
    logger.info('confirmation refused', { reason: check.reason, kind: cb.kind, userId: by(ctx) });
    await ctx.answerCbQuery(check.message.slice(0, 190), { show_alert: true });
    await edit(ctx, { text: check.message, keyboard: [] });
    return true;
  }
  await ctx.answerCbQuery();
  return cb.kind === 'live' ? goLive(ctx, deps, cb.at) : clearEmergency(ctx, deps);
}

async function clearEmergency(ctx: Context, deps: BotDeps): Promise<boolean> {
  const answer = await viaAdmin(ctx, deps, { action: 'emergency', by: `telegram:${by(ctx)}`, stop: false });
  if (!answer) return true;
  deps.mode.forget();
  logger.warn('emergency flag', { reason: 'EMERGENCY_CLEARED', by: by(ctx) });
  await edit(ctx, {
    text: 'Emergency stop cleared. Copy execution follows the mode switch again.',
    keyboard: [],
  });
  return true;
}

/** `askedAt`: the admin function refuses if the switch was written since (a round trip back to the same value). */
async function goLive(ctx: Context, deps: BotDeps, askedAt: number): Promise<boolean> {
  const answer = await viaAdmin(ctx, deps, {
    action: 'mode',
    by: `telegram:${by(ctx)}`,
    mode: 'LIVE',
    // The confirm button is the bot's --yes.
    confirm: true,
    unchangedSince: askedAt,
  });
  if (!answer) return true;
  deps.mode.forget();
  const reading = await deps.mode.read({ fresh: true });
  logger.warn('execution mode set', { reason: 'MODE_LIVE', by: by(ctx), effective: reading.mode });
  await edit(ctx, {
    text:
      reading.mode === 'LIVE'
        ? '🟢 Copy execution is <b>LIVE</b>. /emergency stop halts it at once.'
        : `The switch says LIVE, but the system stays <b>DRY</b>${deps.ceiling === 'DRY' ? ' (the deploy ceiling COPY_EXECUTION_MODE is DRY)' : reading.emergencyStop ? ' (emergency stop is on)' : ''}.`,
    keyboard: [],
  });
  return true;
}
