// The indexer's progress reporter: percent and ETA at most once an interval, and always at the end.
import { describe, expect, it } from 'vitest';
import { progressReporter } from '#core/indexer/progress.js';

describe('Function: progressReporter', () => {
  it('logs percent and ETA at most every interval, and always at the end', () => {
    let t = 0;
    const lines: Record<string, unknown>[] = [];
    const log = {
      info: (_m: string, a: Record<string, unknown> = {}) => lines.push(a),
      warn: () => undefined,
      error: () => undefined,
    };
    const report = progressReporter(log, 'backfill progress', 'BACKFILL_PROGRESS', () => t);

    t = 1_000;
    report({ fromBlock: 0, toBlock: 999, block: 99 }); // 10% in 1 s
    t = 1_500;
    report({ fromBlock: 0, toBlock: 999, block: 199 }); // within 2 s of the last line: quiet
    t = 2_000;
    report({ fromBlock: 0, toBlock: 999, block: 999 }); // the end: always

    expect(lines).toEqual([
      { reason: 'BACKFILL_PROGRESS', block: 99, target: 999, percent: 10, etaSeconds: 9 },
      { reason: 'BACKFILL_PROGRESS', block: 999, target: 999, percent: 100, etaSeconds: 0 },
    ]);
  });
});
