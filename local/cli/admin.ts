// `npm run admin -- <action>`: operator actions through the admin function, on the running local
// stack (`npm start`, found via .local/stack.json) or on AWS with `--remote --stage <s>`. Both go
// through lambda:InvokeFunction with the SDK, so what works here works against a deployed stage.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  adminResponseSchema,
  statusSchema,
  type AdminRequestInput,
  type AdminResponse,
  type AdminStatus,
} from '#core/admin/requests.js';
import { invokeFunction } from '#core/adapters/lambda/invoke.js';
import { physicalName } from '#core/resources.js';
import { ROOT, type LocalStackInfo } from '../stack.js';
import { UsageError, runCli } from './cli.js';
import { table } from './table.js';

export const USAGE = [
  'usage: npm run admin -- <action> [--json] [--remote --stage <s> [--region <r>]]',
  '  status                      mode, ceiling, switch, emergency, indexer, queues, intents, last errors',
  '  mode DRY|LIVE [--yes]       set the switch (LIVE needs --yes)',
  '  emergency stop|start        halt / resume every signature',
  '  autocopy-off-all            every AUTO follow becomes ALERTS',
  '  backfill --from N --to M    index a block range into fills, alerting nobody',
  '  redrive <queue> [--dry-run] move a DLQ back into its queue (signals, fanout)',
  '  reconcile                   drive stuck intents now',
  '  webhook check|set [--url U] getWebhookInfo / setWebhook with the secret',
].join('\n');

export interface AdminTarget {
  readonly lambda: LambdaClient;
  readonly functionName: string;
  readonly where: string;
}

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const blockArg = (name: string, raw: string | undefined): number => {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a block number, got "${raw}"`);
  return Number(raw);
};

/** The request an argument list stands for; a UsageError says what is wrong with it. */
export function requestOf(
  argv: readonly string[],
  by: string,
): { request: AdminRequestInput; json: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      url: { type: 'string' },
      remote: { type: 'boolean', default: false },
      stage: { type: 'string' },
      region: { type: 'string' },
    },
  });
  const [action, arg, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  const json = values.json;
  const none = (what: string) => {
    if (arg !== undefined) throw new UsageError(`${what} takes no argument, got "${arg}"`);
  };
  switch (action) {
    case 'status':
      none('status');
      return { request: { action, by }, json };
    case 'mode': {
      const mode = arg?.toUpperCase();
      if (mode !== 'DRY' && mode !== 'LIVE') throw new UsageError('mode needs DRY or LIVE');
      return { request: { action, by, mode, confirm: values.yes }, json };
    }
    case 'emergency':
      if (arg !== 'stop' && arg !== 'start') throw new UsageError('emergency needs stop or start');
      return { request: { action, by, stop: arg === 'stop' }, json };
    case 'autocopy-off-all':
      none('autocopy-off-all');
      return { request: { action, by }, json };
    case 'backfill': {
      none('backfill');
      const fromBlock = blockArg('from', values.from);
      const toBlock = blockArg('to', values.to);
      if (toBlock < fromBlock) throw new UsageError(`--to (${toBlock}) is before --from (${fromBlock})`);
      return { request: { action, by, fromBlock, toBlock }, json };
    }
    case 'redrive':
      if (arg === undefined) throw new UsageError('redrive needs a queue name (signals, fanout)');
      return { request: { action, by, queue: arg, dryRun: values['dry-run'] }, json };
    case 'reconcile':
      none('reconcile');
      return { request: { action, by }, json };
    case 'webhook':
      if (arg !== 'check' && arg !== 'set') throw new UsageError('webhook needs check or set');
      return { request: { action, by, op: arg, ...(values.url ? { url: values.url } : {}) }, json };
    case undefined:
      throw new UsageError('which action?');
    default:
      throw new UsageError(`unknown action "${action}"`);
  }
}

const dash = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

export function renderStatus(s: AdminStatus): string {
  const lines = [
    `Alfa ${s.stage} at ${s.at}`,
    `  mode        ${s.mode.effective} (ceiling ${s.mode.ceiling}, switch ${s.mode.switch}, emergency stop ${s.mode.emergencyStop ? 'ON' : 'off'})`,
    `  indexer     cursor ${dash(s.indexer.cursor)}, head ${dash(s.indexer.head)}, lag ${dash(s.indexer.lagBlocks)} blocks`,
    `  intents     ${s.intents.total}${
      Object.entries(s.intents.byState).length
        ? ` (${Object.entries(s.intents.byState)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''
    }`,
    '',
    table(
      ['queue', 'depth', 'dlq'],
      s.queues.map((q) => [q.name, dash(q.depth), dash(q.dlqDepth)]),
      [1, 2],
    ),
    '',
    table(
      ['function', 'last error'],
      Object.entries(s.lastErrors).map(([fn, e]) => [
        fn,
        e ? `${e.at.slice(0, 19).replace('T', ' ')} ${e.reason}: ${e.message.slice(0, 80)}` : '-',
      ]),
    ),
  ];
  return lines.join('\n');
}

function render(answer: AdminResponse): string {
  if (!answer.ok) return `${answer.action}: ${answer.code}: ${answer.message}`;
  if (answer.action === 'status') return renderStatus(statusSchema.parse(answer.result));
  const fields = Object.entries(answer.result).map(
    ([k, v]) => `  ${k.padEnd(20)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
  );
  return [`${answer.action}: ok`, ...fields].join('\n');
}

/** Runs one CLI command against a target; returns the exit code. */
export async function runAdminCommand(
  argv: readonly string[],
  target: AdminTarget,
  io: CliIo,
  by = `cli:${os.userInfo().username}`,
): Promise<number> {
  const { request, json } = requestOf(argv, by);
  const answer = await invokeFunction(target.functionName, request, adminResponseSchema, target.lambda);
  if (json) {
    // status --json prints the status object alone; other actions their whole answer.
    io.out(JSON.stringify(answer.ok && answer.action === 'status' ? answer.result : answer, null, 2));
  } else {
    io.out(render(answer));
  }
  if (!answer.ok) {
    if (!json) io.err(`refused: ${answer.code}`);
    return 1;
  }
  return 0;
}

/** The running local stack's admin function. */
export async function localTarget(stackFile: string): Promise<AdminTarget> {
  let info: LocalStackInfo;
  try {
    info = JSON.parse(await readFile(stackFile, 'utf8')) as LocalStackInfo;
  } catch {
    throw new Error(
      `No local stack is running (no ${path.relative(process.cwd(), stackFile)}): start one with \`npm start\`, or use --remote --stage <s>.`,
    );
  }
  if (!info.endpoints.lambda)
    throw new Error('The running local stack has no Lambda Invoke endpoint; restart `npm start`.');
  return {
    lambda: new LambdaClient({
      region: info.region,
      endpoint: info.endpoints.lambda,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    }),
    functionName: physicalName.function(info.stage, 'admin'),
    where: `local stack (${info.endpoints.lambda})`,
  };
}

export function remoteTarget(stage: string, region: string | undefined): AdminTarget {
  if (!/^[a-z][a-z0-9-]{1,15}$/.test(stage))
    throw new UsageError(`--stage must be a stage name such as prod, got "${stage}"`);
  return {
    // The caller's own AWS credentials: lambda:InvokeFunction on alfa-<stage>-admin is the guard.
    lambda: new LambdaClient({ ...(region ? { region } : {}), maxAttempts: 1 }),
    functionName: physicalName.function(stage, 'admin'),
    where: `AWS (${stage})`,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { remote: { type: 'boolean' }, stage: { type: 'string' }, region: { type: 'string' } },
  });
  if (values.remote && typeof values.stage !== 'string') throw new UsageError('--remote needs --stage <s>');
  const target = values.remote
    ? remoteTarget(String(values.stage), typeof values.region === 'string' ? values.region : undefined)
    : await localTarget(process.env.ALFA_STACK_FILE ?? path.join(ROOT, '.local', 'stack.json'));
  process.stderr.write(`admin on ${target.where}\n`);
  const code = await runAdminCommand(argv, target, {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
  process.exitCode = code;
}

// Run only as a script (`tsx local/cli/admin.ts`), not when a test imports it.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  runCli(main, USAGE);
}
