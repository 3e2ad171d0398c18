// The schedule and queue branches, which FUNCTIONS does not use yet: a test-only catalog goes through
// the same stack, with the policy checks on. Bundling is skipped (the stub entry has nothing to bundle).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlfaStack } from '../../lib/alfa-stack.js';
import { addPolicyChecks } from '../../lib/policy.js';
import { QUEUES, type FunctionDef } from '#core/resources.js';

const STAGE = 'cat';
let projectRoot: string;
const entry = 'functions/stub/handler.ts';
let stack: AlfaStack;
let template: Template;

const catalog = (stub: string) =>
  ({
    indexer: {
      entry: stub,
      trigger: { kind: 'schedule', everyMinutes: 1 },
      memoryMb: 1024,
      timeoutSeconds: 60,
      tables: { fills: 'readWrite', state: 'readWrite' },
      queuesSend: ['signals'],
      queuesMonitor: [],
      executionMode: 'readWrite',
      secretFields: ['executorKey'],
    },
    'signal-router': {
      entry: stub,
      trigger: { kind: 'queue', queue: 'signals', batchSize: 10 },
      memoryMb: 256,
      timeoutSeconds: 30,
      tables: { follows: 'read' },
      queuesSend: ['copies'],
      queuesMonitor: [],
      executionMode: 'read',
      secretFields: [],
    },
  }) satisfies Record<string, FunctionDef>;

const newApp = () =>
  new App({ outdir: path.join(projectRoot, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });

beforeAll(() => {
  // A throwaway project root holding the stub entry and the lock file NodejsFunction requires.
  projectRoot = mkdtempSync(path.join(tmpdir(), 'alfa-infra-'));
  mkdirSync(path.join(projectRoot, path.dirname(entry)), { recursive: true });
  writeFileSync(path.join(projectRoot, entry), 'export const handler = async () => ({});\n');
  writeFileSync(path.join(projectRoot, 'package-lock.json'), '{}\n');
  const app = newApp();
  addPolicyChecks(app);
  stack = new AlfaStack(app, 'alfa-cat', { stage: STAGE, functions: catalog(entry), projectRoot });
  app.synth(); // policy checks
  template = Template.fromStack(stack);
});
afterAll(() => rmSync(projectRoot, { recursive: true, force: true }));

const fnId = (name: string): string => {
  const f = stack.functions.all.find((x) => x.name === name);
  if (!f) throw new Error(name);
  return Stack.of(stack).getLogicalId(f.fn.node.defaultChild as CfnResource);
};

type Statement = { Action: string | string[]; Resource: unknown };
const actionList = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function statementsOf(name: string): Statement[] {
  const f = stack.functions.all.find((x) => x.name === name)!;
  const roleId = Stack.of(stack).getLogicalId(f.fn.role!.node.defaultChild as CfnResource);
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } }),
  ) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (name: string): string[] => statementsOf(name).flatMap(actionList);
const queueId = (key: keyof typeof QUEUES): string =>
  Stack.of(stack).getLogicalId(stack.queues.byKey[key].queue.node.defaultChild as CfnResource);

describe('queue trigger', () => {
  it('an SQS event source with partial batch responses and the batch size of the definition', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('signal-router') },
      EventSourceArn: { 'Fn::GetAtt': [queueId('signals'), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('refuses a consumer whose queue visibility is under 6x its timeout (AWS guidance)', () => {
    const slow = {
      ...catalog(entry)['signal-router'],
      timeoutSeconds: Math.floor(QUEUES.signals.visibilityTimeoutSeconds / 6) + 1,
    };
    expect(() => new AlfaStack(newApp(), 'slow', { stage: STAGE, functions: { slow }, projectRoot })).toThrow(
      /less than 6 x its/,
    );
  });
});

describe('schedule trigger', () => {
  it('an EventBridge rule every N minutes targeting the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId('indexer'), 'Arn'] } })],
    });
  });
  it('no function URL for non-url triggers', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
  });
});

describe('least privilege follows the definition', () => {
  it('signal-router: reads follows, sends to copies only, reads but cannot write the mode, no secret', () => {
    const actions = actionsOf('signal-router');
    expect(actions).toContain('dynamodb:Query');
    expect(actions).not.toContain('dynamodb:PutItem');
    const sends = statementsOf('signal-router').filter((st) => actionList(st).includes('sqs:SendMessage'));
    expect(sends.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [queueId('copies'), 'Arn'] }]);
    expect(actions).toContain('ssm:GetParameter');
    expect(actions).not.toContain('ssm:PutParameter');
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('indexer: writes its tables, sends signals, may flip the mode, reads the secret', () => {
    const actions = actionsOf('indexer');
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'sqs:SendMessage', 'ssm:PutParameter']),
    );
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  it('each function has its own errors alarm', () => {
    for (const name of ['indexer', 'signal-router']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(name) } }],
      });
    }
  });
});
