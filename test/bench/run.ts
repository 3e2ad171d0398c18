// `npm run bench`: runs every benchmark against an embedded local stack, prints the results and
// writes them to bench-results/latest.json (git-ignored) with the machine they were measured on.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startLocalStack } from '../../local/stack.js';
import { webhookBench } from './webhook.bench.js';

async function main(): Promise<void> {
  const stack = await startLocalStack({
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  try {
    const results = { ...(await webhookBench(stack)) };
    console.table(results);
    const file = path.join(ROOT, 'bench-results', 'latest.json');
    await mkdir(path.dirname(file), { recursive: true });
    const machine = {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    };
    await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
