// The indexer's DynamoDB and SQS adapters against DynamoDB Local and fauxqs, each test on tables
// of its own stage so it never sees another test's state.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { toJson } from '#core/codec.js';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoIndexerState, LeaseLostError } from '#core/adapters/dynamo/indexer-state.js';
import { DynamoPositionStore } from '#core/adapters/dynamo/position-store.js';
import { SqsSignalQueue } from '#core/adapters/sqs/signal-queue.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { fillsFromEvents, firstFillKeyOfBlock, isFill, type TradeEventRecord } from '#core/domain/fills.js';
import { positionKey, replayPositions } from '#core/domain/positions.js';
import { signalFromFill } from '#core/domain/signals.js';
import type { TradeEvent } from '#core/domain/trade-events.js';
import { createTables } from '../../../local/provision.js';
import { marketClose, marketOpen } from '../../fixtures/avantis-logs.js';
import { clients, uniqueId } from '../../support/stack-clients.js';

const { dynamo, sqs } = clients();
const doc = DynamoDBDocumentClient.from(dynamo);
let tables: Awaited<ReturnType<typeof createTables>>;

beforeAll(async () => {
  tables = await createTables(dynamo, `t${uniqueId()}`);
});

const trader = () => `0x${uniqueId().toString(16).padStart(40, '0')}`;
const USDC = 1_000_000n;

function fillsFor(who: string, blocks: number[]): TradeEventRecord[] {
  const logs = blocks.flatMap((b, i) =>
    i % 2 === 0
      ? [marketOpen({ trader: who, index: i, collateral: 100n * USDC }, { blockNumber: b, logIndex: i })]
      : [
          marketClose(
            { trader: who, index: i - 1, collateral: 100n * USDC },
            { blockNumber: b, logIndex: i },
            {
              amount: 40n * USDC,
              price: 3_000n * 10n ** 10n,
              percentProfit: 0n,
              usdcSentToTrader: 39_000_000n,
            },
          ),
        ],
  );
  const events = logs.map((l) => (decodeLog(l) as { ok: true; event: TradeEvent }).event);
  return [...fillsFromEvents(events, (n) => 1_700_000_000 + n).fills];
}

describe('Class: DynamoFillStore', () => {
  it('stores fills idempotently and reads them back in chain order with bigints intact', async () => {
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    const fills = fillsFor(who, [12, 9, 1_000_000]);

    await store.putEvents(fills);
    await store.putEvents(fills);

    const back = await store.eventsOf(who);
    expect(back.map((f) => f.event.blockNumber)).toEqual([9, 12, 1_000_000]);
    expect(back).toEqual([...fills].sort((a, b) => a.event.blockNumber - b.event.blockNumber));
  });

  it('stores each event as the item the document client wrote from it (same attributes, same types)', async () => {
    // Prepare
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    const [open, close] = fillsFor(who, [7, 8]) as [TradeEventRecord, TradeEventRecord];
    // Act
    await store.putEvents([open, close]);
    // Assess: each the same as the plain item written before items were built in wire form, put
    // through the document client (its marshalling) under another trader.
    const plainOwner = trader();
    for (const f of [open, close]) {
      await doc.send(
        new PutCommand({
          TableName: tables.fills,
          Item: {
            trader: plainOwner,
            fillKey: f.fillKey,
            fillId: f.fillId,
            kind: f.event.kind,
            isFill: isFill(f),
            block: f.event.blockNumber,
            ts: f.timestamp,
            event: toJson(f.event),
          },
        }),
      );
      const get = async (owner: string) =>
        (
          await dynamo.send(
            new GetItemCommand({
              TableName: tables.fills,
              Key: { trader: { S: owner }, fillKey: { S: f.fillKey } },
            }),
          )
        ).Item ?? {};
      const { trader: owner, ...stored } = await get(who);
      const { trader: _other, ...plain } = await get(plainOwner);
      expect(owner).toEqual({ S: who });
      expect(stored).toEqual(plain);
      expect(Object.keys(stored).sort()).toEqual([
        'block',
        'event',
        'fillId',
        'fillKey',
        'isFill',
        'kind',
        'ts',
      ]);
    }
  });

  it('deletes a trader’s fills from a block on and says which', async () => {
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    await store.putEvents(fillsFor(who, [5, 6, 7, 8]));

    const removed = await store.deleteEventsFrom(who, firstFillKeyOfBlock(7));

    expect(removed.map((f) => f.event.blockNumber)).toEqual([7, 8]);
    expect((await store.eventsOf(who)).map((f) => f.event.blockNumber)).toEqual([5, 6]);
  });

  it('deletes an address’s quarantined logs from a block on (reorg) and gives them back raw', async () => {
    // Prepare: two unknown-topic logs of one address, at blocks 5 and 9.
    const store = new DynamoFillStore(doc, tables.fills);
    const address = `0x${uniqueId().toString(16).padStart(40, '0')}`;
    const log = (blockNumber: number) => ({
      address,
      topics: [`0x${'de'.repeat(32)}`],
      data: '0x',
      blockNumber,
      blockHash: `0x${blockNumber.toString(16).padStart(64, '0')}`,
      transactionHash: `0x${blockNumber.toString(16).padStart(64, 'e')}`,
      logIndex: 0,
    });
    await store.putQuarantined([5, 9].map((n) => ({ log: log(n), reason: 'UNKNOWN_TOPIC' as const })));

    // Act
    const removed = await store.deleteQuarantinedFrom(address, firstFillKeyOfBlock(7));
    const again = await store.deleteQuarantinedFrom(address, firstFillKeyOfBlock(7));

    // Assess
    expect(removed).toEqual([{ log: log(9), reason: 'UNKNOWN_TOPIC' }]);
    expect(again).toEqual([]);
    expect(await store.deleteQuarantinedFrom(address, firstFillKeyOfBlock(0))).toEqual([
      { log: log(5), reason: 'UNKNOWN_TOPIC' },
    ]);
  });

  it('writes thousands of fills in one call (batched, unprocessed items retried)', async () => {
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    const many = fillsFor(
      who,
      Array.from({ length: 600 }, (_, i) => i + 1),
    );

    await store.putEvents(many);

    expect(await store.eventsOf(who)).toHaveLength(600);
  });

  it('reads recent trades from fills only, however many other trade events came after them', async () => {
    // Prepare: two fills, then 300 TP/SL updates; and one execution stored before `isFill` existed.
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    const fills = fillsFor(who, [10, 11]);
    const updates: TradeEventRecord[] = Array.from({ length: 300 }, (_, i) => ({
      fillId: `0x${'ab'.repeat(32)}:${i}`,
      fillKey: `${String(100 + i).padStart(12, '0')}#000000`,
      trader: who,
      timestamp: 1_700_000_100 + i,
      event: {
        kind: 'TpUpdated',
        variant: 'TpUpdated/v1.5',
        blockNumber: 100 + i,
        blockHash: `0x${'cd'.repeat(32)}`,
        logIndex: 0,
        txHash: `0x${'ab'.repeat(32)}`,
        address: '0x01',
        trader: who,
        pairIndex: 0,
        index: 0,
        newTp: 1n,
      },
    }));
    await store.putEvents([...fills, ...updates]);
    const legacy = fillsFor(who, [5])[0] as TradeEventRecord;
    await doc.send(
      new PutCommand({
        TableName: tables.fills,
        Item: {
          trader: who,
          fillKey: legacy.fillKey,
          fillId: legacy.fillId,
          kind: legacy.event.kind,
          block: 5,
          ts: legacy.timestamp,
          event: toJson(legacy.event),
        },
      }),
    );

    // Act
    const recent = await store.recentOf(who, 5);

    // Assess: newest first, executions only, the legacy one included.
    expect(recent.map((f) => f.event.blockNumber)).toEqual([11, 10, 5]);
  });
});

describe('Class: DynamoPositionStore', () => {
  it('writes open positions, deletes closed ones, and reads them back', async () => {
    const store = new DynamoPositionStore(doc, tables.positions);
    const who = trader();
    const open = replayPositions(fillsFor(who, [1, 2, 3]));
    const changes = new Map([...open].map(([k, p]) => [`${who}|${k}`, p] as const));

    await store.apply(changes);
    const got = await store.getMany([...open.keys()].map((positionKey) => ({ trader: who, positionKey })));
    // BatchGet answers in any order: compare by key.
    expect(Object.fromEntries(got)).toEqual(
      Object.fromEntries([...open].map(([k, p]) => [`${who}|${k}`, p])),
    );

    await store.apply(new Map([[`${who}|${positionKey(0, 0)}`, undefined]]));
    expect((await store.positionsOf(who)).map((p) => p.tradeIndex)).toEqual([2]);
  });
});

describe('Class: DynamoIndexerState', () => {
  it('gives the lease to one owner at a time, fences saves, and hands over on release or expiry', async () => {
    const state = new DynamoIndexerState(doc, tables.state);
    const t0 = new Date('2026-01-01T00:00:00Z');
    const checkpoint = {
      block: 10,
      blockHash: '0xab',
      pageSize: 500,
      recent: [{ number: 10, hash: '0xab', traders: ['0x1'] }],
    };

    expect(await state.acquireLease('a', t0, 30_000)).toBe(true);
    expect(await state.acquireLease('b', t0, 30_000)).toBe(false);
    await state.save('a', checkpoint, t0, 30_000);
    await expect(state.save('b', checkpoint, t0, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await state.load()).toEqual({ ...checkpoint, savedAt: t0.toISOString() });

    expect(await state.acquireLease('b', new Date(t0.getTime() + 31_000), 30_000)).toBe(true);
    await expect(state.save('a', checkpoint, t0, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
    await state.releaseLease('b');
    expect(await state.acquireLease('c', t0, 30_000)).toBe(true);
  });

  it('keeps the upgrade discovery scan beside the cursor, and only ever the further one', async () => {
    // Prepare
    const state = new DynamoIndexerState(doc, tables.state);
    const before = await state.load();
    const scan = (scannedTo: number) => ({
      floor: 19_000_000,
      scannedTo,
      pageSize: 100_000,
      logs: [{ address: '0xc1', blockNumber: 19_000_000 }],
    });

    // Act
    await state.saveUpgradeScan(scan(25_000_000));
    await state.saveUpgradeScan(scan(21_000_000)); // a slower container, behind: ignored

    // Assess
    expect(await state.loadUpgradeScan()).toEqual(scan(25_000_000));
    expect(await state.load()).toEqual(before);
  });
});

describe('Class: SqsSignalQueue', () => {
  it('sends signals to the FIFO queue grouped by trader, deduplicated by signal id', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `signals-${uniqueId()}.fifo`, Attributes: { FifoQueue: 'true' } }),
    );
    const queue = new SqsSignalQueue(sqs, QueueUrl as string);
    const who = trader();
    const signals = fillsFor(
      who,
      Array.from({ length: 12 }, (_, i) => i + 1),
    ).map((f) => signalFromFill(f));
    const defined = signals.filter((s): s is NonNullable<typeof s> => s !== undefined);

    await queue.publish(defined);
    await queue.publish(defined.slice(0, 3)); // a replay: dropped by content-independent dedup ids

    const received: string[] = [];
    for (let i = 0; i < 20 && received.length < defined.length + 3; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      for (const m of out.Messages ?? []) {
        expect(m.Attributes?.MessageGroupId).toBe(who);
        received.push((JSON.parse(m.Body ?? '{}') as { id: string }).id);
        // A FIFO group stays locked while its message is in flight: delete to see the next one.
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
      if ((out.Messages ?? []).length === 0) break;
    }
    expect(received).toEqual(defined.map((s) => s.id));
  });
});
