// The copy path's queue bodies and the copier's retry spacing: each body schema reads its text with
// the one codec, so what a CopyJob carries survives the queue (bigints included) and a signal's
// decimal strings stay strings; a body of the wrong shape is refused with its cause; the parse
// functions (the fuzz drill's) refuse what the schemas refuse. A failed attempt comes back in
// seconds, doubling, never after the queue's 9-minute visibility timeout.
import { describe, expect, it } from 'vitest';
import { toJson } from '#core/codec.js';
import {
  alertJobBody,
  copyJobBody,
  parseAlertJob,
  parseCopyJob,
  parseSignal,
  retrySeconds,
  signalBody,
} from '#core/copy/jobs.js';
import type { Signal } from '#core/domain/signals.js';
import { autoCopyJob, openSignal } from '../../support/open-signal.js';

const signal: Signal = openSignal();

describe('copy queue bodies', () => {
  it('a CopyJob with a follower round-trips, its bigints intact', () => {
    // Prepare
    const job = autoCopyJob(signal, 1_000_000_000n);

    // Act
    const parsed = copyJobBody.parse(toJson(job));
    const unsuffixed = copyJobBody.safeParse(toJson(job).replace('"1000000000n"', '"1000000000"'));

    // Assess
    expect(parsed.follower?.sizing).toEqual({ kind: 'FIXED_USD', usdc: 25_000_000n });
    expect(parsed.follower?.maxPositionUsdc).toBe(1_000_000_000n);
    expect(parsed.signal).toEqual(signal);
    expect(unsuffixed.error?.issues[0]?.path).toEqual(['follower', 'maxPositionUsdc']);
    expect(parseCopyJob(toJson(job))).toEqual(parsed);
  });

  it('reads a signal with the codec: its decimal strings stay strings, a "<digits>n" is refused', () => {
    // Act
    const parsed = signalBody.parse(toJson(signal));
    const suffixed = signalBody.safeParse(JSON.stringify({ ...signal, price: '3n' }));

    // Assess
    expect(parsed).toEqual(signal);
    expect(suffixed.error?.issues[0]?.path).toEqual(['price']);
  });

  it('refuses a signal whose amounts are not decimal strings, naming the field, and text not JSON', () => {
    expect(() => parseSignal(JSON.stringify({ ...signal, collateralUsdc: 1.5 }))).toThrow(/collateralUsdc/);
    expect(signalBody.safeParse('{').error?.issues[0]?.message).toMatch(/^not JSON/);
    expect(() => parseSignal('{')).toThrow(/not JSON/);
  });

  it('refuses an alert longer than Telegram takes', () => {
    expect(() =>
      parseAlertJob(JSON.stringify({ id: 'a', userId: '1', chatId: '1', html: 'x'.repeat(4097) })),
    ).toThrow();
    expect(alertJobBody.parse(JSON.stringify({ id: 'a', userId: '1', chatId: '1', html: 'hi' })).html).toBe(
      'hi',
    );
  });

  it('an AlertJob names its lane (notice) or none (a trade alert); another lane is refused', () => {
    const job = { id: 'a', userId: '1', chatId: '1', html: 'hi' };
    expect(parseAlertJob(JSON.stringify({ ...job, lane: 'notice' })).lane).toBe('notice');
    expect(parseAlertJob(JSON.stringify(job)).lane).toBeUndefined();
    expect(() => parseAlertJob(JSON.stringify({ ...job, lane: 'urgent' }))).toThrow();
  });
});

describe('retrySeconds', () => {
  it('doubles from 1 s per receive and stops at a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(retrySeconds)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('takes a missing or odd receive count as the first', () => {
    expect(retrySeconds(Number.NaN)).toBe(1);
    expect(retrySeconds(0)).toBe(1);
  });
});
