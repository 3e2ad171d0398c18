// Retention of the batched-market service's replay log: a finished trackingId stays replayable for
// the retention after its terminal and is then forgotten (404, like an unknown id), the oldest
// finished ids go first past the cap, and an order still under way is never dropped.
import { describe, expect, it } from 'vitest';
import { TrackingLog } from '../../../../local/avantis/tracking.js';

function clockedLog(opts: { retainFinishedMs?: number; maxTracks?: number } = {}) {
  const clock = { t: 1_000_000 };
  const log = new TrackingLog({ now: () => clock.t, ...opts });
  const finish = (id: string) => {
    log.create(id);
    log.append(id, 'MarketOrderAccepted', { trackingId: id });
    log.append(id, 'MarketOrderExecuted', {});
  };
  return { clock, log, finish };
}

describe('the tracking log’s retention', () => {
  it('keeps a finished trackingId replayable for an hour after its terminal, then forgets it', () => {
    // Prepare
    const { clock, log, finish } = clockedLog();
    finish('a');
    // Act
    clock.t += 3_600_000 - 1;
    log.create('b');
    const within = log.after('a');
    clock.t += 1;
    log.create('c');
    // Assess
    expect(within?.map((e) => e.type)).toEqual(['MarketOrderAccepted', 'MarketOrderExecuted']);
    expect(log.after('a')).toBeUndefined();
    expect(log.has('b')).toBe(true);
  });

  it('never drops an order still under way, however old', () => {
    // Prepare
    const { clock, log } = clockedLog({ retainFinishedMs: 10, maxTracks: 2 });
    log.create('pending');
    log.append('pending', 'MarketOrderAccepted', {});
    // Act
    clock.t += 86_400_000;
    log.create('x');
    log.create('y');
    log.create('z');
    // Assess
    expect(log.has('pending')).toBe(true);
    expect(log.after('pending')).toHaveLength(1);
  });

  it('drops the oldest finished trackingIds first once over the cap', () => {
    // Prepare
    const { log, finish } = clockedLog({ maxTracks: 3 });
    log.create('open');
    finish('old');
    finish('newer');
    // Act
    finish('newest');
    // Assess
    expect(log.has('old')).toBe(false);
    expect([log.has('open'), log.has('newer'), log.has('newest')]).toEqual([true, true, true]);
    expect(log.size).toBe(3);
  });

  it('counts the retention from the terminal, not from the creation', () => {
    // Prepare
    const { clock, log } = clockedLog({ retainFinishedMs: 1_000 });
    log.create('slow');
    log.append('slow', 'MarketOrderAccepted', {});
    clock.t += 5_000;
    log.append('slow', 'Error', { code: 'ATTEMPTS_EXHAUSTED' });
    // Act
    clock.t += 999;
    log.create('next');
    // Assess
    expect(log.has('slow')).toBe(true);
  });

  it('ignores an append to a trackingId it already forgot', () => {
    // Prepare
    const { clock, log, finish } = clockedLog({ retainFinishedMs: 1 });
    finish('gone');
    clock.t += 2;
    log.create('next');
    // Act
    const appended = log.append('gone', 'MarketOrderExecuted', {});
    // Assess
    expect(appended).toBeUndefined();
    expect(log.has('gone')).toBe(false);
  });
});
