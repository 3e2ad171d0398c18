// Delivering one alerts.fifo message: a send made now is counted (AlertsSent, ChainToAlertMs) and a
// replay of an earlier send is not, whatever the clocks say; a 429 goes back for Telegram's
// retry_after, a blocked chat marks the user inactive and is done, any other failure comes back in
// 1, 2, 4 … 60 s by its receive count. The job comes parsed (a refused body never reaches it:
// fifo-groups.test.ts).
import { describe, expect, it } from 'vitest';
import { deliverAlert, type AlertDeliveryDeps, type AlertSent } from '#core/copy/alert-delivery.js';
import type { QueuedMessage } from '#core/copy/queued-message.js';
import type { AlertJob } from '#core/ports/copy.js';

const SIGNAL_TS = 1_764_590_000;
const job: AlertJob = {
  id: 'sig-1:42',
  userId: '42',
  chatId: '42',
  html: '<b>BTC</b> long',
  signalTs: SIGNAL_TS,
};

class RetryAfter extends Error {
  constructor(readonly seconds: number) {
    super('429');
  }
}
class Blocked extends Error {}

/** A delivery world: the send answers what the test scripts, everything else is recorded. */
function setup(send: (job: AlertJob) => Promise<AlertSent>, receiveCount = 1, putBackFails = false) {
  const putBacks: number[] = [];
  const metrics: [string, number][] = [];
  const inactive: [string, string][] = [];
  const logs: [string, string, Record<string, unknown>][] = [];
  const sent: AlertJob[] = [];
  const deps: AlertDeliveryDeps = {
    send: (j) => {
      sent.push(j);
      return send(j);
    },
    retryAfterOf: (e) => (e instanceof RetryAfter ? e.seconds : undefined),
    isBlocked: (e) => e instanceof Blocked,
    users: { markInactive: async (userId, at) => void inactive.push([userId, at.toISOString()]) },
    clock: { now: () => new Date('2026-12-01T12:00:00Z') },
    metric: (name, value) => void metrics.push([name, value]),
    log: {
      info: (m, a = {}) => void logs.push(['info', m, a]),
      warn: (m, a = {}) => void logs.push(['warn', m, a]),
      error: (m, a = {}) => void logs.push(['error', m, a]),
    },
  };
  const message = (j: AlertJob = job): QueuedMessage<AlertJob> => ({
    messageId: 'm-1',
    groupId: '42',
    job: j,
    receiveCount,
    putBack: async (seconds) => {
      putBacks.push(seconds);
      if (putBackFails) throw new Error('SQS down');
    },
  });
  return { deps, message, putBacks, metrics, inactive, logs, sent };
}

describe('Function: deliverAlert', () => {
  it('counts a send made now, with the time from the trader’s fill to the send', async () => {
    // Prepare
    const sentAt = SIGNAL_TS * 1000 + 1_850;
    const w = setup(async () => ({ replayed: false, sentAt }));

    // Act
    await deliverAlert(w.message(), w.deps);

    // Assess
    expect(w.sent).toEqual([job]);
    expect(w.metrics).toEqual([
      ['AlertsSent', 1],
      ['ChainToAlertMs', 1_850],
    ]);
    expect(w.putBacks).toEqual([]);
  });

  it('counts nothing for a replay of an earlier delivery’s send', async () => {
    // Prepare
    const w = setup(async () => ({ replayed: true }));

    // Act
    await deliverAlert(w.message(), w.deps);

    // Assess
    expect(w.sent).toHaveLength(1);
    expect(w.metrics).toEqual([]);
    expect(w.putBacks).toEqual([]);
  });

  it('leaves ChainToAlertMs out for a message without a fill time (a copy outcome)', async () => {
    // Prepare
    const { signalTs: _, ...outcome } = job;
    const w = setup(async () => ({ replayed: false, sentAt: 5 }));

    // Act
    await deliverAlert(w.message(outcome), w.deps);

    // Assess
    expect(w.metrics).toEqual([['AlertsSent', 1]]);
  });

  it('puts a 429 back for Telegram’s retry_after and fails it, counted', async () => {
    // Prepare
    const w = setup(() => Promise.reject(new RetryAfter(7)), 3);

    // Act
    const result = deliverAlert(w.message(), w.deps);

    // Assess
    await expect(result).rejects.toBeInstanceOf(RetryAfter);
    expect(w.putBacks).toEqual([7]);
    expect(w.metrics).toEqual([['TelegramRetryAfter', 1]]);
  });

  it('marks a user who blocked the bot inactive and is done with the message', async () => {
    // Prepare
    const w = setup(() => Promise.reject(new Blocked('403')));

    // Act
    await deliverAlert(w.message(), w.deps);

    // Assess
    expect(w.inactive).toEqual([['42', '2026-12-01T12:00:00.000Z']]);
    expect(w.metrics).toEqual([['TelegramForbidden', 1]]);
    expect(w.logs).toEqual([['info', 'user blocked the bot', { reason: 'USER_BLOCKED_BOT', userId: '42' }]]);
    expect(w.putBacks).toEqual([]);
  });

  it('brings any other failure back by its receive count (1, 2, 4 … 60 s), logged', async () => {
    // Prepare
    const cases = [1, 2, 4, 8].map((receives) => setup(() => Promise.reject(new Error('502')), receives));

    // Act
    const results = await Promise.allSettled(cases.map((w) => deliverAlert(w.message(), w.deps)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(cases.map((w) => w.putBacks)).toEqual([[1], [2], [8], [60]]);
    expect(cases[0]?.logs[0]).toMatchObject([
      'error',
      'alert not sent; it will be retried',
      { reason: 'ALERT_FAILED', messageId: 'm-1' },
    ]);
    expect(cases[0]?.metrics).toEqual([]);
  });

  it('fails with the send’s own error when even the put-back fails', async () => {
    // Prepare
    const w = setup(() => Promise.reject(new Error('502 Bad Gateway')), 1, true);

    // Act
    const result = deliverAlert(w.message(), w.deps);

    // Assess
    await expect(result).rejects.toThrow('502 Bad Gateway');
    expect(w.putBacks).toEqual([1]);
  });
});
