// The positions item codec: a position written by apply reads back through positionFromItem with its
// bigints intact (tradeTimestamp too, and absent on positions stored before v2), and an item whose
// position attribute is not the JSON string is refused with its key in the message.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoPositionStore, positionFromItem } from '#core/adapters/dynamo/position-store.js';
import { positionKey, type Position } from '#core/domain/positions.js';

const TRADER = '0x00000000000000000000000000000000000000aa';
const position: Position = {
  trader: TRADER,
  pairIndex: 1,
  tradeIndex: 0,
  buy: true,
  leverage: 250_000_000_000n,
  collateral: 100_000_000n,
  openPrice: 3_000n * 10n ** 10n,
  tp: 0n,
  sl: 0n,
  openFillId: '0xabc:3',
  openedAt: 1_700_000_000,
  lastFillKey: '000000000100#00003',
  tradeTimestamp: 1_700_000_000n,
};

/** The items apply writes, captured from its BatchWriteItem request. */
async function writtenItems(p: Position): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const send = (command: {
    input: { RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> };
  }) => {
    for (const r of command.input.RequestItems.positions ?? []) items.push(r.PutRequest.Item);
    return Promise.resolve({});
  };
  const store = new DynamoPositionStore({ send } as unknown as DynamoDBDocumentClient, 'positions');
  await store.apply(new Map([[`${p.trader}|${positionKey(p.pairIndex, p.tradeIndex)}`, p]]));
  return items;
}

describe('positionFromItem', () => {
  it('reads back the position apply wrote', async () => {
    // Prepare
    const [item] = await writtenItems(position);
    // Act
    const back = positionFromItem(item!);
    // Assess
    expect(back).toEqual(position);
  });

  it('reads a position stored before v2, without tradeTimestamp', async () => {
    // Prepare
    const { tradeTimestamp: _dropped, ...old } = position;
    const [item] = await writtenItems(old);
    // Act
    const back = positionFromItem(item!);
    // Assess
    expect(back).toEqual(old);
    expect('tradeTimestamp' in back).toBe(false);
  });

  it('refuses an item whose position is not a string, naming the table and key', () => {
    // Prepare
    const bad = { trader: TRADER, positionKey: '00001#00000', position: { buy: true } };
    // Act
    const read = () => positionFromItem(bad);
    // Assess
    expect(read).toThrow(`positions item trader=${TRADER} positionKey=00001#00000 does not parse`);
  });
});
