// Keyed work run once against DynamoDB Local's dedupe table (Powertools Idempotency): the first run
// does the work and says so; a redelivery, even of an equal payload parsed anew, is answered from
// the stored result and says it is a replay (the alerter counts AlertsSent only for the first); a
// failed run leaves no record, so the retry does the work and is not a replay.
import { beforeAll, describe, expect, it } from 'vitest';
import { onceOrReplay } from '#core/adapters/dynamo/once-replay.js';
import { uniqueId, useStackEnv } from '../support/stack-clients.js';

describe('Function: onceOrReplay', () => {
  let table: string;
  beforeAll(() => {
    table = useStackEnv().tables.dedupe;
  });

  /** Work that counts its runs and fails while `failing` is set. */
  function counted() {
    const state = { runs: 0, failing: false };
    const sender = onceOrReplay(
      async (_job: { id: string; html: string }) => {
        state.runs += 1;
        if (state.failing) throw new Error('Telegram 502');
        return { sentAt: 1_000 + state.runs };
      },
      { tableName: table, keyPrefix: `test-once-${uniqueId()}`, keyPath: 'id', expiresAfterSeconds: 60 },
    );
    return { state, sender };
  }

  it('does the work once; a redelivery is a replay with the first run’s result', async () => {
    // Prepare
    const { state, sender } = counted();
    const id = `a-${uniqueId()}`;

    // Act: each delivery parses its own object from the same body.
    const first = await sender.run({ id, html: 'hi' });
    const again = await sender.run(
      JSON.parse(JSON.stringify({ id, html: 'hi' })) as { id: string; html: string },
    );

    // Assess
    expect(first).toEqual({ value: { sentAt: 1_001 }, replayed: false });
    expect(again).toEqual({ value: { sentAt: 1_001 }, replayed: true });
    expect(state.runs).toBe(1);
  });

  it('a failed run is no replay for its retry: the work runs again', async () => {
    // Prepare
    const { state, sender } = counted();
    const id = `b-${uniqueId()}`;
    state.failing = true;

    // Act
    const failed = sender.run({ id, html: 'hi' });
    await expect(failed).rejects.toThrow('Telegram 502');
    state.failing = false;
    const retry = await sender.run({ id, html: 'hi' });

    // Assess
    expect(retry).toEqual({ value: { sentAt: 1_002 }, replayed: false });
    expect(state.runs).toBe(2);
  });

  it('two keys are two sends, neither a replay', async () => {
    // Prepare
    const { state, sender } = counted();

    // Act
    const both = await Promise.all([
      sender.run({ id: `c-${uniqueId()}`, html: 'one' }),
      sender.run({ id: `d-${uniqueId()}`, html: 'two' }),
    ]);

    // Assess
    expect(both.map((r) => r.replayed)).toEqual([false, false]);
    expect(state.runs).toBe(2);
  });
});
