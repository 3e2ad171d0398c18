// Issue 9's start-up benchmark: `npm start` (local/start.ts, in a process of its own, on its own
// ports and stack file) must be up in at most 20 s on 2 cores, and the leaderboard must have
// traders within its first 90 s (the simulator trades v1.5 until the v2 upgrade a minute in, then
// through the batched-market service). Run alone with `npx tsx test/bench/startup.bench.ts`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ROOT, type LocalStackInfo } from '../../local/stack.js';

export interface StartupResult {
  /** The banner's own figure ("is up in N s"): from main() to ready. */
  readonly upSeconds: number;
  /** Wall clock from spawning the process to the banner (tsx, imports and all). */
  readonly wallSeconds: number;
  /** Wall clock from spawning to the first stored leaderboard with at least one trader; null if none in time. */
  readonly leaderboardSeconds: number | null;
  readonly rankedTraders: number;
  readonly upgradeBlock: number | null;
}

const LEADERBOARD_DEADLINE_S = 120;

export async function startupBench(): Promise<StartupResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alfa-startup-'));
  const stackFile = path.join(dir, 'stack.json');
  const portBase = 20_000 + 100 * Math.floor(Math.random() * 300);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local/start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ALFA_PORT_BASE: String(portBase),
      ALFA_STACK_FILE: stackFile,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  try {
    const upSeconds = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /is up in ([\d.]+) s/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was up:\n${err}`)));
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const info = JSON.parse(await readFile(stackFile, 'utf8')) as LocalStackInfo;
    const db = new DynamoDBClient({
      region: info.region,
      endpoint: info.endpoints.dynamodb,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    let leaderboardSeconds: number | null = null;
    let rankedTraders = 0;
    try {
      while ((performance.now() - t0) / 1000 < LEADERBOARD_DEADLINE_S) {
        const item = await db.send(
          new GetItemCommand({
            TableName: info.tables.stats,
            Key: { pk: { S: 'leaderboard' }, sk: { S: 'score' } },
          }),
        );
        const rows = item.Item?.rows?.S ? (JSON.parse(item.Item.rows.S) as unknown[]) : [];
        if (rows.length > 0) {
          leaderboardSeconds = (performance.now() - t0) / 1000;
          rankedTraders = rows.length;
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      db.destroy();
    }
    const after = JSON.parse(await readFile(stackFile, 'utf8').catch(() => '{}')) as Partial<LocalStackInfo>;
    return {
      upSeconds,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      leaderboardSeconds: leaderboardSeconds === null ? null : Math.round(leaderboardSeconds * 10) / 10,
      rankedTraders,
      upgradeBlock: after.avantis?.upgradeBlock ?? null,
    };
  } finally {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startupBench()
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
