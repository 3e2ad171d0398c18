// One Lambda per entry of the function catalog (FUNCTIONS by default): bundling, environment,
// trigger and least-privilege grants all derived from its definition.
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  FunctionUrlAuthType,
  LoggingFormat,
  Runtime,
  Tracing,
  type FunctionUrl,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  BOT_SECRET,
  DELEGATE_KEY,
  EXECUTION_MODE_PARAMETER,
  functionNameEnvVar,
  physicalName,
  QUEUES,
  RESOURCE_ENV_VARS,
  TABLES,
  VISIBILITY_TO_TIMEOUT_RATIO,
  type FunctionDef,
  type QueueKey,
  type TableKey,
} from '#core/resources.js';
import { acknowledgeRule } from './policy.js';
import { pascal } from './names.js';
import type { QueuePair } from './queues.js';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';

/**
 * ESM bundles of CommonJS dependencies call `require` for Node built-ins; ESM has none, so the banner
 * defines one. The alias keeps it from clashing with a bundled `createRequire` import.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __alfaCreateRequire } from 'node:module'; " +
  'const require = __alfaCreateRequire(import.meta.url);';

/**
 * What a chart-rendering bundle (FunctionDef.chartAssets) ships next to its handler: repo path ->
 * file name. adapters/charts/png.ts reads these names from its own directory (the bundle's, in
 * Lambda) before falling back to node_modules (the repo): esbuild bundles no .wasm or .ttf.
 */
export const CHART_ASSET_FILES = {
  'node_modules/@resvg/resvg-wasm/index_bg.wasm': 'index_bg.wasm',
  'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf': 'DejaVuSans.ttf',
} as const;

const shellQuote = (p: string): string => `'${p.replace(/'/g, `'\\''`)}'`;

/** The afterBundling commands that copy CHART_ASSET_FILES from the repo into the bundle. */
export function chartAssetCommands(inputDir: string, outputDir: string): string[] {
  return Object.entries(CHART_ASSET_FILES).map(
    ([from, to]) => `cp ${shellQuote(path.join(inputDir, from))} ${shellQuote(path.join(outputDir, to))}`,
  );
}

/** Ids of the permissions FunctionUrl adds for authType NONE (InvokeFunctionUrl, InvokeFunction). */
const FUNCTION_URL_PERMISSION_IDS: readonly string[] = ['invoke-function-url', 'invoke-function'];

/**
 * A year of logs: every copy decision is logged with its reason code, and those logs are the audit
 * trail of what the bot did with users' money. Low volume makes this cheap.
 */
const LOG_RETENTION = RetentionDays.ONE_YEAR;

/**
 * DynamoDB actions by need, instead of grantReadData/grantReadWriteData: those include Scan (a
 * whole-table read) and the stream actions for every function, and no Alfa table has a stream.
 */
const DYNAMO_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const DYNAMO_SCAN = ['dynamodb:Scan'];
const DYNAMO_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export interface FunctionsProps {
  readonly stage: string;
  readonly prod: boolean;
  readonly catalog: Readonly<Record<string, FunctionDef>>;
  readonly tables: Readonly<Record<TableKey, Table>>;
  readonly queues: Readonly<Record<QueueKey, QueuePair>>;
  readonly executionMode: IStringParameter;
  readonly botSecret: ISecret;
  /** Encrypts the log groups. */
  readonly logKey: IKey;
  /** The HMAC key users' delegate keys derive from: GenerateMac for `delegateKey: 'mac'` only. */
  readonly delegateKey: IKey;
  /** The operator's extra env vars (already validated). */
  readonly operatorEnv: Readonly<Record<string, string>>;
  /** The repo root: entries are relative to it and its package-lock.json pins the bundle. */
  readonly projectRoot: string;
}

export interface AlfaFunction {
  readonly name: string;
  readonly def: FunctionDef;
  readonly fn: NodejsFunction;
  readonly url?: FunctionUrl;
}

export class Functions extends Construct {
  readonly all: readonly AlfaFunction[];

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const resourceEnv = resourceEnvironment(props);
    this.all = Object.entries(props.catalog).map(([name, def]) =>
      this.function(name, def, resourceEnv, props),
    );
    // The admin's `webhook set` needs the webhook's URL: given to functions that hold the webhook
    // secret without being the webhook. The webhook reaches the admin by name (see `invokes`), so
    // this reference makes no cycle.
    const webhookUrl = this.all.find((f) => f.url)?.url;
    for (const f of this.all) {
      if (webhookUrl && !f.url && f.def.secretFields.includes('webhookSecret')) {
        f.fn.addEnvironment('WEBHOOK_URL', webhookUrl.url);
      }
    }
    restrictDelegateKey(
      props.delegateKey,
      this.all.filter((f) => f.def.delegateKey === 'mac').map((f) => f.fn.role),
    );
  }

  private function(
    name: string,
    def: FunctionDef,
    resourceEnv: Record<string, string>,
    props: FunctionsProps,
  ): AlfaFunction {
    const { stage, prod, projectRoot } = props;
    const id = pascal(name);
    // The helper is a template over the name; test catalogs use names FUNCTIONS does not have (yet).
    const functionName = physicalName.function(stage, name);
    const logGroup = new LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: LOG_RETENTION,
      encryptionKey: props.logKey,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const fn = new NodejsFunction(this, id, {
      functionName,
      entry: path.resolve(projectRoot, def.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      ...(def.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: def.reservedConcurrency }),
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // X-Ray traces of every invocation from Lambda itself (no Tracer in the code: see observability.ts).
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.operatorEnv,
        ...resourceEnv,
        // Physical names of the functions it may invoke and that this catalog has.
        ...Object.fromEntries(
          (def.invokes ?? [])
            .filter((other) => other in props.catalog)
            .map((other) => [functionNameEnvVar(other), physicalName.function(stage, other)]),
        ),
        STAGE: stage,
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_METRICS_NAMESPACE: 'Alfa',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        banner: REQUIRE_BANNER,
        // The nodejs22.x runtime ships AWS SDK v3.
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        forceDockerBundling: false,
        ...(def.chartAssets
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: chartAssetCommands,
              },
            }
          : {}),
      },
    });
    acknowledgeRule(fn, 'lambda_inside_vpc_check');
    this.grant(fn, def, props);
    const url = this.trigger(name, id, fn, def, props);
    return url ? { name, def, fn, url } : { name, def, fn };
  }

  /** Exactly what the definition lists, nothing more. */
  private grant(fn: NodejsFunction, def: FunctionDef, props: FunctionsProps): void {
    for (const [key, access] of Object.entries(def.tables) as [
      TableKey,
      'read' | 'readWrite' | undefined,
    ][]) {
      if (access === undefined) continue;
      const table = props.tables[key];
      const resources = [table.tableArn, `${table.tableArn}/index/*`];
      const scans = def.scans?.includes(key) ?? false;
      fn.addToRolePolicy(
        new PolicyStatement({ actions: [...DYNAMO_READ, ...(scans ? DYNAMO_SCAN : [])], resources }),
      );
      if (access !== 'readWrite') continue;
      const onlyKeys = def.writeOnlyKeys?.[key];
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: DYNAMO_WRITE,
          resources: [table.tableArn],
          // Writes only to items whose partition key is listed (e.g. the error journal, not the flags).
          ...(onlyKeys
            ? { conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...onlyKeys] } } }
            : {}),
        }),
      );
    }
    for (const key of def.queuesSend) props.queues[key].queue.grantSendMessages(fn);
    // Redrive: drain the DLQ (receive, delete, make visible again after a dry run), send to the queue.
    for (const key of def.queuesRedrive ?? []) {
      const { queue, deadLetterQueue } = props.queues[key];
      deadLetterQueue.grant(
        fn,
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      );
      queue.grantSendMessages(fn);
    }
    // Direct invocation of other functions, by ARN built from the name (no token, so no cycle).
    const invoked = (def.invokes ?? []).filter((other) => other in props.catalog);
    if (invoked.length > 0) {
      const stack = Stack.of(this);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: invoked.map(
            (other) =>
              `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:${physicalName.function(props.stage, other)}`,
          ),
        }),
      );
    }
    // Monitoring reads queue depths only: GetQueueAttributes on the queue and its DLQ, nothing else.
    for (const key of def.queuesMonitor) {
      const { queue, deadLetterQueue } = props.queues[key];
      for (const q of [queue, deadLetterQueue]) q.grant(fn, 'sqs:GetQueueAttributes');
    }
    if (def.executionMode === 'read' || def.executionMode === 'readWrite') props.executionMode.grantRead(fn);
    if (def.executionMode === 'readWrite') props.executionMode.grantWrite(fn);
    if (def.secretFields.length > 0) props.botSecret.grantRead(fn);
    // Deriving a user's delegate key is one GenerateMac; nothing else on that key (no VerifyMac,
    // no Describe), and the key id only where it can be used.
    if (def.delegateKey === 'mac') {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['kms:GenerateMac'], resources: [props.delegateKey.keyArn] }),
      );
      fn.addEnvironment(DELEGATE_KEY.envVar, props.delegateKey.keyArn);
    }
  }

  private trigger(
    name: string,
    id: string,
    fn: NodejsFunction,
    def: FunctionDef,
    props: FunctionsProps,
  ): FunctionUrl | undefined {
    const trigger = def.trigger;
    switch (trigger.kind) {
      case 'url': {
        // Telegram cannot sign requests: the handler checks X-Telegram-Bot-Api-Secret-Token instead.
        const url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
        acknowledgeRule(url, 'lambda_function_url_auth_check');
        // The two public permissions addFunctionUrl creates for authType NONE, and nothing else.
        for (const child of fn.node.children) {
          if (FUNCTION_URL_PERMISSION_IDS.includes(child.node.id)) {
            acknowledgeRule(child, 'lambda_function_public_access_prohibited_check');
          }
        }
        new CfnOutput(Stack.of(this), `${id}Url`, { value: url.url, description: `Function URL of ${name}` });
        return url;
      }
      case 'schedule':
        new Rule(this, `${id}Schedule`, {
          ruleName: `${physicalName.function(props.stage, name)}-schedule`,
          schedule:
            trigger.hourUtc === undefined
              ? Schedule.rate(Duration.minutes(trigger.everyMinutes))
              : Schedule.cron({ minute: '0', hour: String(trigger.hourUtc) }),
          targets: [new LambdaFunction(fn)],
        });
        return undefined;
      case 'invoke':
        // No trigger and no resource policy: only IAM principals granted lambda:InvokeFunction
        // (an operator's role, the webhook's admin commands) can run it.
        return undefined;
      case 'queue': {
        const visibility = QUEUES[trigger.queue].visibilityTimeoutSeconds;
        if (visibility < VISIBILITY_TO_TIMEOUT_RATIO * def.timeoutSeconds) {
          throw new Error(
            `Function ${name}: queue ${trigger.queue} has a visibility timeout of ${visibility}s, less than ` +
              `${VISIBILITY_TO_TIMEOUT_RATIO} x its ${def.timeoutSeconds}s timeout (AWS's guidance for ` +
              `event source mappings): a batch still being retried would be redelivered meanwhile.`,
          );
        }
        fn.addEventSource(
          new SqsEventSource(props.queues[trigger.queue].queue, {
            batchSize: trigger.batchSize,
            reportBatchItemFailures: true,
            ...(trigger.maxConcurrency === undefined ? {} : { maxConcurrency: trigger.maxConcurrency }),
          }),
        );
        return undefined;
      }
    }
  }
}

/** Every name in RESOURCE_ENV_VARS -> the physical name, URL or id it stands for. */
function resourceEnvironment(props: FunctionsProps): Record<string, string> {
  const values: Record<string, string> = {
    [EXECUTION_MODE_PARAMETER.envVar]: props.executionMode.parameterName,
    // The literal name, not the ARN (it ends in a random suffix) nor `secretName` (which, without a
    // feature flag, is parsed out of that ARN): the same id as the local stack uses.
    [BOT_SECRET.envVar]: physicalName.botSecret(props.stage),
  };
  for (const [key, def] of Object.entries(TABLES) as [TableKey, { envVar: string }][]) {
    values[def.envVar] = props.tables[key].tableName;
  }
  for (const [key, def] of Object.entries(QUEUES) as [QueueKey, { envVar: string }][]) {
    values[def.envVar] = props.queues[key].queue.queueUrl;
  }
  const missing = RESOURCE_ENV_VARS.filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`No value for resource env vars: ${missing.join(', ')}`);
  return values;
}

/**
 * The delegate key's policy denies the MAC operations to every principal but `roles`: an IAM policy
 * elsewhere in the account (an administrator's `kms:*`, a future function's careless grant) cannot
 * derive users' keys. With no such role, nobody can.
 */
function restrictDelegateKey(key: IKey, roles: readonly (IRole | undefined)[]): void {
  const arns = roles.flatMap((r) => (r ? [r.roleArn] : []));
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyDelegateKeyMacsExceptToSigningFunctions',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['kms:GenerateMac', 'kms:VerifyMac'],
      resources: ['*'],
      ...(arns.length > 0 ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': arns } } } : {}),
    }),
  );
}
