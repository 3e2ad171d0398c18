// `npm run bench`: every benchmark against an embedded local stack (anvil with 1 s blocks, the
// indexer tailing it). Prints the results and writes bench-results/latest.json with the machine.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ROOT, startLocalStack } from '../../local/stack.js';
import { decodeBench, ethersBaselineBench } from './decode.bench.js';
import { persistBench, signalLatencyBench } from './indexer.bench.js';
import { alertRateBench, routingBench } from './signals.bench.js';
import { webhookBench } from './webhook.bench.js';

const TARGETS = {
  'decode events/s': '>= 100,000',
  'decode + persist events/s': '>= 5,000',
  'block mined -> signal enqueued p95 ms': '<= 1,300',
  'webhook p99 ms': '<= 100',
  'route one signal to 10,000 followers': '<= 2 s',
  'alerts under Telegram limits': '29/s sustained, zero 429, zero lost',
};

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const decode = decodeBench(200_000);
  results['decode events/s'] = decode.eventsPerSecond;
  results['ethers AbiCoder baseline events/s'] = ethersBaselineBench(20_000).eventsPerSecond;
  console.log('decode', decode);

  const stack = await startLocalStack({
    blockTimeSeconds: 1,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  const sqs = new SQSClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.sqs,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    // DynamoDB Local is a JVM: its first thousands of writes run before the JIT warms up.
    const cold = await persistBench(stack, 10_000);
    const persist = await persistBench(stack);
    results['decode + persist (cold JVM)'] = cold;
    results['decode + persist'] = persist;
    console.log('decode + persist', persist);
    const latency = await signalLatencyBench(stack, sqs);
    results['block mined -> signal enqueued (ms)'] = latency;
    console.log('block mined -> signal enqueued (ms)', latency);
    const routing = await routingBench(stack);
    results['route one signal to 10,000 followers'] = routing;
    console.log('route one signal to 10,000 followers', routing);
    const alerts = await alertRateBench(stack);
    results['alerts under Telegram limits'] = alerts;
    console.log('alerts under Telegram limits', alerts);
    const webhook = await webhookBench(stack);
    results.webhook = webhook;
    console.table(webhook);
  } finally {
    sqs.destroy();
    await stack.stop();
  }
  const file = path.join(ROOT, 'bench-results', 'latest.json');
  await mkdir(path.dirname(file), { recursive: true });
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpu: cpus[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  await writeFile(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), machine, targets: TARGETS, results }, null, 2)}\n`,
  );
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
