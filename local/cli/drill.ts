// `npm run drill -- <name> [--minutes N] [--updates N] [--messages N] [--seed N]` runs one scripted,
// bounded drill against the running local stack (`npm start`, found via .local/stack.json; loopback
// only) and prints one JSON result, also written to .local/drills/<name>-<timestamp>.json. Exit 0
// when the drill passed, 1 when it failed, 2 for a usage error.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runAvantis } from '../drills/avantis.js';
import { runDynamodb } from '../drills/dynamodb.js';
import { runEmergency } from '../drills/emergency.js';
import { runFuzz } from '../drills/fuzz.js';
import { checkAlarms } from '../drills/harness.js';
import { runLoad } from '../drills/load.js';
import { writeResult, type DrillResult } from '../drills/result.js';
import { runRpc } from '../drills/rpc.js';
import { runSoak } from '../drills/soak.js';
import { runSqs } from '../drills/sqs.js';
import { runSsm } from '../drills/ssm.js';
import { runTelegram } from '../drills/telegram.js';
import { ROOT, type LocalStackInfo } from '../stack.js';
import { UsageError, runCli } from './cli.js';

const BUILT = [
  'fuzz',
  'ssm',
  'emergency',
  'avantis',
  'telegram',
  'rpc',
  'dynamodb',
  'sqs',
  'load',
  'soak',
] as const;
const USAGE = [
  'usage: npm run drill -- <name> [--minutes N] [--updates N] [--messages N] [--seed N]',
  `  drills: ${BUILT.join(', ')}`,
  '  fuzz: --updates N Telegram updates (default 10000), --messages N malformed queue messages (default 1000)',
].join('\n');

const FLAGS = {
  minutes: [1, 24 * 60],
  updates: [1, 1_000_000],
  messages: [0, 100_000],
  seed: [1, 2 ** 31 - 1],
} as const;
type Flag = keyof typeof FLAGS;

export interface DrillArgs {
  readonly name: (typeof BUILT)[number];
  readonly flags: Partial<Record<Flag, number>>;
}

export function parseDrillArgs(argv: readonly string[]): DrillArgs {
  const [name, ...rest] = argv;
  if (!name) throw new UsageError('a drill name is required');
  if (!(BUILT as readonly string[]).includes(name))
    throw new UsageError(`unknown drill "${name.slice(0, 80)}"`);
  const flags: Partial<Record<Flag, number>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = String(rest[i]);
    const key = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !Object.hasOwn(FLAGS, key))
      throw new UsageError(`unknown flag "${flag.slice(0, 80)}"`);
    const raw = rest[i + 1];
    const [min, max] = FLAGS[key as Flag];
    if (raw === undefined || !/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max)
      throw new UsageError(`${flag} needs a whole number from ${min} to ${max}`);
    flags[key as Flag] = Number(raw);
  }
  return { name: name as DrillArgs['name'], flags };
}

async function runningStack(): Promise<LocalStackInfo> {
  const file = process.env.ALFA_STACK_FILE ?? path.join(ROOT, '.local', 'stack.json');
  let info: LocalStackInfo;
  try {
    info = JSON.parse(await readFile(file, 'utf8')) as LocalStackInfo;
  } catch {
    throw new Error('no local stack is running (start one with `npm start`; .local/stack.json is missing)');
  }
  // Drills fault and flood the stack: loopback only, never a deployed one.
  const urls = [
    info.webhook.url,
    ...Object.values(info.endpoints).flat(),
    ...(info.control ? [info.control.url] : []),
  ];
  if (!urls.every((u) => new URL(u).hostname === '127.0.0.1'))
    throw new Error('.local/stack.json names endpoints off this machine: drills run on loopback only');
  const alive = await fetch(info.endpoints.dynamodb, { signal: AbortSignal.timeout(1_000) }).catch(
    () => undefined,
  );
  if (!alive) throw new Error('the stack in .local/stack.json is not running (start it with `npm start`)');
  return info;
}

const minutes = (args: DrillArgs) => (args.flags.minutes ? { minutes: args.flags.minutes } : {});

export async function runDrill(
  info: LocalStackInfo,
  args: DrillArgs,
  log: (line: string) => void,
): Promise<DrillResult> {
  switch (args.name) {
    case 'fuzz':
      return runFuzz(info, {
        updates: args.flags.updates ?? 10_000,
        messages: args.flags.messages ?? 1_000,
        ...(args.flags.seed ? { seed: args.flags.seed } : {}),
        ...(args.flags.minutes ? { dlqTimeoutMs: args.flags.minutes * 60_000 } : {}),
        log,
      });
    case 'ssm':
      return runSsm(info, { log });
    case 'emergency':
      return runEmergency(info, { ...minutes(args), log });
    case 'avantis':
      return runAvantis(info, { ...minutes(args), log });
    case 'telegram':
      return runTelegram(info, { ...minutes(args), log });
    case 'rpc':
      return runRpc(info, { minutes: args.flags.minutes ?? 2, log });
    case 'dynamodb':
      return runDynamodb(info, { ...minutes(args), log });
    case 'sqs':
      return runSqs(info, { ...minutes(args), log });
    case 'load':
      // load and soak build their result elsewhere: their alarms are judged here.
      return checkAlarms(info, await runLoad(info, { minutes: args.flags.minutes ?? 1, log }));
    case 'soak':
      return checkAlarms(info, await runSoak(info, { minutes: args.flags.minutes ?? 30, log }));
  }
}

async function main(): Promise<void> {
  const args = parseDrillArgs(process.argv.slice(2));
  const info = await runningStack();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = await runDrill(info, args, log);
  const file = await writeResult(ROOT, result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(`${result.passed ? 'PASSED' : 'FAILED'}: ${file}`);
  if (!result.passed) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  runCli(main, USAGE);
}
