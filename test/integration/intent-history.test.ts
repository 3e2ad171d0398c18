// A user's copies read back through the intents table's byUser index on DynamoDB Local: newest
// first and limited (/copies), everything since a time (results), mirrors and other users left out.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { liveCopy } from '../support/copy-intents.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const TRADER = '0x00000000000000000000000000000000000000f1';

const copy = (userId: string, n: number, over: Partial<CopyIntent> = {}): CopyIntent =>
  liveCopy('sig', TRADER, userId, n, over);

describe('Class: DynamoIntentStore (history)', () => {
  let store: DynamoIntentStore;
  beforeAll(() => {
    store = new DynamoIntentStore(clients().doc, stackInfo().tables.intents);
  });

  it('lists a user’s copies newest first, with their outcome, and nothing of others or mirrors', async () => {
    // Prepare: five copies of one user, one of another, and a mirror item of the first user.
    const me = String(uniqueId());
    const other = String(uniqueId());
    for (let n = 0; n < 5; n += 1) await store.claim(copy(me, n));
    await store.claim(copy(other, 9));
    await store.putMirror({
      userId: me,
      chatId: me,
      trader: TRADER,
      pairIndex: 0,
      tradeIndex: 4,
      wallet: '0x00000000000000000000000000000000000000aa',
      openIntentId: `sig-${me}-4:${me}`,
      simulated: false,
      buy: true,
    });
    const fill = {
      price: '30000000000000',
      collateralUsdc: '9940000',
      usdcSentToTrader: '0',
      leverage: '100000000000',
    };
    await store.apply(`sig-${me}-4:${me}`, { state: 'EXECUTED', reason: 'FILLED', fill }, new Date());
    await store.apply(
      `sig-${me}-3:${me}`,
      { state: 'FAILED', reason: 'SERVICE_ERROR', code: 'BelowMinPosition', message: 'too small' },
      new Date(),
    );

    const signed = {
      orderType: 0,
      userIntent: '0x01',
      signature: '0x02',
      digest: '0x03',
      nonce: '7',
      deadlineMs: '1',
      collateralUsdc: '10000000',
      leverage: '100000000000',
      buy: false,
      pairIndex: 0,
    };
    await store.saveSigned(`sig-${me}-2:${me}`, signed, new Date());

    // Act
    const recent = await store.recentOf(me, 3);
    const since = await store.allOf(me, new Date(Date.UTC(2026, 11, 1, 10, 2)));
    const none = await store.recentOf(String(uniqueId()), 10);

    // Assess: the index carries state, fill and failure, so one query answers the views.
    expect(recent.map((i) => i.intentId)).toEqual([
      `sig-${me}-4:${me}`,
      `sig-${me}-3:${me}`,
      `sig-${me}-2:${me}`,
    ]);
    expect(recent[0]).toMatchObject({
      state: 'EXECUTED',
      fill,
      trader: TRADER,
      slot: { pairIndex: 0, tradeIndex: 4 },
    });
    expect(recent[1]).toMatchObject({ state: 'FAILED', code: 'BelowMinPosition', reason: 'SERVICE_ERROR' });
    expect(recent[2]?.signed).toEqual(signed);
    expect(since.map((i) => i.slot.tradeIndex)).toEqual([2, 3, 4]);
    expect(none).toEqual([]);
  });
});
