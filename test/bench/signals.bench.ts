// Signal benchmarks on the local stack: one signal routed to 10,000 followers (decisions + fanout
// enqueued), and alerts sent through the follower's pacer with the Bot API stand-in enforcing
// Telegram's limits (zero 429s and nothing lost is the target).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../../layers/core/adapters/dynamo/batch.js';
import { followToItem, DynamoFollowStore } from '../../layers/core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { SqsFanoutQueue } from '../../layers/core/adapters/sqs/fanout-queue.js';
import { TelegramMessenger } from '../../layers/core/adapters/telegram/messenger.js';
import { routeSignal } from '../../layers/core/copy/route.js';
import { newFollow } from '../../layers/core/domain/follows.js';
import type { Signal } from '../../layers/core/domain/signals.js';
import type { LocalStack } from '../../local/stack.js';

const P = 10_000_000_000n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function clients(stack: LocalStack) {
  const base = { region: stack.info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const dynamo = new DynamoDBClient({ ...base, endpoint: stack.info.endpoints.dynamodb });
  return {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo),
    sqs: new SQSClient({ ...base, endpoint: stack.info.endpoints.sqs }),
  };
}

/** 10,000 users following one trader: users and follows written in bulk, then one signal routed. */
export async function routingBench(stack: LocalStack, followers = 10_000) {
  const { dynamo, doc, sqs } = clients(stack);
  const trader = `0x${'be'.repeat(20)}`;
  const now = new Date();
  const ids = Array.from({ length: followers }, (_, i) => String(80_000_000 + i));
  await batchWrite(
    doc,
    stack.info.tables.users,
    ids.map((userId) => ({ PutRequest: { Item: { userId, chatId: userId, firstName: 'F', active: true } } })),
  );
  await batchWrite(
    doc,
    stack.info.tables.follows,
    ids.map((userId, i) => ({
      PutRequest: {
        Item: followToItem({ ...newFollow(userId, userId, trader, now), mode: i % 2 ? 'AUTO' : 'ALERTS' }),
      },
    })),
  );
  const signal: Signal = {
    id: `0x${'ab'.repeat(32)}:1`,
    kind: 'OPEN',
    trader,
    pairIndex: 0,
    pair: 'ETH/USD',
    tradeIndex: 0,
    side: 'LONG',
    leverage: String(5n * P),
    collateralUsdc: '100000000',
    notionalUsdc: '500000000',
    price: String(3000n * P),
    block: 1,
    blockHash: '0x1',
    txHash: `0x${'ab'.repeat(32)}`,
    ts: 0,
  };
  const started = performance.now();
  const summary = await routeSignal(signal, {
    followers: new DynamoFollowStore(doc, {
      follows: stack.info.tables.follows,
      users: stack.info.tables.users,
    }),
    profiles: new DynamoUserStore(doc, stack.info.tables.users),
    fanout: new SqsFanoutQueue(sqs, stack.info.queues.fanout.url),
    mode: { read: async () => ({ mode: 'DRY' as const, switchValue: 'DRY', emergencyStop: false }) },
    canary: { maxNotionalUsdc: 1_000_000_000n, maxLeverage: 10, allowedPairs: 'ALL' as const },
    log: quiet,
  });
  const seconds = (performance.now() - started) / 1000;
  await sqs.send(new PurgeQueueCommand({ QueueUrl: stack.info.queues.fanout.url }));
  dynamo.destroy();
  return {
    followers: summary.followers,
    messages: summary.messages,
    seconds: Math.round(seconds * 100) / 100,
  };
}

/** `n` alerts to distinct chats through the pacer, the stand-in answering 429 past Telegram's limits. */
export async function alertRateBench(stack: LocalStack, n = 290) {
  stack.botApi.clear();
  stack.botApi.setRateLimits({ enabled: true, perChatPerSecond: 1, globalPerSecond: 30 });
  const messenger = new TelegramMessenger(stack.info.telegram.botToken, stack.info.endpoints.telegramBotApi);
  const started = performance.now();
  let lost = 0;
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      messenger.send(String(90_000_000 + i), `alert ${i}`).catch(() => (lost += 1)),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const calls = stack.botApi.calls({ method: 'sendMessage' });
  stack.botApi.setRateLimits({ enabled: false });
  return {
    alerts: n,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round((n / seconds) * 10) / 10,
    rejected429: calls.filter((c) => c.status === 429).length,
    lost,
  };
}
