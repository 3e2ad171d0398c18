// The PnL chart specs (domain/charts.ts), rendered to PNG: a valid PNG of sensible size, one mark per
// close and text drawn, for a trader's realized PnL and for a backtest.
import { describe, expect, it } from 'vitest';
import { renderPng } from '#core/adapters/charts/png.js';
import { backtest } from '#core/domain/backtest.js';
import { pnlChartSpec, pnlSeriesOfCumulative, pnlSeriesOfTrader } from '#core/domain/charts.js';
import { T0, usdc } from '../../support/analytics-fills.js';
import { backtestHistory } from '../../support/backtest-history.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The dots vega drew: one path per datum in the symbol mark's group. */
const symbolMarks = (svg: string) =>
  (/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1]?.match(/<path/g) ?? []).length;

describe('Module: charts', () => {
  it("draws a trader's cumulative realized PnL as a valid PNG with one dot per close", async () => {
    const h = backtestHistory(7, 120, T0);
    const series = pnlSeriesOfTrader(h.fills);
    const closes = h.trades.reduce((n, t) => n + t.closes.length, 0);

    const chart = await renderPng(pnlChartSpec('Trader cumulative realized PnL', series));

    expect(series).toHaveLength(closes);
    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(chart.png.readUInt32BE(16)).toBe(chart.width); // IHDR width
    expect(chart.width).toBeGreaterThan(800);
    expect(chart.width).toBeLessThan(2_000);
    expect(chart.height).toBeGreaterThan(300);
    expect(chart.png.length).toBeGreaterThan(20_000); // text and lines, not a blank canvas
    expect(chart.png.length).toBeLessThan(1_000_000);
    expect(symbolMarks(chart.svg)).toBe(closes);
    expect(chart.svg).toContain('cumulative realized PnL (USD)');
    expect(chart.svg).toContain('time (UTC)');
  }, 30_000); // the first chart loads WebAssembly and a font

  it('charts a backtest from its points, the last value being its PnL', async () => {
    const h = backtestHistory(5, 60, T0);
    const r = backtest(
      h.fills,
      {
        sizing: { kind: 'FIXED_USD', usdc: usdc(50) },
        maxLeverage: 20,
        maxPositionUsdc: usdc(250),
        pairs: 'ALL',
        risk: { maxLeverage: 50, maxPositionUsdc: usdc(2_000), capitalCeilingUsdc: usdc(10_000) },
        equityUsdc: usdc(1_000),
      },
      { from: T0, to: T0 + 100 * 3_600 },
    );
    const series = pnlSeriesOfCumulative(r.points);

    const spec = pnlChartSpec('Backtest', series) as { data: { values: { pnl: number }[] } };

    expect(spec.data.values).toHaveLength(r.closes);
    expect(spec.data.values.at(-1)?.pnl).toBeCloseTo(Number(r.realizedPnlUsdc) / 1e6, 6);
    expect(series.reduce((s, p) => s + p.pnlUsdc, 0n)).toBe(r.realizedPnlUsdc);
  });
});
