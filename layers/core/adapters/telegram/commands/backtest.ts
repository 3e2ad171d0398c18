// /backtest <trader> [size …] [lev …] [days 7|30], and the Backtest button on the trader card:
// replays the trader's stored fills with the user's settings for that trader (or the defaults of
// a new follow), overridden by what was typed, and shows what copying would have returned.
import type { Composer, Context } from 'telegraf';
import { parseAddress } from '../../../domain/addresses.js';
import { backtest, type BacktestSettings } from '../../../domain/backtest.js';
import { backtestScreen, type Screen } from '../../../domain/bot-views.js';
import { isFill } from '../../../domain/fills.js';
import { applySetting, newFollow, parseSettingText, type Follow } from '../../../domain/follows.js';
import { pnlSeriesOfCumulative, type PnlPoint } from '../../../domain/charts.js';
import { cut, normalizeAmountText, shortAddress } from '../../../domain/format.js';
import { escapeHtml } from '../../../domain/messages.js';
import { logger } from '../../../observability.js';
import type { BotDeps } from '../deps.js';
import { say, send } from '../screens.js';
import { sendChart } from './charts.js';
import { languageOf, profileOf } from '../user-commands.js';

const DAY = 86_400;
const USAGE =
  'Example: <code>/backtest 0x5a3a245e0523b2728ec8d914358e33671e27872d size 50 lev 10 days 7</code> ' +
  '(size: 50, 5% or 0.5x; lev: a whole x; days: 7 or 30)';

export interface BacktestRequest {
  readonly trader: string;
  readonly days: 7 | 30;
  readonly overrides: readonly { field: 'size' | 'lev'; value: string }[];
}

/** Parses the words after /backtest; an error says what to type. */
export function parseBacktestArgs(
  args: readonly string[],
  languageCode: string | undefined,
): { ok: true; value: BacktestRequest } | { ok: false; error: string } {
  const [address, ...rest] = args;
  const parsed = parseAddress(address ?? '');
  if (!parsed.ok) return { ok: false, error: `${escapeHtml(parsed.error)}.\n${USAGE}` };
  let days: 7 | 30 = 30;
  const overrides: { field: 'size' | 'lev'; value: string }[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const key = (rest[i] as string).toLowerCase();
    const value = rest[i + 1];
    if (value === undefined)
      return { ok: false, error: `"${escapeHtml(cut(key))}" needs a value.\n${USAGE}` };
    if (key === 'days') {
      if (value !== '7' && value !== '30') return { ok: false, error: `days is 7 or 30.\n${USAGE}` };
      days = value === '7' ? 7 : 30;
    } else if (key === 'size' || key === 'lev' || key === 'leverage') {
      const n = normalizeAmountText(value, languageCode);
      if (!n.ok) return { ok: false, error: `${escapeHtml(n.error)}.` };
      overrides.push({ field: key === 'size' ? 'size' : 'lev', value: n.value });
    } else {
      return { ok: false, error: `I don't know "${escapeHtml(cut(key))}" here.\n${USAGE}` };
    }
  }
  return { ok: true, value: { trader: parsed.address, days, overrides } };
}

/** Runs one backtest for the sender; the screen, or an error to say. */
export async function runBacktest(
  ctx: Context,
  deps: BotDeps,
  request: BacktestRequest,
): Promise<{ screen: Screen; series: PnlPoint[] } | { error: string }> {
  const started = Date.now();
  const profile = profileOf(ctx);
  const now = deps.clock.now();
  const existing = await deps.follows.get(profile.user.userId, request.trader);
  let follow: Follow = existing ?? newFollow(profile.user.userId, profile.user.chatId, request.trader, now);
  for (const o of request.overrides) {
    const change = parseSettingText(o.field, o.value);
    if (!change.ok) return { error: `${escapeHtml(change.error)}.` };
    const next = applySetting(follow, change.value);
    if (!next.ok) return { error: `${escapeHtml(next.error)}.` };
    follow = next.value;
  }
  const records = await deps.fills.eventsOf(request.trader);
  const fills = records.filter(isFill);
  const to = Math.floor(now.getTime() / 1000);
  // PCT_EQUITY needs a capital to take a share of: the user's own ceiling on capital in copies.
  const equityUsdc = profile.risk.capitalCeilingUsdc;
  const settings: BacktestSettings = {
    sizing: follow.sizing,
    maxLeverage: follow.maxLeverage,
    maxPositionUsdc: follow.maxPositionUsdc,
    pairs: follow.pairs,
    risk: profile.risk,
    equityUsdc,
    ...(follow.direction ? { direction: follow.direction } : {}),
    ...(follow.minTraderLeverage ? { minTraderLeverage: follow.minTraderLeverage } : {}),
  };
  const result = backtest(fills, settings, { from: to - request.days * DAY, to });
  logger.info('backtest', {
    reason: 'BACKTEST',
    trader: request.trader,
    fills: fills.length,
    copied: result.copied,
    ms: Date.now() - started,
  });
  return {
    series: pnlSeriesOfCumulative(result.points),
    screen: backtestScreen({
      trader: request.trader,
      days: request.days,
      result,
      settings,
      equityUsdc,
      ...(languageOf(ctx) ? { languageCode: languageOf(ctx) as string } : {}),
    }),
  };
}

export function registerBacktest(bot: Composer<Context>, deps: BotDeps): void {
  bot.command('backtest', async (ctx) => {
    const args = ctx.message.text.split(/\s+/).slice(1).filter(Boolean);
    const request = parseBacktestArgs(args, languageOf(ctx));
    if (!request.ok) return say(ctx, request.error);
    await reply(ctx, deps, request.value);
  });
}

/** The Backtest button: the last 30 days with the user's settings, as a new message (the card stays). */
export async function backtestButton(ctx: Context, deps: BotDeps, trader: string): Promise<void> {
  await ctx.answerCbQuery('Backtesting the last 30 days…');
  await reply(ctx, deps, { trader, days: 30, overrides: [] });
}

/** The result as text, then its equity curve as a picture. */
async function reply(ctx: Context, deps: BotDeps, request: BacktestRequest): Promise<void> {
  const out = await runBacktest(ctx, deps, request);
  if ('error' in out) return say(ctx, out.error);
  await send(ctx, out.screen);
  await sendChart(ctx, deps, out.series, `Backtest of ${shortAddress(request.trader)}, ${request.days} days`);
}
