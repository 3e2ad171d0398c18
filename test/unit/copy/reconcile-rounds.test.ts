// The reconciler's invocation: one round when the admin asks for one; otherwise a round every 2 s
// until 55 s have passed or the Lambda's time is nearly up, summed over the rounds.
import { describe, expect, it } from 'vitest';
import { reconcileRounds } from '#core/copy/reconcile-rounds.js';
import { world } from './fakes.js';

/** A run whose clock moves only when it sleeps. */
function run(options: { once?: boolean; remainingMs?: (elapsed: number) => number } = {}) {
  let elapsed = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    run: {
      once: options.once ?? false,
      remainingMs: () => (options.remainingMs ?? (() => 300_000))(elapsed),
      now: () => 1_000_000 + elapsed,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        elapsed += ms;
      },
    },
  };
}

describe('Function: reconcileRounds', () => {
  it('runs one round for the admin and does not wait', async () => {
    // Prepare
    const w = world();
    const r = run({ once: true });

    // Act
    const summary = await reconcileRounds(w.deps, r.run);

    // Assess
    expect(summary).toEqual({ rounds: 1, settled: 0, open: 0, stuck: 0 });
    expect(r.sleeps).toEqual([]);
  });

  it('runs a round every 2 s for 55 s of a scheduled minute', async () => {
    // Prepare
    const w = world();
    const r = run();

    // Act
    const summary = await reconcileRounds(w.deps, r.run);

    // Assess: rounds at 0, 2, … 54 s; after the 28th's wait 56 s have passed.
    expect(summary.rounds).toBe(28);
    expect(new Set(r.sleeps)).toEqual(new Set([2_000]));
  });

  it('stops early when less than 10 s of the Lambda is left', async () => {
    // Prepare: 20 s left at the start.
    const w = world();
    const r = run({ remainingMs: (elapsed) => 20_000 - elapsed });

    // Act
    const summary = await reconcileRounds(w.deps, r.run);

    // Assess: rounds at 0, 2, 4, 6 and 8 s; after the last wait 10 s are left, not more than the margin.
    expect(summary.rounds).toBe(5);
  });
});
