// A copy's mirror settled by its open's outcome on DynamoDB Local, with one conditional write and no
// read: a fill keeps it with the position's index, a cancel removes it, and an outcome of an older
// open never touches the mirror a newer open of the same slot owns.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { Mirror } from '#core/ports/copy.js';
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
});
