// Running one copies.fifo message: a copy done is done; a close waiting for its open goes back for
// the time copy.ts asks, rounded up to whole seconds (a WaitError, which leaves nothing in the
// log); a failure comes back in 1, 2, 4 … 60 s by its receive count and is logged with its record
// and group. The job comes parsed (a refused body never reaches it: fifo-groups.test.ts).
import { describe, expect, it } from 'vitest';
import type { CopyOutcome } from '#core/copy/copy.js';
import { logCopyFailure, runCopyJob, WaitError } from '#core/copy/copy-job.js';
import type { QueuedMessage } from '#core/copy/queued-message.js';
import type { Signal } from '#core/domain/signals.js';
import type { CopyJob } from '#core/ports/copy.js';

// The copy is scripted here (copy.test.ts covers copySignal itself), so any valid signal will do.
const SIGNAL = JSON.parse(
  '{"id":"0xc:1","kind":"CLOSE","trader":"0x00000000000000000000000000000000000000bb","pairIndex":1,' +
    '"pair":"BTC/USD","tradeIndex":3,"side":"LONG","leverage":"100000000000","collateralUsdc":"1000000000",' +
    '"notionalUsdc":"10000000000","price":"300000000000000","closeFraction":{"closed":"1","of":"1"},' +
    '"block":10,"blockHash":"0xb","txHash":"0xc","ts":1764590000}',
) as Signal;
const JOB: CopyJob = {
  signal: SIGNAL,
  userId: '42',
  chatId: '42',
  decision: { action: 'COPY', reason: 'COPY_OK', adjustments: [], notify: true },
  routedAt: 0,
};

/** The job as the queue delivers it, its put-backs recorded, and the copies the run asked for. */
function setup(outcome: () => Promise<CopyOutcome>, receiveCount = 1) {
  const putBacks: number[] = [];
  const copied: CopyJob[] = [];
  const message: QueuedMessage<CopyJob> = {
    messageId: 'm-1',
    groupId: '42',
    job: JOB,
    receiveCount,
    putBack: async (seconds) => void putBacks.push(seconds),
  };
  const copy = (job: CopyJob) => {
    copied.push(job);
    return outcome();
  };
  return { run: () => runCopyJob(message, copy), putBacks, copied };
}

describe('Function: runCopyJob', () => {
  it('copies the job as it came off the queue and puts nothing back when it is done', async () => {
    // Prepare
    const w = setup(async () => ({ status: 'DONE', intent: 'EXECUTED' }));

    // Act
    await w.run();

    // Assess
    expect(w.copied).toEqual([JOB]);
    expect(w.putBacks).toEqual([]);
  });

  it('puts a close waiting for its open back for the wait, in whole seconds, as a WaitError', async () => {
    // Prepare
    const waits = [400, 1_000, 2_500].map((ms) => setup(async () => ({ status: 'WAIT', retryAfterMs: ms })));

    // Act
    const results = await Promise.allSettled(waits.map((w) => w.run()));

    // Assess
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof WaitError)).toBe(true);
    expect(waits.map((w) => w.putBacks)).toEqual([[1], [1], [3]]);
  });

  it('brings a failed copy back by its receive count and fails it with its cause', async () => {
    // Prepare
    const tries = [1, 3, 9].map((receives) =>
      setup(() => Promise.reject(new Error('SSM throttled')), receives),
    );

    // Act
    const results = await Promise.allSettled(tries.map((t) => t.run()));

    // Assess
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'SSM throttled',
      'SSM throttled',
      'SSM throttled',
    ]);
    expect(tries.map((t) => t.putBacks)).toEqual([[1], [4], [60]]);
  });
});

describe('Function: logCopyFailure', () => {
  it('logs a failure with its record and group, and nothing for a wait', () => {
    // Prepare
    const lines: [string, Record<string, unknown>][] = [];
    const log = logCopyFailure({
      info: () => undefined,
      warn: () => undefined,
      error: (m, a = {}) => void lines.push([m, a]),
    });
    const cause = new Error('boom');

    // Act
    log({ messageId: 'm-1', groupId: '42' }, new WaitError('waiting'));
    log({ messageId: 'm-2', groupId: '42' }, cause);

    // Assess
    expect(lines).toEqual([
      [
        'copy failed; its group is retried',
        { reason: 'COPY_JOB_FAILED', messageId: 'm-2', groupId: '42', error: cause },
      ],
    ]);
  });
});
