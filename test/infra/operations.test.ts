// Operations in the synthesized stack: every alarm (metric, threshold, missing-data treatment, the
// SNS topic), the flow dashboard, tracing, queue retention and visibility, and least privilege for
// the admin function and the public webhook. The catalog is FUNCTIONS itself with a stub entry, so
// bundling is skipped and the grants are exactly what resources.ts says.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlfaStack } from '../../lib/alfa-stack.js';
import {
  MAX_COPY_FAILURE_PERCENT,
  MAX_INDEXER_LAG_BLOCKS,
  MAX_QUEUE_AGE_SECONDS,
  NEAR_TIMEOUT_RATIO,
} from '../../lib/alarms.js';
import { addPolicyChecks } from '../../lib/policy.js';
import { emitsMetric } from './code-path.js';
import {
  DELEGATE_KEY,
  FUNCTIONS,
  METRIC_SOURCES,
  QUEUES,
  TABLES,
  VISIBILITY_TO_TIMEOUT_RATIO,
  physicalName,
  type FunctionDef,
} from '#core/resources.js';

const STAGE = 'ops';
const entry = 'functions/stub/handler.ts';
let projectRoot: string;

const stubbed = (catalog: Readonly<Record<string, FunctionDef>>): Record<string, FunctionDef> =>
  Object.fromEntries(Object.entries(catalog).map(([name, def]) => [name, { ...def, entry }]));

function synth(stage: string, catalog: Readonly<Record<string, FunctionDef>> = FUNCTIONS) {
  const app = new App({
    outdir: mkdtempSync(path.join(projectRoot, 'out-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  addPolicyChecks(app);
  const stack = new AlfaStack(app, `alfa-${stage}`, { stage, functions: stubbed(catalog), projectRoot });
  app.synth(); // the policy checks run here and throw on a violation
  return { stack, template: Template.fromStack(stack) };
}

let stack: AlfaStack;
let template: Template;
let prodTemplate: Template | undefined;
/** A prod stack with a small catalog (synth takes seconds per function), made once. */
const prod = (): Template =>
  (prodTemplate ??= synth('prod', { leaderboard: FUNCTIONS.leaderboard, copier: FUNCTIONS.copier }).template);

beforeAll(() => {
  projectRoot = mkdtempSync(path.join(tmpdir(), 'alfa-ops-'));
  mkdirSync(path.join(projectRoot, path.dirname(entry)), { recursive: true });
  writeFileSync(path.join(projectRoot, entry), 'export const handler = async () => ({});\n');
  writeFileSync(path.join(projectRoot, 'package-lock.json'), '{}\n');
  ({ stack, template } = synth(STAGE));
});
afterAll(() => rmSync(projectRoot, { recursive: true, force: true }));

const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  Stack.of(stack).getLogicalId(c.node.defaultChild as CfnResource);

type AlarmProps = Record<string, unknown> & {
  AlarmName: string;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  EvaluationPeriods: number;
  AlarmActions: unknown[];
  OKActions: unknown[];
  MetricName?: string;
  Statistic?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: { MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
      Stat: string;
    };
  }[];
};
const alarms = (): AlarmProps[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (r) => (r as { Properties: AlarmProps }).Properties,
  );
const alarm = (what: string): AlarmProps => {
  const found = alarms().find((a) => a.AlarmName === physicalName.alarm(STAGE, what));
  if (!found) throw new Error(`no alarm ${what}`);
  return found;
};
/** The metric names an alarm reads, directly or inside its math. */
const metricsOf = (a: AlarmProps): string[] =>
  a.MetricName
    ? [a.MetricName]
    : (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
/** The `service` dimensions an alarm reads: its one metric's, or each of its math's metrics'. */
const servicesOf = (a: AlarmProps): string[] =>
  [...(a.Dimensions ?? []), ...(a.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric.Dimensions ?? [])]
    .filter((d) => d.Name === 'service')
    .map((d) => String(d.Value));

describe('alarms', () => {
  it.each([
    // what, metric, threshold, comparison, missing data
    ['indexer-lag', 'IndexerLagBlocks', MAX_INDEXER_LAG_BLOCKS, 'GreaterThanThreshold', 'notBreaching'],
    ['indexer-not-running', 'IndexerLagBlocks', 1, 'LessThanThreshold', 'breaching'],
    ['indexer-recorded-errors', 'IndexerErrors', 5, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['unknown-topics', 'UnknownTopicLogs', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['undecodable-logs', 'UndecodableLogs', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['live-switched-on', 'ModeSetLive', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['emergency-stop-set', 'EmergencyStopSet', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['copy-failure-rate', 'CopyFailed', MAX_COPY_FAILURE_PERCENT, 'GreaterThanThreshold', 'notBreaching'],
    ['copy-cancel-rate', 'CopyCanceled', 25, 'GreaterThanThreshold', 'notBreaching'],
    ['intents-stuck', 'IntentsStuck', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['telegram-429', 'TelegramRetryAfter', 10, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['telegram-403', 'TelegramForbidden', 20, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['webhook-update-failed', 'UpdateFailed', 3, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
    ['webhook-5xx', 'Url5xxCount', 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
  ] as const)(
    '%s: on %s, threshold %d (%s), missing data %s',
    (what, metric, threshold, comparison, missing) => {
      const a = alarm(what);
      expect(metricsOf(a)).toContain(metric);
      expect(a).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: comparison,
        TreatMissingData: missing,
      });
    },
  );

  it('reads each custom metric from every function METRIC_SOURCES names, in namespace Alfa', () => {
    const lag = alarm('indexer-not-running');
    expect(lag).toMatchObject({
      Namespace: 'Alfa',
      Statistic: 'SampleCount',
      Dimensions: [{ Name: 'service', Value: 'indexer' }],
    });
    expect(servicesOf(alarm('telegram-429')).sort()).toEqual([...METRIC_SOURCES.TelegramRetryAfter].sort());
    // A rate only over enough finished copies, all three outcomes counted.
    const rate = alarm('copy-failure-rate');
    expect(metricsOf(rate).sort()).toEqual(
      ['CopyCanceled', 'CopyExecuted', 'CopyFailed', 'CopyCanceled', 'CopyExecuted', 'CopyFailed'].sort(),
    );
    expect(rate.Metrics?.find((m) => m.Expression?.startsWith('IF('))?.Expression).toMatch(/total >= 3/);
  });

  it("every alarm's custom metric is emitted by the code of each function its dimension names", async () => {
    type Metric = { Namespace?: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    const read: Metric[] = alarms().flatMap((a) =>
      a.MetricName
        ? [a as unknown as Metric]
        : (a.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric as Metric] : [])),
    );
    const pairs = new Set(
      read
        .filter((m) => m.Namespace === 'Alfa')
        .flatMap((m) =>
          (m.Dimensions ?? [])
            .filter((d) => d.Name === 'service')
            .map((d) => `${m.MetricName} ${String(d.Value)}`),
        ),
    );
    expect(pairs.size).toBeGreaterThan(10);
    const silent: string[] = [];
    for (const pair of pairs) {
      const [metric, service] = pair.split(' ') as [string, string];
      const def = (FUNCTIONS as Record<string, FunctionDef>)[service];
      if (!def || (await emitsMetric(def.entry, metric)).length === 0) silent.push(pair);
    }
    expect(silent).toEqual([]);
  });

  it('every function: errors, throttles and runs near its timeout', () => {
    for (const [name, def] of Object.entries(FUNCTIONS)) {
      expect(metricsOf(alarm(`${name}-errors`))).toEqual(['Errors']);
      expect(metricsOf(alarm(`${name}-throttles`))).toEqual(['Throttles']);
      const slow = alarm(`${name}-near-timeout`);
      expect(slow).toMatchObject({ MetricName: 'Duration', Statistic: 'Maximum' });
      expect(slow.Threshold).toBe(Math.round(NEAR_TIMEOUT_RATIO * def.timeoutSeconds * 1000));
    }
  });

  it('every queue: DLQ not empty and oldest message age; every table: throttles', () => {
    for (const key of Object.keys(QUEUES)) {
      expect(alarm(`${key}-dlq-not-empty`)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      });
      expect(alarm(`${key}-behind`)).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: MAX_QUEUE_AGE_SECONDS,
      });
    }
    for (const key of Object.keys(TABLES)) {
      expect(metricsOf(alarm(`${key}-table-throttles`)).sort()).toEqual([
        'ReadThrottleEvents',
        'WriteThrottleEvents',
      ]);
    }
  });

  it('every alarm is named alfa-<stage>-..., notifies the topic on alarm and on OK, and only the dead indexer breaches on no data', () => {
    const topic = { Ref: logicalId(stack.alarmTopic) };
    for (const a of alarms()) {
      expect(a.AlarmName.startsWith(`alfa-${STAGE}-`)).toBe(true);
      expect(a.AlarmActions).toEqual([topic]);
      expect(a.OKActions).toEqual([topic]);
      expect(a.TreatMissingData, a.AlarmName).toBe(
        a.AlarmName === physicalName.alarm(STAGE, 'indexer-not-running') ? 'breaching' : 'notBreaching',
      );
    }
  });
});

describe('runbook', () => {
  it('docs/RUNBOOK.md has a section named after every alarm, exactly', () => {
    const runbook = readFileSync(path.resolve(import.meta.dirname, '../../docs/RUNBOOK.md'), 'utf8');
    const headings = new Set(
      [...runbook.matchAll(/^#{2,4} `(alfa-<stage>-[a-z0-9-]+)`$/gm)].map((m) => m[1] as string),
    );
    const missing = alarms()
      .map((a) => a.AlarmName.replace(`alfa-${STAGE}-`, 'alfa-<stage>-'))
      .filter((name) => !headings.has(name));
    expect(missing).toEqual([]);
  });

  it('covers go-live, rollback, incident levels and a post-mortem template', () => {
    const runbook = readFileSync(path.resolve(import.meta.dirname, '../../docs/RUNBOOK.md'), 'utf8');
    for (const section of ['## Go-live', '## Rollback', '## Incident levels', '## Post-mortem template']) {
      expect(runbook).toContain(section);
    }
    expect(runbook).toMatch(/\*\*P0\*\*.*\n.*\*\*P1\*\*.*\n.*\*\*P2\*\*/);
  });
});

describe('dashboard', () => {
  it('shows the flow: lag, signals, alerts and 429s, copies by outcome, p95 latencies, errors per function', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    const [only] = Object.values(dashboards) as {
      Properties: { DashboardName: string; DashboardBody: unknown };
    }[];
    expect(only?.Properties.DashboardName).toBe(`alfa-${STAGE}-flow`);
    const body = JSON.stringify(only?.Properties.DashboardBody);
    for (const title of [
      'Indexer lag',
      'Signals per minute',
      'Alerts sent and Telegram 429s',
      'Copies by outcome',
      'Latency p95',
      'Errors per function',
    ]) {
      expect(body).toContain(title);
    }
    for (const metric of [
      'IndexerLagBlocks',
      'NumberOfMessagesSent',
      'AlertsSent',
      'TelegramRetryAfter',
      'CopyExecuted',
      'CopyCanceled',
      'CopyFailed',
      'ChainToAlertMs',
      'SignalToAcceptedMs',
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('p95');
  });
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
function statementsOf(name: string): Statement[] {
  const f = stack.functions.all.find((x) => x.name === name);
  if (!f) throw new Error(name);
  const roleId = Stack.of(stack).getLogicalId(f.fn.role!.node.defaultChild as CfnResource);
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } }),
  ).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const actionsOf = (name: string) => statementsOf(name).flatMap(actions);
const tableOf = (s: Statement) =>
  JSON.stringify(s.Resource)
    .match(/Tables([A-Z][a-z]+)[0-9A-F]{8}/)?.[1]
    ?.toLowerCase();

const envOf = (name: string): Record<string, unknown> =>
  (
    template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: physicalName.function(STAGE, name) },
    }) as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>
  )[logicalId(stack.functions.all.find((f) => f.name === name)!.fn)]!.Properties.Environment.Variables;

describe('least privilege', () => {
  it('the admin function is invoked directly only: no URL, no schedule, no queue trigger', () => {
    const adminId = logicalId(stack.functions.all.find((f) => f.name === 'admin')!.fn);
    expect(JSON.stringify(template.findResources('AWS::Lambda::Url'))).not.toContain(adminId);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain(adminId);
    expect(JSON.stringify(template.findResources('AWS::Lambda::EventSourceMapping'))).not.toContain(adminId);
    expect(JSON.stringify(template.findResources('AWS::Lambda::Permission'))).not.toContain(adminId);
  });

  it('the admin may set the switch, read the bot secret, redrive DLQs and Scan only follows and intents', () => {
    const a = actionsOf('admin');
    expect(a).toEqual(
      expect.arrayContaining([
        'ssm:PutParameter',
        'secretsmanager:GetSecretValue',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:SendMessage',
      ]),
    );
    const scanned = statementsOf('admin')
      .filter((s) => actions(s).includes('dynamodb:Scan'))
      .map(tableOf);
    expect(scanned.sort()).toEqual(['follows', 'intents']);
    expect(a.filter((x) => x.startsWith('kms:'))).toEqual([]);
  });

  it('the webhook cannot set the switch, write operator flags, or reach signing material; it may invoke the admin', () => {
    const statements = statementsOf('telegram-webhook');
    const a = statements.flatMap(actions);
    expect(a).not.toContain('ssm:PutParameter');
    expect(a.filter((x) => x.startsWith('kms:'))).toEqual([]);
    // State-table writes only to the error journal's item.
    const stateWrites = statements.filter(
      (s) => tableOf(s) === 'state' && actions(s).includes('dynamodb:UpdateItem'),
    );
    expect(stateWrites).toHaveLength(1);
    expect(stateWrites[0]?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['errors'] },
    });
    // The one secret it reads is the bot secret (token and webhook secret).
    const secrets = statements.filter((s) => actions(s).some((x) => x.startsWith('secretsmanager:')));
    expect(JSON.stringify(secrets.map((s) => s.Resource))).toMatch(/BotSecret/);
    expect(secrets).toHaveLength(1);
    const invoke = statements.filter((s) => actions(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke.map((s) => s.Resource))).toContain(
      `function:${physicalName.function(STAGE, 'admin')}`,
    );
  });

  it('the delegate key is an HMAC_256 key for MACs only, never rotated, kept in prod', () => {
    const keyOf = (t: Template) =>
      Object.values(t.findResources('AWS::KMS::Key', { Properties: { KeySpec: DELEGATE_KEY.keySpec } })) as {
        Properties: Record<string, unknown>;
        DeletionPolicy: string;
      }[];
    const [key, ...others] = keyOf(template);
    expect(others).toEqual([]);
    expect(key?.Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      EnableKeyRotation: false,
    });
    expect(key?.DeletionPolicy).toBe('Delete');
    expect(keyOf(prod())[0]?.DeletionPolicy).toBe('Retain');
    expect(keyOf(prod())[0]?.Properties.PendingWindowInDays).toBe(30);
  });

  it("only the functions marked delegateKey 'mac' may GenerateMac on the delegate key, and only they know its id", () => {
    const keyRef = { 'Fn::GetAtt': [logicalId(stack.delegateKey), 'Arn'] };
    const marked = Object.entries(FUNCTIONS)
      .filter(([, def]) => (def as FunctionDef).delegateKey === 'mac')
      .map(([name]) => name);
    expect(marked.sort()).toEqual(['copier', 'delegate-address']);
    for (const name of Object.keys(FUNCTIONS)) {
      const kms = statementsOf(name).filter((s) => actions(s).some((x) => x.startsWith('kms:')));
      if (marked.includes(name)) {
        expect(
          kms.map((s) => ({ a: actions(s), r: s.Resource })),
          name,
        ).toEqual([{ a: ['kms:GenerateMac'], r: keyRef }]);
        expect(envOf(name)[DELEGATE_KEY.envVar], name).toEqual(keyRef);
      } else {
        expect(kms, name).toEqual([]);
        expect(envOf(name)[DELEGATE_KEY.envVar], name).toBeUndefined();
      }
    }
  });

  it('the delegate key policy denies MACs to every principal but the marked roles (the webhook included)', () => {
    const [key] = Object.values(
      template.findResources('AWS::KMS::Key', { Properties: { KeySpec: DELEGATE_KEY.keySpec } }),
    ) as { Properties: { KeyPolicy: { Statement: (Statement & { Effect: string; Sid?: string })[] } } }[];
    const deny = key?.Properties.KeyPolicy.Statement.find((s) => actions(s).includes('kms:GenerateMac'));
    expect(deny?.Effect).toBe('Deny');
    const roleArn = (name: string) => ({
      'Fn::GetAtt': [
        Stack.of(stack).getLogicalId(
          stack.functions.all.find((f) => f.name === name)!.fn.role!.node.defaultChild as CfnResource,
        ),
        'Arn',
      ],
    });
    const allowed = (deny?.Condition as { ArnNotEquals: { 'aws:PrincipalArn': unknown[] } }).ArnNotEquals[
      'aws:PrincipalArn'
    ];
    expect(allowed).toHaveLength(2);
    expect(allowed).toEqual(expect.arrayContaining([roleArn('copier'), roleArn('delegate-address')]));
    expect(allowed).not.toContainEqual(roleArn('telegram-webhook'));
    // No statement of the key policy allows a function role anything.
    const allows = key!.Properties.KeyPolicy.Statement.filter((s) => s.Effect === 'Allow');
    expect(JSON.stringify(allows)).not.toMatch(/ServiceRole/);
  });

  it('the webhook knows the admin by name, the admin knows the reconciler and the webhook URL', () => {
    const env = envOf;
    expect(env('telegram-webhook').ADMIN_FUNCTION_NAME).toBe(physicalName.function(STAGE, 'admin'));
    expect(env('admin').RECONCILER_FUNCTION_NAME).toBe(physicalName.function(STAGE, 'reconciler'));
    expect(JSON.stringify(env('admin').WEBHOOK_URL)).toContain('FunctionUrl');
    expect(env('telegram-webhook').WEBHOOK_URL).toBeUndefined();
  });

  it('nobody gets stream actions, and Scan only where the definition lists the table', () => {
    for (const [name, def] of Object.entries(FUNCTIONS) as [string, FunctionDef][]) {
      const statements = statementsOf(name);
      const a = statements.flatMap(actions);
      for (const stream of [
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        'dynamodb:ListStreams',
      ]) {
        expect(a, `${name} ${stream}`).not.toContain(stream);
      }
      const scanned = statements
        .filter((s) => actions(s).includes('dynamodb:Scan'))
        .map(tableOf)
        .sort();
      expect(scanned, name).toEqual([...(def.scans ?? [])].sort());
    }
  });
});

describe('functions and queues', () => {
  it('every function has active X-Ray tracing', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect((fn as { Properties: { TracingConfig?: unknown } }).Properties.TracingConfig).toEqual({
        Mode: 'Active',
      });
    }
  });

  it('the digest runs once a day at its hour, UTC', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: `${physicalName.function(STAGE, 'digest')}-schedule`,
      ScheduleExpression: `cron(0 ${FUNCTIONS.digest.trigger.hourUtc} * * ? *)`,
    });
  });

  it(`every queue's visibility timeout is at least ${VISIBILITY_TO_TIMEOUT_RATIO}x its consumer's timeout`, () => {
    for (const [name, def] of Object.entries(FUNCTIONS) as [string, FunctionDef][]) {
      if (def.trigger.kind !== 'queue') continue;
      expect(QUEUES[def.trigger.queue].visibilityTimeoutSeconds, name).toBeGreaterThanOrEqual(
        VISIBILITY_TO_TIMEOUT_RATIO * def.timeoutSeconds,
      );
    }
  });

  it('synth refuses a consumer whose queue visibility is under 6x its timeout', () => {
    const [queue] = Object.keys(QUEUES) as (keyof typeof QUEUES)[];
    const slow: FunctionDef = {
      ...FUNCTIONS.leaderboard,
      trigger: { kind: 'queue', queue: queue!, batchSize: 1 },
      timeoutSeconds: Math.ceil(QUEUES[queue!].visibilityTimeoutSeconds / VISIBILITY_TO_TIMEOUT_RATIO) + 1,
    };
    expect(() => synth('slow', { slow })).toThrow(/less than 6 x/);
  });

  it('queues are kept when a prod stack is deleted, and go with a dev stack', () => {
    const policies = (t: Template) =>
      Object.values(t.findResources('AWS::SQS::Queue')).map(
        (q) => (q as { DeletionPolicy: string }).DeletionPolicy,
      );
    expect(new Set(policies(prod()))).toEqual(new Set(['Retain']));
    expect(new Set(policies(template))).toEqual(new Set(['Delete']));
  });
});
