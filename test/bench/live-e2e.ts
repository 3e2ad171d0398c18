// The LIVE end-to-end bench in a process of its own: the handlers read their config once per
// process (as in Lambda), so a second local stack needs a fresh process. Prints one JSON line.
import { startLocalStack } from '../../local/stack.js';
import { endToEndBench } from './signals.bench.js';

const live = await startLocalStack({
  blockTimeSeconds: 1,
  upgrade: 'start',
  env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', COPY_EXECUTION_MODE: 'LIVE' },
});
try {
  live.controlPlane.putParameter(live.info.executionModeParameter, 'LIVE');
  process.stdout.write(`${JSON.stringify(await endToEndBench(live))}\n`);
} finally {
  await live.stop();
}
