// The daily run (digest/run.ts) on seeded data: what a trader's UTC day was, each user who wants it
// gets their digest and each admin the report queued as alert jobs (ids that repeat on a second run
// the same day, so the alerter sends them once), published in chunks, and the operator's off switch.
import { describe, expect, it } from 'vitest';
import type { AlertJob } from '#core/ports/copy.js';
import { isFill, type Fill } from '#core/domain/fills.js';
import { yesterdayUtc, type CopyRecord } from '#core/digest/report.js';
import { QUEUE_CHUNK, runDigest, traderDay, type DigestDeps, type DigestUser } from '#core/digest/run.js';
import { DAY, FillTape, T0, address, slot, usdc } from '../../support/analytics-fills.js';

const day = yesterdayUtc(new Date((T0 + DAY + 8 * 3600) * 1000)); // 08:00 the day after T0
const trader = address('ada');

/** A trader's day at T0: two opens, one close at +$25 and one at -$10. */
function seededFills(): Fill[] {
  const tape = new FillTape(T0 - 3600);
  const a = slot(trader, { pairIndex: 0, index: 0 });
  const b = slot(trader, { pairIndex: 1, index: 0 });
  tape.openPosition(a, usdc(100)); // the day before: not counted
  tape.at(T0 + 600).openPosition(b, usdc(200));
  tape.after(600).close(a, usdc(125));
  tape.after(600).openPosition(a, usdc(50));
  tape.after(600).close(b, usdc(190));
  return tape.fills.filter(isFill).reverse();
}
const copies: CopyRecord[] = [
  { userId: '1', trader, outcome: 'EXECUTED', notionalUsdc: usdc(1000), pnlUsdc: usdc(12.5) },
  { userId: '1', trader, outcome: 'CANCELED' },
  { userId: '2', trader, outcome: 'EXECUTED', notionalUsdc: usdc(500), pnlUsdc: usdc(-2.5) },
  { userId: '2', trader, outcome: 'FAILED' },
];

describe('what a day of a trader was', () => {
  it('counts the opens and closes inside the UTC day and their realized PnL', () => {
    expect(day.from.toISOString()).toBe('2025-10-10T00:00:00.000Z');
    expect(traderDay(trader, seededFills(), day)).toEqual({
      trader,
      opens: 2,
      closes: 2,
      realizedPnlUsdc: usdc(15),
    });
  });
});

describe('the daily run', () => {
  /** A recording alerts queue: each publish as one batch; `failOn` makes that publish (1-based) throw. */
  function recordingQueue(failOn?: number) {
    const batches: AlertJob[][] = [];
    return {
      batches,
      jobs: () => batches.flat(),
      publish: async (jobs: readonly AlertJob[]) => {
        if (batches.length + 1 === failOn) throw new Error('SQS unavailable');
        batches.push([...jobs]);
      },
    };
  }
  function world(users: DigestUser[], options: { enabled?: boolean; failOn?: number } = {}) {
    const queue = recordingQueue(options.failOn);
    const deps: DigestDeps = {
      stage: 'test',
      enabled: options.enabled ?? true,
      admins: new Set(['900']),
      now: () => new Date((T0 + DAY + 8 * 3600) * 1000),
      users: async function* () {
        yield* users;
      },
      tradersFollowedBy: async () => [trader],
      fillsOf: async (t) => (t === trader ? seededFills() : []),
      copies: async () => copies,
      errors: async () => [],
      incidents: async () => [],
      queue,
      log: () => undefined,
    };
    return { deps, queue };
  }
  const user = (userId: string, over: Partial<DigestUser> = {}): DigestUser => ({
    userId,
    chatId: `c${userId}`,
    firstName: `U${userId}`,
    active: true,
    digest: true,
    ...over,
  });

  it('queues each user who wants it their digest and each admin the report, skipping the rest with a reason', async () => {
    const { deps, queue } = world([user('1'), user('2', { digest: false }), user('3', { active: false })]);
    const summary = await runDigest(deps);
    expect(summary).toEqual({
      day: '2025-10-10',
      users: 3,
      queued: 1,
      skipped: { DIGEST_OFF: 1, INACTIVE: 1 },
      reports: 1,
    });
    const jobs = queue.jobs();
    expect(jobs.map(({ id, userId, chatId }) => ({ id, userId, chatId }))).toEqual([
      { id: 'digest:2025-10-10:1', userId: '1', chatId: 'c1' },
      { id: 'report:2025-10-10:900', userId: '900', chatId: '900' },
    ]);
    // The alerter's jobs: no signalTs (no chain-to-alert latency for a daily message).
    for (const job of jobs) expect(job).not.toHaveProperty('signalTs');
    // A digest waits for trade alerts; the operator's report does not.
    expect(jobs.map((j) => j.lane)).toEqual(['notice', undefined]);
    // The user id is the id's last `:`-separated part.
    for (const job of jobs) expect(job.id.split(':').at(-1)).toBe(job.userId);
    expect(jobs[0]?.html).toContain('Realized PnL: <b>+$12.50</b>');
    expect(jobs[1]?.html).toContain('operator report');
    expect(jobs[1]?.html).toContain('digests queued: 1');
  });

  it('a user with nothing to tell gets nothing', async () => {
    const { deps, queue } = world([user('5')]);
    const quiet: DigestDeps = { ...deps, copies: async () => [], fillsOf: async () => [] };
    expect(await runDigest(quiet)).toMatchObject({ queued: 0, skipped: { NOTHING_TO_TELL: 1 }, reports: 1 });
    expect(queue.jobs().map((j) => j.id)).toEqual(['report:2025-10-10:900']);
  });

  it('a second run the same day queues the same ids again, which the alerter sends once', async () => {
    const { deps, queue } = world([user('1')]);
    await runDigest(deps);
    const first = queue.jobs().map((j) => j.id);
    await runDigest(deps);
    const all = queue.jobs().map((j) => j.id);
    expect(all).toEqual([...first, ...first]);
  });

  it('publishes in chunks as users are scanned, digests before reports', async () => {
    const n = 2 * QUEUE_CHUNK + 5;
    const { deps, queue } = world(Array.from({ length: n }, (_v, i) => user(String(i + 1))));
    expect(await runDigest(deps)).toMatchObject({ users: n, queued: n, reports: 1 });
    expect(queue.batches.map((b) => b.length)).toEqual([QUEUE_CHUNK, QUEUE_CHUNK, 5, 1]);
    expect(queue.batches.at(-1)?.[0]?.id).toBe('report:2025-10-10:900');
    expect(new Set(queue.jobs().map((j) => j.id)).size).toBe(n + 1);
  });

  it('a queue failure throws and keeps what was queued before it; the rerun repeats the same ids', async () => {
    const users = Array.from({ length: 2 * QUEUE_CHUNK }, (_v, i) => user(String(i + 1)));
    const failing = world(users, { failOn: 2 });
    await expect(runDigest(failing.deps)).rejects.toThrow('SQS unavailable');
    const kept = failing.queue.jobs().map((j) => j.id);
    expect(kept).toHaveLength(QUEUE_CHUNK);
    const rerun = world(users);
    await runDigest(rerun.deps);
    expect(
      rerun.queue
        .jobs()
        .map((j) => j.id)
        .slice(0, QUEUE_CHUNK),
    ).toEqual(kept);
  });

  it('the operator can turn every digest off; the report still goes out', async () => {
    const { deps, queue } = world([user('1')], { enabled: false });
    expect(await runDigest(deps)).toMatchObject({ queued: 0, skipped: { DIGEST_DISABLED: 1 }, reports: 1 });
    expect(queue.jobs().map((j) => j.chatId)).toEqual(['900']);
  });
});
