// Webhook handling time, warm, against the local stack, over HTTP through the local Function URL as
// Telegram calls it: /start (a DynamoDB write and a reply), /help (a reply), /alfa top50 (the
// leaderboard: one GetItem plus the user's follows) and a Follow button (a transaction and a redraw).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { materializeLeaderboards } from '#core/analytics/materialize.js';
import { statsFromFills } from '#core/domain/analytics/stats.js';
import { encodeCallback } from '#core/domain/callbacks.js';
import { fillId, fillKey, type Fill } from '#core/domain/fills.js';
import type { LocalStack } from '../../local/stack.js';
import { textMessageUpdate } from '../support/telegram-updates.js';
import { summarize, type LatencySummary } from './stats.js';

const WARMUP = 50;
const SAMPLES = 500;
const USDC = 1_000_000n;
const P = 10n ** 10n;

/** 60 traders with enough profitable round trips to rank, so /alfa top50 shows a full list. */
async function seedLeaderboard(stack: LocalStack): Promise<void> {
  const dynamo = new DynamoDBClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.dynamodb,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const store = new DynamoStatsStore(DynamoDBDocumentClient.from(dynamo), stack.info.tables.stats);
  const now = Math.floor(Date.now() / 1000);
  const stats = Array.from({ length: 60 }, (_, t) => {
    const trader = `0x${(0xbe00 + t).toString(16).padStart(40, '0')}`;
    const fills: Fill[] = Array.from({ length: 12 }, (_, i) => {
      const base = { address: '0x', blockHash: '0x', txHash: `0x${t}${i}`, variant: 'bench' };
      const trade = {
        trader,
        pairIndex: 0,
        index: 0,
        initialPosToken: 500n * USDC,
        openPrice: 3000n * P,
        buy: true,
        leverage: 5n * P,
        tp: 0n,
        sl: 0n,
        timestamp: 0n,
      };
      const open = {
        ...base,
        kind: 'MarketExecuted' as const,
        blockNumber: 2 * i,
        logIndex: 0,
        orderId: 1n,
        trade,
        open: true,
        price: 3000n * P,
        positionSizeUsdc: 500n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 0n,
      };
      const close = {
        ...open,
        blockNumber: 2 * i + 1,
        open: false,
        usdcSentToTrader: 500n * USDC + BigInt(t + 1) * USDC,
      };
      return [open, close].map((event) => ({
        fillId: fillId(event.txHash, event.blockNumber),
        fillKey: fillKey(event.blockNumber, 0),
        trader,
        timestamp: now - 3600 + event.blockNumber * 60,
        event,
      }));
    }).flat();
    return statsFromFills(trader, fills);
  });
  await store.putMany(stats);
  await materializeLeaderboards(
    {
      stats: store,
      now: () => new Date(),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    },
    {
      minTrades30d: 10,
      minVolume30dUsd: 10_000,
      activeHours: 72,
    },
  );
  dynamo.destroy();
}

export async function webhookBench(stack: LocalStack): Promise<Record<string, LatencySummary>> {
  const { url, header, secret } = stack.info.webhook;
  let updateId = 1_000_000;
  const post = async (update: unknown) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: secret },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    return performance.now() - started;
  };
  const text = (command: string, userId: number) =>
    post(textMessageUpdate((updateId += 1), { id: userId, firstName: 'Bench' }, command));
  const followData = (trader: number) =>
    encodeCallback({
      a: 'follow',
      trader: `0x${(0xbe00 + trader).toString(16).padStart(40, '0')}`,
      back: { sort: 'score', offset: 0, limit: 50 },
    });
  const follow = (userId: number, trader: number) =>
    post({
      update_id: (updateId += 1),
      callback_query: {
        id: String(updateId),
        from: { id: userId, is_bot: false, first_name: 'Bench' },
        chat_instance: String(userId),
        message: {
          message_id: 1,
          date: 0,
          chat: { id: userId, type: 'private', first_name: 'Bench' },
          text: 'Top 50',
          // As Telegram sends it: the pressed message with its keyboard (Follow ticks its own row).
          reply_markup: {
            inline_keyboard: [[{ text: `Follow #${trader + 1}`, callback_data: followData(trader) }]],
          },
        },
        data: followData(trader),
      },
    });

  await seedLeaderboard(stack);
  const results: Record<string, LatencySummary> = {};
  const measure = async (name: string, run: (i: number) => Promise<number>) => {
    for (let i = 0; i < WARMUP; i++) await run(i);
    const samples: number[] = [];
    for (let i = WARMUP; i < WARMUP + SAMPLES; i++) samples.push(await run(i));
    results[name] = summarize(samples);
  };
  // Users are registered by their first message; the measured ones are then known, as in real use.
  for (let i = 0; i < WARMUP + SAMPLES; i++) await text('/help', 7_000_000 + i);
  await measure('webhook /start', (i) => text('/start', 6_000_000 + i));
  await measure('webhook /help', (i) => text('/help', 7_000_000 + i));
  await measure('webhook /alfa top50', (i) => text('/alfa top50', 7_000_000 + i));
  await measure('webhook Follow button', (i) => follow(7_000_000 + i, i % 60));
  stack.botApi.clear();
  return results;
}
