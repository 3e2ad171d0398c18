// /backtest over 1,000 stored fills, warm: the pure replay alone, and the whole command through the
// local webhook (DynamoDB query of the trader's events, replay, reply). Target: p99 under 2 s.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { backtest, type BacktestSettings } from '#core/domain/backtest.js';
import type { LocalStack } from '../../local/stack.js';
import { backtestHistory } from '../support/backtest-history.js';
import { textMessageUpdate } from '../support/telegram-updates.js';
import { summarize, type LatencySummary } from './stats.js';

const USDC = 1_000_000n;
const SETTINGS: BacktestSettings = {
  sizing: { kind: 'FIXED_USD', usdc: 50n * USDC },
  maxLeverage: 20,
  maxPositionUsdc: 250n * USDC,
  pairs: 'ALL',
  risk: { maxLeverage: 50, maxPositionUsdc: 2_000n * USDC, capitalCeilingUsdc: 10_000n * USDC },
  equityUsdc: 5_000n * USDC,
};

/** A trader history of about `fills` fills (opens and closes), spread over the last 25 days. */
function historyOf(fills: number) {
  const start = Math.floor(Date.now() / 1000) - 25 * 86_400;
  // About 2.3 fills per planned trade (opens, partial and full closes).
  let h = backtestHistory(99, Math.ceil(fills / 2.3), start);
  while (h.fills.length < fills) h = backtestHistory(99, Math.ceil(h.trades.length * 1.05), start);
  return { ...h, fills: h.fills.slice(0, fills) };
}

export function backtestReplayBench(fills = 1_000, runs = 300): LatencySummary & { fills: number } {
  const h = historyOf(fills);
  const to = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 30; i++) backtest(h.fills, SETTINGS, { from: to - 30 * 86_400, to });
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    backtest(h.fills, SETTINGS, { from: to - 30 * 86_400, to });
    samples.push(performance.now() - started);
  }
  return { fills: h.fills.length, ...summarize(samples) };
}

export async function backtestWebhookBench(
  stack: LocalStack,
  fills = 1_000,
  runs = 60,
): Promise<LatencySummary & { fills: number }> {
  const h = historyOf(fills);
  const dynamo = new DynamoDBClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.dynamodb,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await new DynamoFillStore(DynamoDBDocumentClient.from(dynamo), stack.info.tables.fills).putEvents(h.fills);
  dynamo.destroy();
  const { url, header, secret } = stack.info.webhook;
  let updateId = 3_000_000;
  const run = async () => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: secret },
      body: JSON.stringify(
        textMessageUpdate((updateId += 1), { id: 5_500_001, firstName: 'Bench' }, `/backtest ${h.trader}`),
      ),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 10; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run());
  stack.botApi.clear();
  return { fills: h.fills.length, ...summarize(samples) };
}

/** The PnL chart of a 200-close series rendered to PNG, warm (vega-lite -> SVG -> resvg-wasm). Target p99 <= 500 ms. */
export async function chartBench(runs = 40): Promise<LatencySummary & { points: number; bytes: number }> {
  const { renderPng } = await import('#core/adapters/charts/png.js');
  const { pnlChartSpec, pnlSeriesOfTrader } = await import('#core/domain/charts.js');
  const series = pnlSeriesOfTrader(historyOf(460).fills).slice(-200);
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = (await renderPng(pnlChartSpec('bench', series))).png.length;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await renderPng(pnlChartSpec('bench', series));
    samples.push(performance.now() - started);
  }
  return { points: series.length, bytes, ...summarize(samples) };
}
