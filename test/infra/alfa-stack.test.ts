// The real stack (FUNCTIONS, real bundling) synthesized once, with the policy checks on, as `cdk synth`
// does it. Each assertion is derived from layers/core/resources.ts, not from a copy of it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlfaStack, WEBHOOK_SECRET_LENGTH } from '../../lib/alfa-stack.js';
import { CHART_ASSET_FILES } from '../../lib/functions.js';
import { pascal } from '../../lib/names.js';
import { addPolicyChecks } from '../../lib/policy.js';
import {
  ALERT_SENDERS,
  EXECUTION_MODE_PARAMETER,
  FUNCTIONS,
  QUEUES,
  RESOURCE_ENV_VARS,
  TABLES,
  physicalName,
  type TableKey,
} from '#core/resources.js';

const STAGE = 'test';

let app: App;
let stack: AlfaStack;
let template: Template;
let assembly: CloudAssembly;

let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'alfa-infra-out-'));
  app = new App({ outdir });
  addPolicyChecks(app);
  stack = new AlfaStack(app, 'alfa-test', {
    stage: STAGE,
    operatorEnv: {
      ADMIN_USER_IDS: '42',
      RPC_URLS: 'https://rpc.example',
    },
  });
  assembly = app.synth(); // throws if a policy rule fails
  template = Template.fromStack(stack);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
  Stack.of(stack).getLogicalId(construct.node.defaultChild as CfnResource);

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

/** Every statement of every IAM policy attached to the role of `functionName`. */
function statementsOf(functionName: string): Statement[] {
  const fn = stack.functions.all.find((f) => f.name === functionName);
  if (!fn) throw new Error(`no function ${functionName}`);
  const roleId = logicalId(fn.fn.role as unknown as { node: { defaultChild?: unknown } });
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('tables', () => {
  const entries = Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][];

  it('creates exactly one table per definition', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', entries.length);
  });

  it.each(entries)('%s: keys, on-demand, SSE, PITR and TTL per definition', (key, def) => {
    const keySchema = [{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }];
    if ('sortKey' in def) keySchema.push({ AttributeName: def.sortKey.name, KeyType: 'RANGE' });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: physicalName.table(STAGE, key),
      KeySchema: keySchema,
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: def.pointInTimeRecovery },
      TimeToLiveSpecification:
        'timeToLiveAttribute' in def
          ? { AttributeName: def.timeToLiveAttribute, Enabled: true }
          : Match.absent(),
    });
  });

  it('dedupe expires records through its TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: physicalName.table(STAGE, 'dedupe'),
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('follows has the byTrader reverse index projecting only what routing reads', () => {
    const index = TABLES.follows.indexes[0];
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: physicalName.table(STAGE, 'follows'),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTrader',
          KeySchema: [
            { AttributeName: 'trader', KeyType: 'HASH' },
            { AttributeName: 'userId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
        },
      ],
    });
  });

  it('keeps PITR tables on stack deletion; outside prod, the others go', () => {
    for (const [key, def] of entries) {
      const resource = template.findResources('AWS::DynamoDB::Table', {
        Properties: { TableName: physicalName.table(STAGE, key) },
      });
      const [only] = Object.values(resource) as { DeletionPolicy: string }[];
      expect(only?.DeletionPolicy, key).toBe(def.pointInTimeRecovery ? 'Retain' : 'Delete');
    }
  });
});

describe('queues', () => {
  it.each(Object.entries(QUEUES))('%s: FIFO, encrypted, TLS only, own FIFO DLQ with redrive', (key, def) => {
    const k = key as keyof typeof QUEUES;
    const dlqId = logicalId(stack.queues.byKey[k].deadLetterQueue);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: physicalName.queue(STAGE, k),
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: def.visibilityTimeoutSeconds,
      MessageRetentionPeriod: def.retentionDays * 86_400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: def.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: physicalName.deadLetterQueue(STAGE, k),
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
      RedrivePolicy: Match.absent(),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('execution mode and secret', () => {
  it('the switch starts at DRY', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: physicalName.executionModeParameter(STAGE),
      Type: 'String',
      Value: 'DRY',
    });
    expect(EXECUTION_MODE_PARAMETER.defaultValue).toBe('DRY');
  });

  it('the webhook secret is generated by CloudFormation in Telegram-safe characters; the rest are placeholders', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: physicalName.botSecret(STAGE),
      GenerateSecretString: {
        GenerateStringKey: 'webhookSecret',
        ExcludePunctuation: true,
        IncludeSpace: false,
        PasswordLength: WEBHOOK_SECRET_LENGTH,
        SecretStringTemplate: JSON.stringify({ botToken: '', executorKey: '' }),
      },
      SecretString: Match.absent(),
    });
    expect(WEBHOOK_SECRET_LENGTH).toBeGreaterThanOrEqual(32);
  });
});

describe('functions', () => {
  it('one Lambda per definition: nodejs22.x on arm64, sizes from the definition', () => {
    template.resourceCountIs('AWS::Lambda::Function', Object.keys(FUNCTIONS).length);
    for (const [name, def] of Object.entries(FUNCTIONS)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: physicalName.function(STAGE, name),
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: def.memoryMb,
        Timeout: def.timeoutSeconds,
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      });
    }
  });

  it('every function gets every resource env var, its identity and the operator settings', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(fns) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[]) {
      const vars = fn.Properties.Environment.Variables;
      for (const name of RESOURCE_ENV_VARS) expect(vars, name).toHaveProperty(name);
      expect(vars).toMatchObject({
        STAGE,
        POWERTOOLS_METRICS_NAMESPACE: 'Alfa',
        NODE_OPTIONS: '--enable-source-maps',
        ADMIN_USER_IDS: '42',
        RPC_URLS: 'https://rpc.example',
        SECRET_ID: physicalName.botSecret(STAGE),
        PARAM_EXECUTION_MODE: { Ref: logicalId(stack.node.findChild('ExecutionMode')) },
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'telegram-webhook' }) },
    });
  });

  it('each function logs to its own encrypted log group kept a year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/lambda/${physicalName.function(STAGE, 'telegram-webhook')}`,
      RetentionInDays: 365,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('the webhook has a public Function URL (Telegram cannot sign) and an output for it', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    template.hasOutput('TelegramWebhookUrl', { Value: Match.anyValue() });
  });

  it('the bundle is an ESM file with the require banner and a source map', () => {
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const fnResource = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Code: { S3Key: string } };
    };
    const hash = fnResource.Properties.Code.S3Key.replace(/\.zip$/, '');
    const dir = path.join(artifact.assembly.directory, `asset.${hash}`);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __alfaCreateRequire } from 'node:module';")).toBe(true);
    expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
  });

  it('the afterBundling hook ships the chart assets next to the handler of chart-rendering functions only', () => {
    const bundleOf = (name: string) => {
      const resource = template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: physicalName.function(STAGE, name) },
      });
      const [only] = Object.values(resource) as { Properties: { Code: { S3Key: string } } }[];
      return path.join(assembly.directory, `asset.${only!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    };
    for (const [name, def] of Object.entries(FUNCTIONS) as [string, { chartAssets?: boolean }][]) {
      for (const file of Object.values(CHART_ASSET_FILES)) {
        expect(existsSync(path.join(bundleOf(name), file)), `${name} ${file}`).toBe(def.chartAssets === true);
      }
    }
  });
});

describe('least privilege: telegram-webhook', () => {
  const def = FUNCTIONS['telegram-webhook'];

  it('DynamoDB only on the tables its definition lists', () => {
    const dynamo = statementsOf('telegram-webhook').filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
    );
    const granted = new Set(
      JSON.stringify(dynamo.map((s) => s.Resource)).match(/Tables[A-Za-z]+[0-9A-F]{8}/g),
    );
    const expected = Object.keys(def.tables).map((k) => logicalId(stack.tables.byKey[k as TableKey]));
    expect([...granted].sort()).toEqual(expected.sort());
    for (const other of Object.keys(TABLES).filter((k) => !(k in def.tables))) {
      expect(granted.has(logicalId(stack.tables.byKey[other as TableKey])), other).toBe(false);
    }
  });

  it('reads the bot secret and queue depths; sends nothing and cannot set the mode (the admin function does)', () => {
    const statements = statementsOf('telegram-webhook');
    const actions = actionsOf(statements);
    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(actions).not.toContain('sqs:SendMessage');
    // Monitoring queues: depth reads only, on its listed queues and their DLQs.
    expect([...new Set(actions.filter((a) => a.startsWith('sqs:')))]).toEqual(
      def.queuesMonitor.length > 0 ? ['sqs:GetQueueAttributes'] : [],
    );
    expect(actions).not.toContain('ssm:PutParameter');
    expect(actions).toContain('ssm:GetParameter');
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
    expect(
      actions.filter((a) => a.includes('*') && !a.startsWith('dynamodb:') && !a.startsWith('ssm:')),
    ).toEqual([]);
  });

  it('lets no function use kms:Sign: copies are signed by per-user delegate keys derived with GenerateMac', () => {
    for (const name of Object.keys(FUNCTIONS))
      expect(actionsOf(statementsOf(name)), name).not.toContain('kms:Sign');
  });

  it('runs the Telegram sender in at most ALERT_SENDERS containers, each pacing its chats', () => {
    // Prepare: the free rate is one schedule they share; the paid-broadcast shares add up to the
    // bot's rate only if no more containers run.
    const trigger = FUNCTIONS.alerter.trigger;
    // Assess
    expect(trigger).toMatchObject({ kind: 'queue', maxConcurrency: ALERT_SENDERS });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: Match.anyValue(),
      ScalingConfig: { MaximumConcurrency: ALERT_SENDERS },
    });
    expect(FUNCTIONS.alerter.perContainerState).toBe(true);
  });

  it('the indexer and the leaderboard cannot touch the execution mode or the secret', () => {
    for (const name of ['indexer', 'leaderboard'] as const) {
      const actions = actionsOf(statementsOf(name));
      expect(
        actions.filter((a) => a.startsWith('ssm:') || a.startsWith('secretsmanager:')),
        name,
      ).toEqual([]);
    }
  });
});

describe('alarms and outputs', () => {
  it('DLQ not empty, queue behind, function errors; all notify the encrypted topic', () => {
    const topicId = logicalId(stack.alarmTopic);
    for (const key of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(stack.queues.byKey[key].deadLetterQueue), 'QueueName'] },
          },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(stack.queues.byKey[key].queue), 'QueueName'] },
          },
        ],
        Threshold: 300,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Period: 300,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    // Each alarm's metric and threshold: test/infra/operations.test.ts.
    template.resourceCountIs('AWS::CloudWatch::Alarm', stack.alarms.all.length);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('outputs the names an operator needs', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'TelegramWebhookUrl',
        'UsersTableName',
        'DedupeTableName',
        ...Object.keys(QUEUES).map((k) => `${pascal(k)}QueueUrl`),
        'ExecutionModeParameterName',
        'BotSecretName',
        'AlarmTopicArn',
        'DelegateKeyArn',
      ]),
    );
  });
});

describe('policy checks', () => {
  it('ran on this synth, passed, and recorded each acknowledgement with its reason', () => {
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations?: { ruleName: string; reason: string; acknowledgedAt: string }[];
      }[];
    };
    const guard = report.pluginReports.find((r) => r.pluginName === 'cdk-validator-cfnguard');
    expect(guard?.conclusion).toBe('success');
    expect(guard?.violations).toEqual([]);
    const acknowledged = new Set(
      guard?.suppressedViolations?.map((v) => `${v.ruleName} @ ${v.acknowledgedAt}`),
    );
    // Exactly where lib/ acknowledges a rule, derived from the definitions, and nowhere else.
    const expected = [
      ...Object.entries(TABLES)
        .filter(([, def]) => !def.pointInTimeRecovery)
        .map(([key]) => `dynamodb_table_pitr_enabled_check @ alfa-test/Tables/${pascal(key)}`),
      ...Object.keys(QUEUES).map((key) => `sqs_dlq_check @ alfa-test/Queues/${pascal(key)}Dlq`),
      ...Object.entries(FUNCTIONS).flatMap(([name, def]) => {
        const at = `alfa-test/Functions/${pascal(name)}`;
        return [
          `lambda_inside_vpc_check @ ${at}`,
          ...(def.trigger.kind === 'url'
            ? [
                `lambda_function_url_auth_check @ ${at}/FunctionUrl`,
                `lambda_function_public_access_prohibited_check @ ${at}/invoke-function-url`,
                `lambda_function_public_access_prohibited_check @ ${at}/invoke-function`,
              ]
            : []),
        ];
      }),
    ];
    expect([...acknowledged].sort()).toEqual(expected.sort());
    for (const v of guard?.suppressedViolations ?? []) expect(v.reason.length).toBeGreaterThan(40);
  });
});
