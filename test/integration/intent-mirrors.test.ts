// A copy's mirror settled by its open's outcome on DynamoDB Local, with one conditional write and no
// read: a fill keeps it with the position's index, a cancel removes it, and an outcome of an older
// open never touches the mirror a newer open of the same slot owns. An open's claim writes its
// mirror with it, in one transaction: both or, for an intent that exists, neither.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { CopyIntent, Mirror } from '#core/ports/copy.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const TRADER = '0x00000000000000000000000000000000000000f2';

function mirror(userId: string, openIntentId: string): Mirror {
  return {
    userId,
    chatId: userId,
    trader: TRADER,
    pairIndex: 1,
    tradeIndex: 0,
    wallet: '0x00000000000000000000000000000000000000ab',
    openIntentId,
    simulated: false,
    buy: false,
  };
}

describe('Class: DynamoIntentStore (mirrors)', () => {
  let store: DynamoIntentStore;
  beforeAll(() => {
    store = new DynamoIntentStore(clients().doc, stackInfo().tables.intents);
  });

  it('keeps a filled open’s mirror with the position index', async () => {
    // Prepare
    const me = String(uniqueId());
    await store.putMirror(mirror(me, `open-a:${me}`));
    // Act
    await store.settleMirror(mirror(me, ''), `open-a:${me}`, 3);
    // Assess
    expect(await store.mirrorOf(me, TRADER, 1, 0)).toEqual({ ...mirror(me, `open-a:${me}`), index: 3 });
  });

  it('removes the mirror of an open that did not fill', async () => {
    // Prepare
    const me = String(uniqueId());
    await store.putMirror(mirror(me, `open-b:${me}`));
    // Act
    await store.settleMirror(mirror(me, ''), `open-b:${me}`, undefined);
    // Assess
    expect(await store.mirrorOf(me, TRADER, 1, 0)).toBeUndefined();
  });

  it('leaves a mirror owned by another open, and a missing mirror missing', async () => {
    // Prepare
    const me = String(uniqueId());
    const nobody = String(uniqueId());
    await store.putMirror(mirror(me, `open-new:${me}`));
    // Act
    await store.settleMirror(mirror(me, ''), `open-old:${me}`, undefined);
    await store.settleMirror(mirror(me, ''), `open-old:${me}`, 7);
    await store.settleMirror(mirror(nobody, ''), `open-x:${nobody}`, 1);
    // Assess
    expect(await store.mirrorOf(me, TRADER, 1, 0)).toEqual(mirror(me, `open-new:${me}`));
    expect(await store.mirrorOf(nobody, TRADER, 1, 0)).toBeUndefined();
  });

  it('claims an open and its mirror together, and for an intent that exists writes neither', async () => {
    // Prepare
    const me = String(uniqueId());
    const intent: CopyIntent = {
      intentId: `sig-m:${me}`,
      signalId: 'sig-m',
      userId: me,
      chatId: me,
      trader: TRADER,
      slot: { pairIndex: 1, tradeIndex: 0 },
      kind: 'OPEN',
      wallet: '0x00000000000000000000000000000000000000ab',
      state: 'CREATED',
      reason: 'COPY_OK',
      mode: 'LIVE',
      order: { kind: 'OPEN', pairIndex: 1, buy: false, leverage: '50000000000', collateralUsdc: '5000000' },
      createdAt: '2026-12-04T21:00:00.000Z',
    };
    // Act
    const first = await store.claim(intent, mirror(me, intent.intentId));
    await store.settleMirror(mirror(me, ''), intent.intentId, 4);
    const again = await store.claim({ ...intent, reason: 'SECOND' }, mirror(me, `other:${me}`));
    // Assess
    expect([first, again]).toEqual([true, false]);
    expect(await store.get(intent.intentId)).toMatchObject({ reason: 'COPY_OK', state: 'CREATED' });
    // The duplicate's mirror did not overwrite the one the first claim wrote and its fill settled.
    expect(await store.mirrorOf(me, TRADER, 1, 0)).toEqual({ ...mirror(me, intent.intentId), index: 4 });
  });
});
