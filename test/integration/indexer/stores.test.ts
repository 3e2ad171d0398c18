// The indexer's DynamoDB and SQS adapters against DynamoDB Local and fauxqs, each test on tables
// of its own stage so it never sees another test's state.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFillStore } from '../../../layers/core/adapters/dynamo/fill-store.js';
import { DynamoIndexerState, LeaseLostError } from '../../../layers/core/adapters/dynamo/indexer-state.js';
import { DynamoPositionStore } from '../../../layers/core/adapters/dynamo/position-store.js';
import { SqsSignalQueue } from '../../../layers/core/adapters/sqs/signal-queue.js';
import { decodeLog } from '../../../layers/core/domain/avantis/decode.js';
import { fillsFromEvents, firstFillKeyOfBlock, type Fill } from '../../../layers/core/domain/fills.js';
import { positionKey, replayPositions } from '../../../layers/core/domain/positions.js';
import { signalFromFill } from '../../../layers/core/domain/signals.js';
import type { TradeEvent } from '../../../layers/core/domain/trade-events.js';
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

function fillsFor(who: string, blocks: number[]): Fill[] {
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

    await store.putFills(fills);
    await store.putFills(fills);

    const back = await store.fillsOf(who);
    expect(back.map((f) => f.event.blockNumber)).toEqual([9, 12, 1_000_000]);
    expect(back).toEqual([...fills].sort((a, b) => a.event.blockNumber - b.event.blockNumber));
  });

  it('deletes a trader’s fills from a block on and says which', async () => {
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    await store.putFills(fillsFor(who, [5, 6, 7, 8]));

    const removed = await store.deleteFillsFrom(who, firstFillKeyOfBlock(7));

    expect(removed.map((f) => f.event.blockNumber)).toEqual([7, 8]);
    expect((await store.fillsOf(who)).map((f) => f.event.blockNumber)).toEqual([5, 6]);
  });

  it('writes thousands of fills in one call (batched, unprocessed items retried)', async () => {
    const store = new DynamoFillStore(doc, tables.fills);
    const who = trader();
    const many = fillsFor(
      who,
      Array.from({ length: 600 }, (_, i) => i + 1),
    );

    await store.putFills(many);

    expect(await store.fillsOf(who)).toHaveLength(600);
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
    expect(await state.load()).toEqual(checkpoint);

    expect(await state.acquireLease('b', new Date(t0.getTime() + 31_000), 30_000)).toBe(true);
    await expect(state.save('a', checkpoint, t0, 30_000)).rejects.toBeInstanceOf(LeaseLostError);
    await state.releaseLease('b');
    expect(await state.acquireLease('c', t0, 30_000)).toBe(true);
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
