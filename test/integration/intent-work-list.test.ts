// The reconciler's work list (the intents table's sparse `unsettled` index) on DynamoDB Local: a
// LIVE copy stays on it after it ends until its outcome notice is marked queued, so an SQS outage
// right at the fill cannot lose the notice (the sqs drill lost one that way); a DRY copy never is
// on it, and the user's copies in flight are the unfinished ones only.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { liveCopy } from '../support/copy-intents.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const TRADER = '0x00000000000000000000000000000000000000f2';

const copy = (userId: string, n: number, over: Partial<CopyIntent> = {}): CopyIntent =>
  liveCopy('wl', TRADER, userId, n, over);

describe('Class: DynamoIntentStore (work list)', () => {
  let store: DynamoIntentStore;
  beforeAll(() => {
    store = new DynamoIntentStore(clients().doc, stackInfo().tables.intents);
  });
  const listedOf = async (userId: string) =>
    (await store.unsettled())
      .filter((i) => i.userId === userId)
      .map((i) => `${i.intentId.split('-')[2]} ${i.state}`)
      .sort();

  it('keeps an ended LIVE copy listed until its notice is marked, and no DRY copy', async () => {
    // Prepare: a copy that fills, one refused at its claim, one in flight, one DRY.
    const me = String(uniqueId());
    await store.claim(copy(me, 1));
    await store.claim(copy(me, 2, { state: 'FAILED', reason: 'NOT_DELEGATED' }));
    // The stack's own reconciler runs beside this test: an in-flight copy created days ago would
    // be taken for one whose submission crashed, and failed. This one is fresh for a while.
    await store.claim(copy(me, 3, { createdAt: new Date(Date.now() + 3_600_000).toISOString() }));
    await store.claim(copy(me, 4, { state: 'SIMULATED', reason: 'MODE_DRY', mode: 'DRY' }));
    const fill = {
      price: '30000000000000',
      collateralUsdc: '9940000',
      usdcSentToTrader: '0',
      leverage: '100000000000',
    };

    // Act
    await store.apply(`wl-${me}-1:${me}`, { state: 'EXECUTED', reason: 'FILLED', fill }, new Date());
    const beforeNotice = await listedOf(me);
    const inFlight = (await store.inFlightOf(me)).map((i) => i.intentId);
    const marked = await store.markNotified(`wl-${me}-1:${me}`, new Date());
    const again = await store.markNotified(`wl-${me}-1:${me}`, new Date());
    await store.markNotified(`wl-${me}-2:${me}`, new Date());
    const afterNotice = await listedOf(me);

    // Assess
    expect(beforeNotice).toEqual([`1:${me} EXECUTED`, `2:${me} FAILED`, `3:${me} CREATED`]);
    expect(inFlight).toEqual([`wl-${me}-3:${me}`]);
    expect([marked, again]).toEqual([true, false]);
    expect(afterNotice).toEqual([`3:${me} CREATED`]);
    expect((await store.get(`wl-${me}-1:${me}`))?.notifiedAt).toBeDefined();
  });
});
