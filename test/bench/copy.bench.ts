// The copy benchmark (issue 10): one trader's open routed to N AUTO followers in LIVE through the
// local batched-market service (anvil, 1 s blocks). Each follower has their own wallet that
// delegated to their own Alfa key. Measured from the trader's fill (the moment its order's stream
// says executed, i.e. the fill block is mined) to each follower's intent ACCEPTED and EXECUTED
// (p50, p95, max), the blocks from the trader's fill block to each copy's fill block, and the
// alert latency of the same run (the alerter paces alerts to Telegram's limits, apart from copies).
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Contract, Wallet } from 'ethers';
import { batchWrite } from '../../layers/core/adapters/dynamo/batch.js';
import { followToItem } from '../../layers/core/adapters/dynamo/follow-store.js';
import { toJson } from '../../layers/core/codec.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { KmsDelegateKeys } from '../../layers/core/adapters/kms/delegate-keys.js';
import { newFollow } from '../../layers/core/domain/follows.js';
import { defaultRiskPolicy } from '../../layers/core/domain/risk.js';
import type { CopyIntent } from '../../layers/core/ports/copy.js';
import type { LocalStack } from '../../local/stack.js';
import { setBalance } from '../../local/chain/tx.js';
import { P, USDC, V2Account, price, provider as rpc } from '../support/v2-trading.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : Number.NaN;
};
const summary = (xs: number[]) => ({
  n: xs.length,
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  max: Math.max(...xs),
});

/** N followers with delegated, funded wallets, seeded straight into the tables and the chain. */
async function seedFollowers(stack: LocalStack, trader: string, n: number, base: number) {
  const avantis = stack.info.avantis;
  if (!avantis) throw new Error('needs the local Avantis v2 service');
  const cred = { accessKeyId: 'x', secretAccessKey: 'x' };
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.dynamodb,
      credentials: cred,
    }),
  );
  const keys = new KmsDelegateKeys(
    new KMSClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.awsControlPlane,
      credentials: cred,
    }),
    stack.info.env.DELEGATE_KMS_KEY_ID ?? '',
  );
  const chain = rpc(stack.info.endpoints.rpc);
  const users = new DynamoUserStore(doc, stack.info.tables.users);
  const ids = Array.from({ length: n }, (_, i) => String(base + i));
  const risk = {
    ...defaultRiskPolicy(),
    profile: 'CUSTOM' as const,
    maxLeverage: 50,
    maxPositionUsdc: 100_000n * USDC,
    capitalFloorUsdc: 0n,
    capitalCeilingUsdc: 1_000_000n * USDC,
  };
  await batchWrite(
    doc,
    stack.info.tables.users,
    ids.map((userId) => ({
      PutRequest: {
        Item: { userId, chatId: userId, firstName: 'F', active: true, risk: toJson(risk), paused: false },
      },
    })),
  );
  const now = new Date();
  await batchWrite(
    doc,
    stack.info.tables.follows,
    ids.map((userId) => ({
      PutRequest: {
        Item: followToItem({
          ...newFollow(userId, userId, trader, now),
          mode: 'AUTO',
          sizing: { kind: 'FIXED_USD', usdc: 25n * USDC },
          maxLeverage: 50,
          maxPositionUsdc: 100_000n * USDC,
        }),
      },
    })),
  );
  const block = await chain.getBlock('latest');
  const expiry = (block?.timestamp ?? 0) + 86_400;
  const CHUNK = 50;
  for (let i = 0; i < ids.length; i += CHUNK) {
    await Promise.all(
      ids.slice(i, i + CHUNK).map(async (userId) => {
        const wallet = Wallet.createRandom().connect(chain);
        await setBalance(chain, wallet.address, 10n ** 18n);
        const usdc = new Contract(
          avantis.usdc,
          ['function mint(address,uint256)', 'function approve(address,uint256) returns (bool)'],
          wallet,
        );
        const router = new Contract(avantis.tradingRouter, ['function setDelegate(address,uint256)'], wallet);
        const delegate = await keys.addressOf(userId);
        const sent = [
          await usdc.getFunction('mint')(wallet.address, 1_000n * USDC, { nonce: 0 }),
          await usdc.getFunction('approve')(avantis.contracts.tradingStorage, 2n ** 256n - 1n, { nonce: 1 }),
          await router.getFunction('setDelegate')(delegate, expiry, { nonce: 2 }),
        ];
        await Promise.all(sent.map((t: { wait(): Promise<unknown> }) => t.wait()));
        if ((await users.claimWallet(userId, wallet.address.toLowerCase())) !== 'LINKED')
          throw new Error('wallet not linked');
      }),
    );
  }
  return { doc, chain, ids };
}

export async function copyBench(stack: LocalStack, n: number, base: number) {
  const avantis = stack.info.avantis;
  if (!avantis) throw new Error('needs the local Avantis v2 service');
  const chain = rpc(stack.info.endpoints.rpc);
  const trader = await V2Account.create(chain, avantis);
  const seeded = await seedFollowers(stack, trader.address, n, base);
  stack.botApi.clear();
  // Let the indexer catch up with the seeding transactions before the measured trade.
  await new Promise((r) => setTimeout(r, 5_000));

  const fill = await trader.open({
    pairIndex: 0,
    buy: true,
    leverage: 5n * P,
    collateralUsdc: 100n * USDC,
    price: await price(avantis, 0),
  });
  const t0 = Date.now();
  const fillBlock = (await chain.getTransactionReceipt(fill.transactionHash))?.blockNumber ?? 0;

  const ids = new Set(seeded.ids);
  const deadline = Date.now() + Number(process.env.ALFA_COPY_BENCH_WAIT_MS ?? 240_000);
  let intents: CopyIntent[] = [];
  for (;;) {
    const out: CopyIntent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await seeded.doc.send(
        new ScanCommand({
          TableName: stack.info.tables.intents,
          FilterExpression: 'begins_with(signalId, :s)',
          ExpressionAttributeValues: { ':s': fill.transactionHash },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...((page.Items ?? []) as CopyIntent[]));
      start = page.LastEvaluatedKey;
    } while (start);
    intents = out.filter((i) => ids.has(i.userId));
    const done = intents.filter((i) => ['EXECUTED', 'CANCELED', 'FAILED'].includes(i.state)).length;
    if ((intents.length === n && done === n) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const accepted = intents.filter((i) => i.acceptedAt).map((i) => Date.parse(i.acceptedAt as string) - t0);
  const executed = intents
    .filter((i) => i.state === 'EXECUTED' && i.settledAt)
    .map((i) => Date.parse(i.settledAt as string) - t0);
  const blocks: number[] = [];
  for (const i of intents.filter((x) => x.fill?.txHash)) {
    const r = await chain.getTransactionReceipt(i.fill?.txHash as string);
    if (r) blocks.push(r.blockNumber - fillBlock);
  }
  // Alerts of the same run: the time each follower's alert reached the Bot API stand-in.
  const alertMs = stack.botApi
    .calls({ method: 'sendMessage' })
    .filter((c) => ids.has(String(c.params.chat_id)) && String(c.params.text).includes('opened'))
    .map((c) => Date.parse(c.at) - t0);
  // Where the copies not yet made are: still queued, or received and in work (not visible).
  const sqs = new SQSClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.sqs,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const q = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.info.queues.copies.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  sqs.destroy();
  chain.destroy();
  seeded.chain.destroy();
  return {
    copiesQueue: {
      visible: Number(q.Attributes?.ApproximateNumberOfMessages ?? 0),
      inWork: Number(q.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    },
    followers: n,
    intents: intents.length,
    executed: intents.filter((i) => i.state === 'EXECUTED').length,
    canceled: intents.filter((i) => i.state === 'CANCELED').length,
    failed: intents.filter((i) => i.state === 'FAILED').length,
    acceptedMs: summary(accepted),
    executedMs: summary(executed),
    blocksAfterTraderFill: summary(blocks),
    alertMs: summary(alertMs),
  };
}
