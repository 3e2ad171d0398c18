// Signal benchmarks on the local stack: one signal routed to 10,000 followers (decisions + alerts
// and copies enqueued), and alerts sent through the alerter's pacer with the Bot API stand-in enforcing
// Telegram's limits (zero 429s and nothing lost is the target).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '#core/adapters/dynamo/batch.js';
import { followToItem, DynamoFollowStore } from '#core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '#core/adapters/dynamo/user-store.js';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import { SqsAlertQueue, SqsCopyQueue } from '#core/adapters/sqs/copy-queues.js';
import { TelegramMessenger } from '#core/adapters/telegram/messenger.js';
import { routeSignal } from '#core/copy/route.js';
import { newFollow } from '#core/domain/follows.js';
import type { Signal } from '#core/domain/signals.js';
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
    mirrors: new DynamoIntentStore(doc, stack.info.tables.intents),
    alerts: new SqsAlertQueue(sqs, {
      alerts: stack.info.queues.alerts.url,
      notices: stack.info.queues.notices.url,
    }),
    copies: new SqsCopyQueue(sqs, stack.info.queues.copies.url),
    mode: { read: async () => ({ mode: 'DRY' as const, switchValue: 'DRY', emergencyStop: false }) },
    canary: { maxNotionalUsdc: 1_000_000_000n, maxLeverage: 10, allowedPairs: 'ALL' as const },
    now: () => Date.now(),
    log: quiet,
  });
  const seconds = (performance.now() - started) / 1000;
  await sqs.send(new PurgeQueueCommand({ QueueUrl: stack.info.queues.alerts.url }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: stack.info.queues.copies.url }));
  dynamo.destroy();
  return {
    followers: summary.followers,
    alerts: summary.alerts,
    copies: summary.copies,
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

/**
 * End to end on anvil with 1 s blocks: a trader opens; measured from the block being first served
 * (polled every 10 ms) to the follower's alert reaching the Bot API stand-in, and in blocks from
 * the trader's fill block to the follower's copy's fill block (LIVE stacks on Avantis v2).
 */
export async function endToEndBench(stack: LocalStack, trades = 10) {
  const chain = stack.info.chain;
  if (chain.mode !== 'local') throw new Error('needs the local chain');
  const { ChatDriver } = await import('../support/chat-driver.js');
  const { LocalTrader, USDC_UNIT } = await import('../../local/chain/trader.js');
  const { JsonRpcProvider } = await import('ethers');
  const rpc = stack.info.endpoints.rpc;
  const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const seenAt = new Map<number, number>();
  let polling = true;
  const poller = (async () => {
    let last = -1;
    while (polling) {
      const n = await provider.getBlockNumber();
      for (let b = last + 1; b <= n; b++) if (!seenAt.has(b)) seenAt.set(b, Date.now());
      last = n;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const { isUpgradedToV2 } = await import('../../local/chain/deploy.js');
  const wallet = await LocalTrader.create(rpc, chain.addresses, 2_500, 100_000n * USDC_UNIT);
  const follower = new ChatDriver(stack.info, { id: 95_000_001, firstName: 'Bench' });
  const linked = await follower.say(`/wallet ${wallet.address}`);
  if (!(await isUpgradedToV2(provider, chain.addresses))) throw new Error('needs a stack on Avantis v2');
  // The follower registers their own Alfa key, which /wallet shows, on the TradingRouter.
  const shown = linked.map((m) => m.text).join('\n');
  const key = /delegate key: <code>(0x[0-9a-fA-F]{40})<\/code>/.exec(shown)?.[1];
  if (!key) throw new Error('/wallet showed no Alfa delegate key');
  await wallet.setDelegate(key);
  await follower.say('/wallet');
  await follower.say('/settings maxpos 100000');
  await follower.say('/settings ceiling 1000000');
  const alertMs: number[] = [];
  const copyBlocks: number[] = [];
  for (let i = 0; i < trades; i++) {
    const trader = await LocalTrader.create(rpc, chain.addresses, 2_600 + i);
    await follower.say(`/follow ${trader.address}`);
    const [ask] = await follower.say(`/set ${trader.address} mode auto`);
    // Auto copy is confirmed with a button.
    if (ask?.messageId !== undefined) await follower.press(ask.messageId, 'Yes, Auto copy');
    // v1.5: filled in the trader's own transaction; v2: the block of the keeper's fill. 5x: within
    // the follower's default leverage cap, so the copy is made.
    const receipt = await trader.openFilled({
      pairIndex: 1,
      collateralUsdc: 200n * USDC_UNIT,
      leverage: 5,
      buy: true,
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const alert = stack.botApi
        .calls({ method: 'sendMessage', chatId: 95_000_001 })
        .find(
          (c) =>
            String(c.params.text).includes(trader.address.slice(0, 6)) &&
            String(c.params.text).includes('opened'),
        );
      if (alert) {
        alertMs.push(Date.parse(alert.at) - (seenAt.get(receipt.blockNumber) ?? Date.parse(alert.at)));
        break;
      }
      if (Date.now() > deadline) throw new Error('no alert');
      await new Promise((r) => setTimeout(r, 20));
    }
    const copyDeadline = Date.now() + 15_000;
    for (;;) {
      const mined = stack.botApi
        .calls({ method: 'sendMessage', chatId: 95_000_001 })
        .filter((c) => String(c.params.text).startsWith('✅ Copy filled')).length;
      if (mined > i) break;
      if (Date.now() > copyDeadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // The copy's block: the follower wallet's open MarketExecuted (the service's keeper fills it).
    const { decodeV2Logs } = await import('../../local/chain/v2.js');
    const logs = await provider.getLogs({
      address: chain.addresses.tradingCallbacks,
      fromBlock: receipt.blockNumber,
      toBlock: 'latest',
    });
    const copy = decodeV2Logs(logs, chain.addresses).find(
      (e) =>
        e.kind === 'TradingCallbacks.MarketExecuted' && e.open && e.t.trader.toLowerCase() === wallet.address,
    );
    if (copy) copyBlocks.push(copy.blockNumber - receipt.blockNumber);
  }
  polling = false;
  await poller;
  provider.destroy();
  const { summarize } = await import('./stats.js');
  return { alertLatency: summarize(alertMs), copyBlocksAfterTrader: copyBlocks };
}
