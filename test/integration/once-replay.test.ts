// Keyed work run once against DynamoDB Local's dedupe table (Powertools Idempotency): the first run
// does the work and says so; a redelivery, even of an equal payload parsed anew, is answered from
// the stored result and says it is a replay (the alerter counts AlertsSent only for the first); a
// failed run leaves no record, so the retry does the work and is not a replay. Work that finished
// while DynamoDB refused to store its result is not done again: the record is stored late, or the
// run answers as done and logs the lost record.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceOrReplay } from '#core/adapters/dynamo/once-replay.js';
import { dynamoOutageProxy, type OutageProxy } from '../support/dynamo-outage-proxy.js';
import { uniqueId, useStackEnv } from '../support/stack-clients.js';

describe('Function: onceOrReplay', () => {
  let table: string;
  beforeAll(() => {
    table = useStackEnv().tables.dedupe;
  });

  /** Work that counts its runs and fails while `failing` is set. */
  function counted(extra: { client?: DynamoDBClient; recordForMs?: number } = {}) {
    const state = { runs: 0, failing: false, logged: [] as { level: string; reason: unknown }[] };
    const sender = onceOrReplay(
      async (_job: { id: string; html: string }) => {
        state.runs += 1;
        if (state.failing) throw new Error('Telegram 502');
        return { sentAt: 1_000 + state.runs };
      },
      {
        tableName: table,
        keyPrefix: `test-once-${uniqueId()}`,
        keyPath: 'id',
        expiresAfterSeconds: 60,
        ...extra,
        log: {
          warn: (_m, a) => state.logged.push({ level: 'warn', reason: a?.['reason'] }),
          error: (_m, a) => state.logged.push({ level: 'error', reason: a?.['reason'] }),
        },
      },
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

  describe('DynamoDB refusing to store the result after the work ran', () => {
    let proxy: OutageProxy;
    let client: DynamoDBClient;
    beforeAll(async () => {
      const info = useStackEnv();
      proxy = await dynamoOutageProxy(info.endpoints.dynamodb);
      client = new DynamoDBClient({
        region: info.region,
        endpoint: proxy.endpoint,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
    });
    afterAll(async () => {
      client.destroy();
      await proxy.close();
    });

    it('stores the record late and does not run the work again', async () => {
      // Prepare: the in-progress record goes through (PutItem); the completion (UpdateItem) is refused.
      const { state, sender } = counted({ client, recordForMs: 10_000 });
      const id = `e-${uniqueId()}`;
      proxy.down = new Set(['UpdateItem']);
      const healed = setTimeout(() => (proxy.down = new Set()), 1_200);

      // Act
      const first = await sender.run({ id, html: 'hi' });
      clearTimeout(healed);
      const again = await sender.run({ id, html: 'hi' });

      // Assess
      expect(first).toEqual({ value: { sentAt: 1_001 }, replayed: false });
      expect(again).toEqual({ value: { sentAt: 1_001 }, replayed: true });
      expect(state.runs).toBe(1);
      expect(proxy.refused()).toBeGreaterThan(1);
      expect(state.logged).toEqual([{ level: 'warn', reason: 'IDEMPOTENCY_RECORD_LATE' }]);
    });

    it('answers as done, logging the lost record, when it cannot be stored in time', async () => {
      // Prepare
      const { state, sender } = counted({ client, recordForMs: 600 });
      const id = `f-${uniqueId()}`;
      proxy.down = new Set(['UpdateItem']);

      // Act
      const ran = await sender.run({ id, html: 'hi' }).finally(() => (proxy.down = new Set()));

      // Assess: the work ran once and the caller hears it is done, so nothing redelivers it.
      expect(ran).toEqual({ value: { sentAt: 1_001 }, replayed: false });
      expect(state.runs).toBe(1);
      expect(state.logged).toEqual([{ level: 'error', reason: 'IDEMPOTENCY_RECORD_LOST' }]);
    });

    it('a refused in-progress record is a failed run: the work did not run and the error stands', async () => {
      // Prepare
      const { state, sender } = counted({ client });
      proxy.down = new Set(['PutItem']);

      // Act
      const run = sender.run({ id: `g-${uniqueId()}`, html: 'hi' }).finally(() => (proxy.down = new Set()));

      // Assess
      await expect(run).rejects.toThrow('Failed to save in progress record');
      expect(state.runs).toBe(0);
      expect(state.logged).toEqual([]);
    });
  });
});
