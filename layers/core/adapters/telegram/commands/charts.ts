// Pictures: a PNG of cumulative realized PnL (one dot per close) for a trader (the card's chart
// button and /trader) and for the user's own wallet (/portfolio), sent with sendPhoto. A chart that
// cannot be drawn is logged and recorded, never a failed update: the text reply already went out.
import type { Context } from 'telegraf';
import { pnlChartSpec, pnlSeriesOfTrader, type PnlPoint } from '../../../domain/charts.js';
import { shortAddress } from '../../../domain/format.js';
import { logger } from '../../../observability.js';
import type { BotDeps } from '../deps.js';

/** Sends the PnL chart of `address`; false when there is nothing to draw (no closes) or no renderer. */
export async function sendPnlChart(
  ctx: Context,
  deps: BotDeps,
  address: string,
  title: string,
): Promise<boolean> {
  if (!deps.charts) return false;
  try {
    return await sendChart(ctx, deps, pnlSeriesOfTrader(await deps.fills.eventsOf(address)), title);
  } catch (err) {
    await chartFailed(deps, err);
    return false;
  }
}

/** Sends a chart of `series` (cumulative realized PnL, one dot per close); false when empty or unavailable. */
export async function sendChart(
  ctx: Context,
  deps: BotDeps,
  series: readonly PnlPoint[],
  title: string,
): Promise<boolean> {
  if (!deps.charts || series.length === 0) return false;
  const started = Date.now();
  try {
    const png = await deps.charts.png(pnlChartSpec(title, series));
    await ctx.replyWithPhoto(
      { source: png, filename: 'pnl.png' },
      { caption: `${title}: ${series.length} closes, times in UTC, after fees.` },
    );
    logger.info('chart sent', {
      reason: 'CHART_SENT',
      points: series.length,
      bytes: png.length,
      ms: Date.now() - started,
    });
    return true;
  } catch (err) {
    await chartFailed(deps, err);
    return false;
  }
}

async function chartFailed(deps: BotDeps, err: unknown): Promise<void> {
  logger.warn('chart failed', { reason: 'CHART_FAILED', error: err as Error });
  await deps.errors
    .record(
      'CHART_FAILED',
      err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      deps.clock.now(),
    )
    .catch(() => undefined);
}

export const traderChartTitle = (trader: string) => `Trader ${shortAddress(trader)} cumulative realized PnL`;
export const walletChartTitle = (wallet: string) =>
  `Your wallet ${shortAddress(wallet)} cumulative realized PnL`;
