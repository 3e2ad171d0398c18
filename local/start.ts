// `npm start`: brings the whole local stack up, prints where everything is, writes .local/stack.json,
// and takes it all down again on Ctrl-C. ALFA_DYNAMODB_DATA_DIR=<dir> runs DynamoDB Local on disk
// there (emptied at start) so the dynamodb drill can kill and restart it with its data; the loopback
// control endpoint (port base+7, .local/stack.json → control.url) restarts stand-ins for drills.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installLogSink } from './log-sink.js';
import { LocalStackError } from './processes.js';
import { ROOT, startLocalStack, type LocalStack } from './stack.js';

// ALFA_STACK_FILE moves it (the startup benchmark runs a second `npm start` beside yours).
const STACK_FILE = process.env.ALFA_STACK_FILE || path.join(ROOT, '.local', 'stack.json');
const LOG_DIR = path.join(ROOT, '.local', 'logs');
const DEFAULT_PORT_BASE = 4700;

function portBase(): number {
  const raw = process.env.ALFA_PORT_BASE;
  if (raw === undefined || raw === '') return DEFAULT_PORT_BASE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 65_000) {
    throw new LocalStackError(`ALFA_PORT_BASE must be a whole number from 1024 to 65000, got "${raw}".`);
  }
  return n;
}

/**
 * A simulated market is young: lower the bar to be ranked so a leaderboard exists within a minute
 * of `npm start`. Set the variables to use other values (the deployed defaults are 10 trades, $10,000).
 */
function localLeaderRules(): Record<string, string> {
  const rules: Record<string, string> = {};
  for (const [name, value] of [
    ['LEADER_MIN_TRADES_30D', '3'],
    ['LEADER_MIN_VOLUME_30D_USD', '1000'],
  ] as const) {
    rules[name] = process.env[name] ?? value;
  }
  return rules;
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function seed(): number {
  const raw = process.env.ALFA_SEED ?? '42';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new LocalStackError(`ALFA_SEED must be a whole number, got "${raw}".`);
  return n;
}

/**
 * When the local chain upgrades from Avantis v1.5 to v2: ALFA_UPGRADE_BLOCK (an absolute block) or,
 * by default, 60 blocks after the deployment (about a minute with 1 s blocks), as on Base where
 * history spans both eras.
 */
function upgradeOption(): { block: number } | { afterDeployBlocks: number } {
  const raw = process.env.ALFA_UPGRADE_BLOCK;
  if (raw === undefined || raw === '') return { afterDeployBlocks: 60 };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new LocalStackError(`ALFA_UPGRADE_BLOCK must be a block number, got "${raw}".`);
  return { block: n };
}

function avantisLines(stack: LocalStack): string[] {
  const a = stack.info.avantis;
  if (!a) return [];
  return [
    `  batched-market     ${a.batchedMarketUrl}   (POST /market/execute-batched; faults: ${a.faultsUrl})`,
    `  prices, user-data  ${a.pricesUrl}/{pairIndex}   ${a.userDataUrl}?trader=0x…`,
    `  TradingRouter      ${a.tradingRouter}   v2 from block ${a.upgradeBlock ?? '(never)'} (ALFA_UPGRADE_BLOCK)`,
  ];
}

function chainLines(stack: LocalStack): string[] {
  const { chain } = stack.info;
  if (chain.mode === 'rpc') {
    return [
      `  indexing           ${chain.rpcUrls.map(redact).join(', ')} (RPC_URLS; Base mainnet contracts on chain 8453)`,
    ];
  }
  return [
    `  chain (anvil)      ${stack.info.endpoints.rpc}   chain id ${stack.info.chainId}, 1 s blocks, simulated market (ALFA_SEED=${seed()})`,
    `  Avantis (local)    Trading ${chain.avantis.trading[0]}  TradingCallbacks ${chain.avantis.tradingCallbacks}`,
  ];
}

/** Only scheme and host: RPC URLs often carry an API key in the path or query. */
const redact = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/...`;
  } catch {
    return '(invalid URL)';
  }
};

function banner(stack: LocalStack, seconds: number): string {
  const { info } = stack;
  const curl =
    `curl -s -X POST ${info.webhook.url} -H 'content-type: application/json' ` +
    `-H '${info.webhook.header}: ${info.webhook.secret}' ` +
    `-d '{"update_id":1,"message":{"message_id":1,"date":0,"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}],` +
    `"chat":{"id":1001,"type":"private","first_name":"Ada"},"from":{"id":1001,"is_bot":false,"first_name":"Ada"}}}'`;
  return [
    '',
    `Alfa local stack is up in ${seconds.toFixed(1)} s (stage ${info.stage}, mode DRY).`,
    '',
    `  webhook URL        ${info.webhook.url}`,
    `  webhook secret     ${info.webhook.header}: ${info.webhook.secret}`,
    `  bot API stand-in   ${info.endpoints.telegramBotApi}   (what the bot sent: ${info.telegram.callsUrl})`,
    `  DynamoDB Local     ${info.endpoints.dynamodb}   (${info.control?.dynamodbOnDisk ? 'on disk, ALFA_DYNAMODB_DATA_DIR' : 'in memory'})`,
    `  SQS (fauxqs)       ${info.endpoints.sqs}`,
    `  SSM/Secrets        ${info.endpoints.awsControlPlane}`,
    ...(info.control
      ? [`  control (drills)   ${info.control.url}   (POST /_alfa/restart, GET /_alfa/processes)`]
      : []),
    ...chainLines(stack),
    ...avantisLines(stack),
    '',
    `Everything is also in ${path.relative(process.cwd(), STACK_FILE)}; full JSON logs in ${path.relative(process.cwd(), LOG_DIR)}/.`,
    'Operator actions: npm run admin -- status. Try:',
    `  ${curl}`,
    `  curl -s ${info.telegram.callsUrl}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  // One short line per event on a terminal; the full JSON, labelled with its function, in .local/logs/.
  const tty = process.stdout.isTTY === true;
  installLogSink({ dir: LOG_DIR, terminal: tty, color: tty });
  process.stdout.write('Starting the Alfa local stack...\n');
  const rpcUrls = list(process.env.RPC_URLS);
  const stack = await startLocalStack({
    portBase: portBase(),
    blockTimeSeconds: 1,
    adminUserIds: list(process.env.ADMIN_USER_IDS),
    ...(rpcUrls.length > 0 ? { rpcUrls } : { simulate: { seed: seed() }, upgrade: upgradeOption() }),
    env: localLeaderRules(),
    control: true,
    ...(process.env.ALFA_DYNAMODB_DATA_DIR
      ? { dynamodbDataDir: path.resolve(process.env.ALFA_DYNAMODB_DATA_DIR) }
      : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  await mkdir(path.dirname(STACK_FILE), { recursive: true });
  await writeFile(STACK_FILE, `${JSON.stringify(stack.info, null, 2)}\n`, { mode: 0o600 });
  // The upgrade lands later: record its real block in .local/stack.json then.
  void stack.upgraded
    ?.then(async (block) => {
      await writeFile(STACK_FILE, `${JSON.stringify(stack.info, null, 2)}\n`, { mode: 0o600 });
      process.stdout.write(`Avantis v2 is live from block ${block} (the local chain upgraded in place).\n`);
    })
    .catch((err: unknown) => process.stderr.write(`Avantis v2 upgrade failed: ${String(err)}\n`));
  process.stdout.write(banner(stack, (performance.now() - started) / 1000));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    void stack
      .stop()
      .then(() => rm(STACK_FILE, { force: true }))
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `\n${err instanceof LocalStackError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exit(1);
});
