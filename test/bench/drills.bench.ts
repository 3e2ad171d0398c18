// The drills in `npm run bench` (issue 15): each drill against a fresh `npm start` of its own
// (LIVE ceiling, DynamoDB Local on disk so the dynamodb drill can restart it with its data, own
// ports and stack file), run through `npm run drill`'s own CLI exactly as an operator runs it, its
// one JSON result read back. A fresh stack per drill keeps one drill's backlog out of the next's
// figures. The long drills run shorter than their defaults (soak 10 min, not 30) so that the bench
// stays about an hour; `npm run drill -- soak` is the full one. Run alone with
// `npx tsx test/bench/drills.bench.ts [name ...]`.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DrillResultSchema, type DrillResult } from '../../local/drills/result.js';
import { ROOT } from '../../local/stack.js';

/** Each drill's arguments in the bench: the drill CLI's own flags. */
export const BENCH_DRILLS: Readonly<Record<string, readonly string[]>> = {
  ssm: [],
  emergency: [],
  fuzz: [],
  avantis: [],
  telegram: [],
  rpc: ['--minutes', '2'],
  dynamodb: [],
  sqs: [],
  load: ['--minutes', '1'],
  soak: ['--minutes', '10'],
};

/** What the bench keeps of a drill's result (the whole one is in .local/drills/). */
export type DrillFigures = Pick<
  DrillResult,
  | 'passed'
  | 'signalsIn'
  | 'alertsSent'
  | 'copiesSubmitted'
  | 'copiesTerminal'
  | 'lost'
  | 'duplicated'
  | 'worstLatencyMs'
  | 'recovered'
  | 'failures'
> & { readonly seconds: number };

/** `npm start` writes its stack file once it is up; the drills themselves wait for the v2 upgrade. */
const UP_DEADLINE_MS = 180_000;
const STOP_GRACE_MS = 40_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface BenchStack {
  readonly stackFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly dir: string;
}

async function startStack(name: string): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(tmpdir(), `alfa-drill-${name}-`));
  const stackFile = path.join(dir, 'stack.json');
  const out = await open(path.join(dir, 'stack.log'), 'w');
  const portBase = 21_000 + 100 * Math.floor(Math.random() * 200);
  // Its own process group, so that stopping it is Ctrl-C in a terminal: every child gets SIGINT.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local/start.ts')], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      ALFA_PORT_BASE: String(portBase),
      ALFA_STACK_FILE: stackFile,
      ALFA_DYNAMODB_DATA_DIR: path.join(dir, 'dynamodb'),
      COPY_EXECUTION_MODE: 'LIVE',
    },
    stdio: ['ignore', out.fd, out.fd],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.finally(() => out.close());
  const stack = { stackFile, child, exited, dir };
  const t0 = Date.now();
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  while (Date.now() - t0 < UP_DEADLINE_MS && !gone()) {
    if (
      await access(stackFile).then(
        () => true,
        () => false,
      )
    )
      return stack;
    await sleep(1_000);
  }
  const log = path.join(dir, 'stack.log');
  const tail = (await readFile(log, 'utf8').catch(() => '')).slice(-3_000);
  await stopStack(stack, { keep: log });
  throw new Error(`npm start for the ${name} drill did not come up in time (log: ${log}):\n${tail}`);
}

/** Stops the stack and removes its directory, or all of it but `keep` (a log to read after). */
async function stopStack(stack: BenchStack, opts: { keep?: string } = {}): Promise<void> {
  const group = stack.child.pid;
  const signal = (s: NodeJS.Signals) => {
    try {
      if (group) process.kill(-group, s);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
  await stack.exited;
  clearTimeout(timer);
  if (opts.keep) await rm(path.join(stack.dir, 'dynamodb'), { recursive: true, force: true });
  else await rm(stack.dir, { recursive: true, force: true });
}

/** Runs `npm run drill -- <name> <args>` against the stack; exit 0 or 1 both carry a result. */
async function runDrillCli(stackFile: string, name: string, args: readonly string[]): Promise<DrillResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'local/cli/drill.ts'), name, ...args],
    { cwd: ROOT, env: { ...process.env, ALFA_STACK_FILE: stackFile }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-4_000);
    process.stderr.write(b);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  let result: DrillResult | undefined;
  try {
    result = DrillResultSchema.parse(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
  } catch {
    result = undefined;
  }
  if ((code !== 0 && code !== 1) || !result)
    throw new Error(`drill ${name} ended ${code} without a result:\n${err}`);
  return result;
}

function figures(r: DrillResult): DrillFigures {
  return {
    passed: r.passed,
    seconds: Math.round(r.durationMs / 1_000),
    signalsIn: r.signalsIn,
    alertsSent: r.alertsSent,
    copiesSubmitted: r.copiesSubmitted,
    copiesTerminal: r.copiesTerminal,
    lost: r.lost,
    duplicated: r.duplicated,
    worstLatencyMs: Math.round(r.worstLatencyMs),
    recovered: r.recovered,
    failures: r.failures,
  };
}

/** Every drill named (all of BENCH_DRILLS by default), one fresh stack each; a drill that cannot run is reported, not thrown. */
export async function drillsBench(
  names: readonly string[] = Object.keys(BENCH_DRILLS),
  log: (line: string) => void = (l) => console.log(l),
): Promise<Record<string, DrillFigures | { readonly error: string }>> {
  const results: Record<string, DrillFigures | { readonly error: string }> = {};
  for (const name of names) {
    const args = BENCH_DRILLS[name];
    if (!args) throw new Error(`unknown drill "${name}"; known: ${Object.keys(BENCH_DRILLS).join(', ')}`);
    log(`drill ${name}: starting a stack of its own`);
    try {
      const stack = await startStack(name);
      try {
        const result = figures(await runDrillCli(stack.stackFile, name, args));
        results[name] = result;
        log(`drill ${name}: ${result.passed ? 'passed' : 'FAILED'} ${JSON.stringify(result)}`);
      } finally {
        await stopStack(stack);
      }
    } catch (err) {
      const error = err instanceof Error ? err.message.slice(0, 2_000) : String(err);
      results[name] = { error };
      log(`drill ${name}: could not run: ${error}`);
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  drillsBench(process.argv.slice(2).length ? process.argv.slice(2) : undefined)
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
