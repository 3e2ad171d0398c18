// Chart specs, pure: a series of cumulative realized PnL (one point per close, so trades are
// marked) as a Vega-Lite spec. The renderer (adapters/charts) turns a spec into a PNG; keeping the
// spec here lets tests check what is drawn without rendering.
import { applyToLedger, emptyLedger } from './analytics/ledger.js';
import type { TradeEventRecord } from './fills.js';

export interface PnlPoint {
  /** Unix seconds. */
  readonly at: number;
  /** Cumulative realized PnL after this close, USDC 1e6. */
  readonly cumulativeUsdc: bigint;
  /** This close's own PnL, USDC 1e6 (colours the mark). */
  readonly pnlUsdc: bigint;
}

/** Cumulative realized PnL from a trader's stored events (fees included), one point per close. */
export function pnlSeriesOfTrader(records: readonly TradeEventRecord[], since = 0): PnlPoint[] {
  const ledger = emptyLedger();
  const ordered = [...records].sort((a, b) => (a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0));
  const out: PnlPoint[] = [];
  let total = 0n;
  for (const r of ordered) {
    const effect = applyToLedger(ledger, r);
    if (!effect || (effect.kind !== 'CLOSE' && effect.kind !== 'FEE_LOSS') || r.timestamp < since) continue;
    total += effect.realizedPnl;
    out.push({ at: r.timestamp, cumulativeUsdc: total, pnlUsdc: effect.realizedPnl });
  }
  return out;
}

/** From a series of cumulative values alone (e.g. a backtest's points). */
export function pnlSeriesOfCumulative(points: readonly { at: number; cumulativeUsdc: bigint }[]): PnlPoint[] {
  let before = 0n;
  return points.map((p) => {
    const point = { at: p.at, cumulativeUsdc: p.cumulativeUsdc, pnlUsdc: p.cumulativeUsdc - before };
    before = p.cumulativeUsdc;
    return point;
  });
}

/** Charts stay readable and fast: beyond this many closes, only the latest are drawn. */
export const MAX_CHART_POINTS = 500;

export type VegaLiteSpec = Record<string, unknown>;

/**
 * A line of cumulative realized PnL in USD over time (UTC), with a dot per close: green for a
 * win, red for a loss. Values are dollars as numbers only here, for drawing.
 */
export function pnlChartSpec(
  title: string,
  series: readonly PnlPoint[],
  width = 800,
  height = 360,
): VegaLiteSpec {
  const values = series.slice(-MAX_CHART_POINTS).map((p) => ({
    t: p.at * 1000,
    pnl: Number(p.cumulativeUsdc) / 1e6,
    result: p.pnlUsdc >= 0n ? 'win' : 'loss',
  }));
  const x = {
    field: 't',
    type: 'temporal',
    title: 'time (UTC)',
    axis: { format: '%m-%d %H:%M' },
    scale: { type: 'utc' },
  };
  const y = { field: 'pnl', type: 'quantitative', title: 'cumulative realized PnL (USD)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width,
    height,
    background: 'white',
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    data: { values },
    layer: [
      { mark: { type: 'line', color: '#4062bb', strokeWidth: 2 }, encoding: { x, y } },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y,
          color: {
            field: 'result',
            type: 'nominal',
            scale: { domain: ['win', 'loss'], range: ['#2e9e44', '#d1343a'] },
            legend: { title: 'close' },
          },
        },
      },
      { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
    ],
  };
}
