// The copy benchmark in a process of its own (the handlers read their config once per process, as
// in Lambda): a LIVE stack on Avantis v2 with 1 s blocks, N = 100 then 1,000 AUTO followers, then 1,000
// followers with alerts only. Prints one JSON line. `npx tsx test/bench/copy-live.ts [N ...]` runs other sizes.
import { startLiveStack } from '../support/live-stack.js';
import { copyBench } from './copy.bench.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const live = await startLiveStack({
  without: ['digest', 'leaderboard', 'admin'],
  logs: process.env.ALFA_BENCH_LOGS === '1',
  log: (line) => process.stderr.write(`[stack] ${line}\n`),
});
try {
  live.controlPlane.putParameter(live.info.executionModeParameter, 'LIVE');
  const results: Record<string, unknown> = {};
  let base = 70_000_000;
  // Every follower AUTO at each size; then the largest size with alerts only, for the alert latency
  // the copies must not slow down.
  const runs = (sizes.length ? sizes : [100, 1_000]).map((n) => ({ n, auto: n, name: `N=${n}` }));
  const largest = Math.max(...runs.map((r) => r.n));
  runs.push({ n: largest, auto: 0, name: `N=${largest}, alerts only` });
  for (const run of runs) {
    results[run.name] = await copyBench(live, run.n, base, run.auto);
    base += run.n;
    process.stderr.write(`copy bench ${run.name}: ${JSON.stringify(results[run.name])}\n`);
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  await live.stop();
}
