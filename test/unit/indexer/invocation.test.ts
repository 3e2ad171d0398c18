// The indexer's settings for one scheduled invocation: it tails for 57 s when the Lambda has time,
// less when the timeout is nearer (10 s kept back to release the lease and flush metrics), and is
// told to stop once less than that is left.
import { describe, expect, it } from 'vitest';
import { invocationSettings, MARGIN_MS, TAIL_MS } from '#core/indexer/invocation.js';
import { DEFAULT_SETTINGS } from '#core/indexer/run.js';

const indexer = { backfillRange: 5_000, page: 2_000 };
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('Function: invocationSettings', () => {
  it('tails for 57 s of a 5-minute invocation, as its lease owner, with the configured pages', () => {
    // Prepare
    const invocation = { owner: 'req-1', remainingMs: () => 300_000 };

    // Act
    const s = invocationSettings(indexer, invocation, NOW);

    // Assess
    expect(s).toMatchObject({
      ...DEFAULT_SETTINGS,
      owner: 'req-1',
      backfillRange: 5_000,
      initialPageSize: 2_000,
    });
    expect(s.deadline).toBe(NOW + TAIL_MS);
    expect(s.stopRequested?.()).toBe(false);
  });

  it('ends early enough to keep the margin when the timeout is nearer than the tail', () => {
    // Prepare
    const invocation = { owner: 'req-2', remainingMs: () => 40_000 };

    // Act
    const s = invocationSettings(indexer, invocation, NOW);

    // Assess
    expect(s.deadline).toBe(NOW + 40_000 - MARGIN_MS);
  });

  it('asks the run to stop once less than the margin is left, read live', () => {
    // Prepare
    let left = 60_000;
    const s = invocationSettings(indexer, { owner: 'req-3', remainingMs: () => left }, NOW);

    // Act
    const before = s.stopRequested?.();
    left = MARGIN_MS - 1;
    const after = s.stopRequested?.();

    // Assess
    expect([before, after]).toEqual([false, true]);
  });
});
