// `npm run bench`: every benchmark against embedded local stacks (anvil with 1 s blocks). Prints
// the results and writes bench-results/latest.json with the machine they were measured on.
// `npm run bench -- copy stack` runs only those sections (pure, stack, live, startup, copy) and
// merges their results into latest.json, each section stamped with when it was measured. `drills`
// (about an hour) runs every drill against a fresh `npm start` of its own.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTIONS } from '#core/resources.js';
import { ROOT, startLocalStack } from '../../local/stack.js';
import { analyticsBench } from './analytics.bench.js';
import { backtestReplayBench, backtestWebhookBench, chartBench } from './backtest.bench.js';
import { drillsBench } from './drills.bench.js';
import { decodeBench, ethersBaselineBench } from './decode.bench.js';
import { startupBench } from './startup.bench.js';
import { persistSteadyBench, signalLatencyBench } from './indexer.bench.js';
import { alertRateBench, routingBench } from './signals.bench.js';
import { webhookBench } from './webhook.bench.js';

const TARGETS = {
  'decode events/s': '>= 100,000',
  'decode + persist events/s': '>= 5,000',
  'stats rebuild, 1M fills / 10k traders': '<= 2 s',
  'stats incremental update per fill': '<= 50 us',
  'block mined -> signal enqueued p95 ms': '<= 1,300',
  'webhook p99 ms': '<= 100',
  'route one signal to 10,000 followers': '<= 2 s',
  'alerts under Telegram limits': '29/s sustained, zero 429, zero lost',
  'block mined -> alert sent p95 ms': '<= 1,300',
  'copy mined': 'in the next block',
  'copy: trader fill -> follower intent ACCEPTED, N = 1,000': 'p95 <= 2 s',
  'copy: trader fill -> follower copy EXECUTED, N = 1,000': 'within 3 blocks',
  'npm start up (s)': '<= 20 on 2 cores',
  'npm start -> leaderboard has traders (s)': '<= 90',
  '/backtest over 1,000 fills p99': '<= 2 s',
  drills: 'every drill passed: lost 0, duplicated 0, recovered without a restart',
  'PnL chart PNG, warm, p99': '<= 500 ms',
};

/**
 * Peak speed for the benchmarks' stacks (local/stack.ts): the C2 JIT halves DynamoDB Local's CPU
 * per item. The startup bench keeps the default (C1 only), which is what makes `npm start` quick.
 */
const PEAK_DYNAMODB = { ALFA_DYNAMODB_JIT: 'full' } as const;

const SECTIONS = ['pure', 'stack', 'live', 'startup', 'copy', 'drills'] as const;
type Section = (typeof SECTIONS)[number];

function sectionsOf(argv: readonly string[]): ReadonlySet<Section> {
  const unknown = argv.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  return new Set(argv.length ? (argv as Section[]) : SECTIONS);
}

async function main(): Promise<void> {
  const run = sectionsOf(process.argv.slice(2));
  const results: Record<string, unknown> = {};
  const measuredAt: Partial<Record<Section, string>> = {};
  const stamp = (s: Section) => (measuredAt[s] = new Date().toISOString());
  if (run.has('pure')) await pure(results).then(() => stamp('pure'));
  if (run.has('stack')) await stackBenches(results).then(() => stamp('stack'));
  if (run.has('live')) {
    live(results);
    stamp('live');
  }
  if (run.has('startup')) await startup(results).then(() => stamp('startup'));
  if (run.has('copy')) {
    copy(results);
    stamp('copy');
  }
  if (run.has('drills')) {
    results.drills = await drillsBench();
    stamp('drills');
  }
  await write(results, measuredAt);
}

async function pure(results: Record<string, unknown>): Promise<void> {
  const decode = decodeBench(200_000);
  results['decode events/s'] = decode.eventsPerSecond;
  results['ethers AbiCoder baseline events/s'] = ethersBaselineBench(20_000).eventsPerSecond;
  console.log('decode', decode);
  const analytics = analyticsBench();
  results['stats rebuild and incremental update'] = analytics;
  console.log('stats rebuild (1M fills, 10k traders) and incremental update', analytics);
  const replay = backtestReplayBench();
  results['backtest replay, 1,000 fills (ms)'] = replay;
  console.log('backtest replay, 1,000 fills (ms)', replay);
  const chart = await chartBench();
  results['PnL chart PNG, warm (ms)'] = chart;
  console.log('PnL chart PNG, warm (ms)', chart);
}

async function stackBenches(results: Record<string, unknown>): Promise<void> {
  const jit = process.env.ALFA_DYNAMODB_JIT;
  process.env.ALFA_DYNAMODB_JIT = PEAK_DYNAMODB.ALFA_DYNAMODB_JIT;
  try {
    await stackSection(results);
  } finally {
    if (jit === undefined) delete process.env.ALFA_DYNAMODB_JIT;
    else process.env.ALFA_DYNAMODB_JIT = jit;
  }
}

async function stackSection(results: Record<string, unknown>): Promise<void> {
  // Without the router and the copy path, so the signal-latency bench reads signals.fifo itself.
  const {
    'signal-router': _router,
    alerter: _alerter,
    copier: _copier,
    reconciler: _reconciler,
    ...upToSignals
  } = FUNCTIONS;
  const quiet = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
  const stack = await startLocalStack({ blockTimeSeconds: 1, functions: upToSignals, env: quiet });
  const sqs = new SQSClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.sqs,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    const persist = await persistSteadyBench(stack);
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
    const backtestCommand = await backtestWebhookBench(stack);
    results['webhook /backtest, 1,000 fills (ms)'] = backtestCommand;
    console.log('webhook /backtest, 1,000 fills (ms)', backtestCommand);
    const webhook = await webhookBench(stack);
    results.webhook = webhook;
    console.table(webhook);
  } finally {
    sqs.destroy();
    await stack.stop();
  }
}

function live(results: Record<string, unknown>): void {
  // The whole flow LIVE (a ceiling that allows it, the switch turned LIVE), in a process of its own.
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/bench/live-e2e.ts')], {
    encoding: 'utf8',
    env: { ...process.env, ...PEAK_DYNAMODB },
  });
  const e2e = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  results['block mined -> alert sent (ms), copy mined (blocks after the trader)'] = e2e;
  console.log('block mined -> alert sent, copy mined', e2e);
}

async function startup(results: Record<string, unknown>): Promise<void> {
  // `npm start` itself, in a process of its own on other ports (issue 9).
  const startup = await startupBench();
  results['npm start up (s)'] = startup.upSeconds;
  results['npm start -> leaderboard has traders (s)'] = startup.leaderboardSeconds;
  results['npm start (details)'] = startup;
  console.log('npm start up, leaderboard has traders', startup);
}

function copy(results: Record<string, unknown>): void {
  // Copies on Avantis v2: N = 100 and 1,000 AUTO followers, LIVE, in a process of its own.
  const copyOut = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/bench/copy-live.ts')],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...PEAK_DYNAMODB },
    },
  );
  const copies = JSON.parse(copyOut.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  results['copy: trader fill -> ACCEPTED / EXECUTED (ms), blocks, alerts (ms)'] = copies;
  console.log('copies (N = 100, 1,000)', copies);
}

async function write(
  results: Record<string, unknown>,
  measuredAt: Partial<Record<Section, string>>,
): Promise<void> {
  const file = path.join(ROOT, 'bench-results', 'latest.json');
  // A partial run keeps the other sections' last results.
  const before = await readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as { results?: Record<string, unknown>; measuredAt?: Record<string, string> })
    .catch(() => ({}) as { results?: Record<string, unknown>; measuredAt?: Record<string, string> });
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
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        machine,
        targets: TARGETS,
        measuredAt: { ...before.measuredAt, ...measuredAt },
        results: { ...before.results, ...results },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
