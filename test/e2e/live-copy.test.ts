// LIVE copy trading end to end on a stack of its own (deploy ceiling LIVE, switch LIVE, Avantis v2
// from the first block, 1 s blocks): a trader trades with their own signed intents through the
// local batched-market service; a follower whose wallet delegated to their own Alfa key gets each
// trade copied as a v2 intent signed by that key, followed to its fill, and is told every outcome
// once. Faults (cancel, stream timeout, a crash after submission), duplicates, a foreign wallet,
// the emergency stop and LIVE→DRY are each driven here. The tests run in order on one trader.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBatchedMarket } from '#core/adapters/avantis/batched-market.js';
import { toJson } from '#core/codec.js';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import { DynamoOperatorFlags } from '#core/adapters/dynamo/operator-state.js';
import { KmsDelegateKeys } from '#core/adapters/kms/delegate-keys.js';
import { encodeIntent, intentDigest, tradingDomain } from '#core/domain/avantis/intents.js';
import { openTradeReq } from '#core/domain/copy/orders.js';
import type { CopyIntent, CopyJob } from '#core/ports/copy.js';
import type { AvantisInfo } from '../../local/avantis/local-service.js';
import type { LocalStack } from '../../local/stack.js';
import { startLiveStack } from '../support/live-stack.js';
import { ChatDriver } from '../support/chat-driver.js';
import { uniqueId } from '../support/stack-clients.js';
import { sentTo, waitForText } from '../support/wait.js';
import { P, USDC, V2Account, arm, price, provider as rpc } from '../support/v2-trading.js';

let stack: LocalStack;
let avantis: AvantisInfo;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let ssm: SSMClient;
let chain: JsonRpcProvider;
let store: DynamoIntentStore;
let flags: DynamoOperatorFlags;
let trader: V2Account;
let wallet: V2Account;
let bob: ChatDriver;
let eve: ChatDriver;
let bobKey: string;

const logs = process.env.ALFA_TEST_LOGS === '1';

async function intentsOf(userId: number | string): Promise<CopyIntent[]> {
  const out = await doc.send(
    new ScanCommand({
      TableName: stack.info.tables.intents,
      FilterExpression: 'userId = :u AND begins_with(intentId, :h)',
      ExpressionAttributeValues: { ':u': String(userId), ':h': '0x' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as CopyIntent[];
}

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The copy intent of the trader's fill whose tx is `txHash` (signal id = txHash:logIndex). */
const copyOf = (txHash: string, state?: CopyIntent['state'] | readonly CopyIntent['state'][], ms = 30_000) =>
  until(
    `the copy of ${txHash}${state ? ` in ${String(state)}` : ''}`,
    async () => {
      const found = (await intentsOf(bob.person.id)).find((i) => i.signalId.startsWith(txHash));
      const wanted = state === undefined ? undefined : Array.isArray(state) ? state : [state];
      return found && (!wanted || wanted.includes(found.state)) ? found : undefined;
    },
    ms,
  );

/**
 * Waits until none of Bob's copies is in flight: a fault armed for his wallet must meet the order
 * the test sends next, not a close of an earlier test still on its way to the keeper.
 */
const settled = () =>
  until(
    'no copy of Bob in flight',
    async () => {
      const busy = (await intentsOf(bob.person.id)).filter((i) =>
        ['CREATED', 'ACCEPTED', 'INITIATED'].includes(i.state),
      );
      return busy.length === 0 ? true : undefined;
    },
    45_000,
  );

const setSwitch = (value: 'LIVE' | 'DRY') =>
  ssm.send(
    new PutParameterCommand({
      Name: stack.info.executionModeParameter,
      Value: value,
      Type: 'String',
      Overwrite: true,
    }),
  );

const ethPrice = () => price(avantis, 0);
const texts = async (id: number) => (await sentTo(stack.info, id)).map((c) => String(c.params.text ?? ''));

beforeAll(async () => {
  stack = await startLiveStack({
    without: ['digest', 'leaderboard', 'admin'],
    logs,
    env: { ALFA_LOCAL_MAX_POLLERS: '10' },
    log: (line) => (logs ? process.stderr.write(`${line}\n`) : undefined),
  });
  if (!stack.info.avantis) throw new Error('the local stack has no Avantis v2 service');
  avantis = stack.info.avantis;
  const base = { region: stack.info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, endpoint: stack.info.endpoints.dynamodb }));
  sqs = new SQSClient({ ...base, endpoint: stack.info.endpoints.sqs });
  ssm = new SSMClient({ ...base, endpoint: stack.info.endpoints.awsControlPlane });
  store = new DynamoIntentStore(doc, stack.info.tables.intents);
  flags = new DynamoOperatorFlags(doc, stack.info.tables.state);
  chain = rpc(stack.info.endpoints.rpc);
  await setSwitch('LIVE');
  [trader, wallet] = await Promise.all([V2Account.create(chain, avantis), V2Account.create(chain, avantis)]);
  bob = new ChatDriver(stack.info, { id: uniqueId(), firstName: 'Bob' });
  eve = new ChatDriver(stack.info, { id: uniqueId(), firstName: 'Eve' });
  for (const who of [bob, eve]) {
    await who.say('/start');
    await who.say(`/follow ${trader.address}`);
    const ask = ChatDriver.only(await who.say(`/set ${trader.address} mode auto`));
    await who.press(ask.messageId as number, 'Yes, Auto copy');
    await who.say(`/set ${trader.address} size 100`);
    await who.say('/settings maxpos 10000');
    await who.say('/settings ceiling 10000');
    await who.say('/settings floor 0');
  }
  const answer = (await stack.invoke('delegate-address', { userId: String(bob.person.id) })) as {
    delegate: string;
  };
  bobKey = answer.delegate;
}, 120_000);

afterAll(async () => {
  chain?.destroy();
  await stack?.stop();
});

describe('LIVE copy on Avantis v2', () => {
  it('links a wallet only once it delegates to the user’s own key, and refuses it to anyone else', async () => {
    await bob.say(`/wallet ${wallet.address}`);
    const before = (await texts(bob.person.id)).at(-1) ?? '';
    expect(before).toContain(bobKey);
    expect(before).toContain('has not delegated to your Alfa key');
    expect(before).toContain(`setDelegate(${bobKey}`);

    const block = await chain.getBlock('latest');
    await wallet.setDelegate(bobKey, (block?.timestamp ?? 0) + 86_400);
    await bob.say('/wallet');
    expect((await texts(bob.person.id)).at(-1)).toMatch(/linked, ✅ delegated to your key until/);

    await eve.say(`/wallet ${wallet.address}`);
    const refused = (await texts(eve.person.id)).at(-1) ?? '';
    expect(refused).toContain('has not delegated to your Alfa key');
    expect(refused).toContain('nothing will be copied');
  });

  it('opens the copy as a v2 intent signed by the user key: keeper fill → EXECUTED, the user told once', async () => {
    const fill = await trader.open({
      pairIndex: 0,
      buy: true,
      leverage: 5n * P,
      collateralUsdc: 200n * USDC,
      price: await ethPrice(),
    });
    const copy = await copyOf(fill.transactionHash, ['EXECUTED', 'CANCELED', 'FAILED']);
    expect(copy).toMatchObject({ state: 'EXECUTED', kind: 'OPEN', delegate: bobKey, wallet: wallet.address });
    expect(copy.trackingId).toBeTruthy();
    const [position] = await wallet.positions();
    expect(position).toMatchObject({ pairIndex: 0, buy: true, leverage: 5n * P });
    const told = await waitForText(stack.info, bob.person.id, /Copy filled: opened <b>LONG ETH\/USD<\/b> 5x/);
    expect(told).toMatch(/size \$\d[\d,]*\.\d\d, collateral \$\d+\.\d\d/);
    // Eve's wallet never delegated to her: nothing for her.
    expect(await intentsOf(eve.person.id)).toEqual([]);
  });

  it('closes the follower’s exact fractions of their own position on a partial then a full close', async () => {
    const [mine] = await trader.positions();
    if (!mine) throw new Error('the trader has no position');
    const [copied] = await wallet.positions();
    const start = copied?.collateral ?? 0n;
    const half = await trader.close(0, mine.index, mine.collateral / 2n, mine.collateral, await ethPrice());
    await copyOf(half.transactionHash, 'EXECUTED');
    const [after] = await wallet.positions();
    expect(after?.collateral).toBe(start - (start * (mine.collateral / 2n)) / mine.collateral);
    const [rest] = await trader.positions();
    const all = await trader.close(
      0,
      mine.index,
      rest?.collateral ?? 0n,
      rest?.collateral ?? 0n,
      await ethPrice(),
    );
    await copyOf(all.transactionHash, 'EXECUTED');
    expect(await wallet.positions()).toEqual([]);
    await until('both close notices', async () => {
      const n = (await texts(bob.person.id)).filter((t) => t.includes('Copy filled: closed')).length;
      return n >= 2 ? n : undefined;
    });
    expect((await texts(bob.person.id)).filter((t) => t.includes('Copy filled: closed'))).toHaveLength(2);
  });

  it('records an injected cancellation as CANCELED and tells the reason and the fee kept', async () => {
    await settled();
    await arm(avantis, { cancelNext: 1, trader: wallet.address });
    const fill = await trader.open({
      pairIndex: 0,
      buy: false,
      leverage: 4n * P,
      collateralUsdc: 100n * USDC,
      price: await ethPrice(),
    });
    expect(await copyOf(fill.transactionHash, ['CANCELED', 'EXECUTED', 'FAILED'])).toMatchObject({
      state: 'CANCELED',
      reason: 'MARKET_CANCELED',
    });
    await waitForText(
      stack.info,
      bob.person.id,
      /Copy cancelled: open of <b>SHORT ETH\/USD<\/b>.*opening fee/s,
    );
    const [mine] = await trader.positions();
    if (mine) await trader.close(mine.pairIndex, mine.index, 1n, 1n, await ethPrice());
  });

  it('replays a stream that timed out by its tracking id, and tells the fill once', async () => {
    await settled();
    await arm(avantis, { streamTimeoutNext: 1, trader: wallet.address });
    const fill = await trader.open({
      pairIndex: 1,
      buy: true,
      leverage: 3n * P,
      collateralUsdc: 100n * USDC,
      price: await price(avantis, 1),
    });
    const copy = await copyOf(fill.transactionHash, 'EXECUTED', 45_000);
    expect(copy.attempts).toBe(1);
    await waitForText(stack.info, bob.person.id, /Copy filled: opened <b>LONG BTC\/USD<\/b>/);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(
      (await texts(bob.person.id)).filter((t) => t.includes('opened <b>LONG BTC/USD</b> 3x at')),
    ).toHaveLength(1);
  });

  it('finds a copy whose copier crashed right after submitting it, and never sends it again', async () => {
    // What a crashed copier leaves behind: a CREATED intent with its signed bytes stored, posted
    // once, the stream abandoned before anything was recorded.
    const userId = String(bob.person.id);
    const keys = new KmsDelegateKeys(
      new KMSClient({
        region: stack.info.region,
        endpoint: stack.info.endpoints.awsControlPlane,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
      stack.info.env.DELEGATE_KMS_KEY_ID ?? '',
    );
    const intentId = `0x${'c'.repeat(64)}:9:${userId}`;
    const now = new Date();
    const p = await ethPrice();
    await store.claim({
      intentId,
      signalId: `0x${'c'.repeat(64)}:9`,
      userId,
      chatId: userId,
      trader: trader.address,
      slot: { pairIndex: 0, tradeIndex: 99 },
      kind: 'OPEN',
      wallet: wallet.address,
      delegate: bobKey,
      state: 'CREATED',
      reason: 'COPY_OK',
      mode: 'LIVE',
      order: {
        kind: 'OPEN',
        pairIndex: 0,
        buy: true,
        leverage: String(2n * P),
        collateralUsdc: String(100n * USDC),
      },
      createdAt: now.toISOString(),
    });
    const built = openTradeReq({
      wallet: wallet.address,
      pairIndex: 0,
      buy: true,
      leverage: 2n * P,
      collateralUsdc: 100n * USDC,
      referencePrice: p,
      trader: { openPrice: p, tp: 0n, sl: 0n },
      slippageP: 5n * P,
      pnl: false,
      deadlineMs: BigInt(Date.now() + 120_000),
      nonce: BigInt(uniqueId()),
    });
    const digest = intentDigest(
      'OpenTradeReq',
      tradingDomain(avantis.chainId, avantis.tradingRouter),
      built.message,
    );
    const { signature } = await keys.signDigest(userId, digest);
    const userIntent = encodeIntent('OpenTradeReq', built.message);
    await store.saveSigned(
      intentId,
      {
        orderType: 0,
        userIntent,
        signature,
        digest,
        nonce: String(built.message._nonce),
        deadlineMs: String(built.message._deadline),
        collateralUsdc: String(100n * USDC),
        leverage: String(2n * P),
        buy: true,
        pairIndex: 0,
      },
      now,
    );
    for await (const _first of new HttpBatchedMarket({ baseUrl: avantis.batchedMarketUrl }).submit(
      0,
      userIntent,
      signature,
    ))
      break;

    const settled = await until(
      'the reconciler to settle it',
      async () => {
        const i = await store.get(intentId);
        return i && i.state !== 'CREATED' ? i : undefined;
      },
      60_000,
    );
    expect(settled).toMatchObject({ state: 'EXECUTED', reason: 'RECONCILED_FILLED', attempts: 1 });
    expect(settled.trackingId).toBeUndefined();
  });

  it('makes one intent of the same copies message delivered three times', async () => {
    const signal = {
      id: `0x${'d'.repeat(64)}:1`,
      kind: 'OPEN',
      trader: trader.address,
      pairIndex: 1,
      pair: 'BTC/USD',
      tradeIndex: 98,
      side: 'SHORT',
      leverage: String(2n * P),
      collateralUsdc: String(100n * USDC),
      notionalUsdc: String(200n * USDC),
      price: String(await price(avantis, 1)),
      block: 1,
      blockHash: '0x01',
      txHash: `0x${'d'.repeat(64)}`,
      ts: Math.floor(Date.now() / 1000),
    } as const;
    const job: CopyJob = {
      signal,
      userId: String(bob.person.id),
      chatId: String(bob.person.id),
      routedAt: Date.now(),
      decision: {
        action: 'COPY',
        reason: 'COPY_OK',
        adjustments: [],
        notify: true,
        order: {
          kind: 'OPEN',
          pairIndex: 1,
          buy: false,
          leverage: String(2n * P),
          collateralUsdc: String(100n * USDC),
        },
      },
      follower: {
        userId: String(bob.person.id),
        chatId: String(bob.person.id),
        mode: 'AUTO',
        sizing: { kind: 'FIXED_USD', usdc: 100n * USDC },
        maxLeverage: 50,
        maxPositionUsdc: 10_000n * USDC,
        pairs: 'ALL',
        notify: true,
        paused: false,
      },
    };
    await Promise.all(
      [1, 2, 3].map(() =>
        sqs.send(
          new SendMessageCommand({
            QueueUrl: stack.info.queues.copies.url,
            MessageBody: toJson(job),
            MessageGroupId: job.userId,
            MessageDeduplicationId: String(uniqueId()),
          }),
        ),
      ),
    );
    await copyOf(`0x${'d'.repeat(64)}`, 'EXECUTED');
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await intentsOf(bob.person.id)).filter((i) => i.signalId === signal.id)).toHaveLength(1);
  });

  it('signs nothing after an emergency stop, and tells the user what stays open', async () => {
    const opened = await trader.open({
      pairIndex: 0,
      buy: true,
      leverage: 2n * P,
      collateralUsdc: 100n * USDC,
      price: await ethPrice(),
    });
    await copyOf(opened.transactionHash, 'EXECUTED');
    await flags.setEmergencyStop(true, 'test', new Date());
    const stoppedAt = new Date().toISOString();
    const mine = (await trader.positions()).find((x) => x.pairIndex === 0);
    if (!mine) throw new Error('no trader position');
    await trader.close(0, mine.index, 1n, 1n, await ethPrice());
    await trader.open({
      pairIndex: 0,
      buy: false,
      leverage: 2n * P,
      collateralUsdc: 100n * USDC,
      price: await ethPrice(),
    });
    await waitForText(stack.info, bob.person.id, /stay open/);
    await new Promise((r) => setTimeout(r, 3_000));
    const after = (await intentsOf(bob.person.id)).filter((i) => i.createdAt > stoppedAt);
    expect(after.filter((i) => i.signed)).toEqual([]);
    await flags.setEmergencyStop(false, 'test', new Date());
    await new Promise((r) => setTimeout(r, 6_000)); // the functions' 5 s mode cache
  }, 60_000);

  it('after LIVE→DRY opens nothing new and still mirrors the trader’s close', async () => {
    const opened = await trader.open({
      pairIndex: 1,
      buy: false,
      leverage: 2n * P,
      collateralUsdc: 100n * USDC,
      price: await price(avantis, 1),
    });
    await copyOf(opened.transactionHash, 'EXECUTED');
    await setSwitch('DRY');
    await new Promise((r) => setTimeout(r, 6_000)); // the functions' 5 s mode cache
    const mine = (await trader.positions()).find((x) => x.pairIndex === 1 && !x.buy);
    if (!mine) throw new Error('no trader position');
    const closed = await trader.close(1, mine.index, 1n, 1n, await price(avantis, 1));
    expect(await copyOf(closed.transactionHash, 'EXECUTED')).toMatchObject({ kind: 'CLOSE', mode: 'LIVE' });
    const next = await trader.open({
      pairIndex: 1,
      buy: true,
      leverage: 2n * P,
      collateralUsdc: 100n * USDC,
      price: await price(avantis, 1),
    });
    expect(await copyOf(next.transactionHash)).toMatchObject({ state: 'SIMULATED', mode: 'DRY' });
  }, 90_000);
});
