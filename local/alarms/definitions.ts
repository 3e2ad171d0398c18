// Alfa's alarms as the deployed stack defines them: AlfaStack is built for the stage with a stub
// entry and no bundling (as test/infra/operations.test.ts does), each AWS::CloudWatch::Alarm is
// resolved to its CloudFormation properties, and the Refs in its dimensions are replaced by the
// physical names of the functions, queues and tables they point at. About 2 s, once per start.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { FUNCTIONS, type FunctionDef } from '#core/resources.js';
import { STATISTICS, type AlarmDefinition, type MetricQuery } from './evaluate.js';

const Dimension = z.object({ Name: z.string(), Value: z.unknown() });
const MetricStat = z.object({
  Metric: z.object({
    Namespace: z.string(),
    MetricName: z.string(),
    Dimensions: z.array(Dimension).optional(),
  }),
  Period: z.number().int().positive(),
  Stat: z.enum(STATISTICS),
});
export const AlarmPropertiesSchema = z.object({
  AlarmName: z.string(),
  ComparisonOperator: z.enum([
    'GreaterThanOrEqualToThreshold',
    'GreaterThanThreshold',
    'LessThanThreshold',
    'LessThanOrEqualToThreshold',
  ]),
  Threshold: z.number(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive().optional(),
  TreatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).optional(),
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Statistic: z.enum(STATISTICS).optional(),
  Period: z.number().int().positive().optional(),
  Dimensions: z.array(Dimension).optional(),
  Metrics: z
    .array(
      z.object({
        Id: z.string(),
        Expression: z.string().optional(),
        MetricStat: MetricStat.optional(),
        ReturnData: z.boolean().optional(),
        Period: z.number().int().positive().optional(),
      }),
    )
    .optional(),
});
export type AlarmProperties = z.infer<typeof AlarmPropertiesSchema>;

/** A Ref or Fn::GetAtt in a dimension: the name of what it points at. */
export type NameOf = (value: unknown) => string;

/** One alarm's CloudFormation properties as the evaluator's definition. */
export function toDefinition(props: AlarmProperties, nameOf: NameOf): AlarmDefinition {
  const dims = (d: readonly { Name: string; Value: unknown }[] | undefined) =>
    Object.fromEntries((d ?? []).map((x) => [x.Name, nameOf(x.Value)]));
  const common = {
    name: props.AlarmName,
    threshold: props.Threshold,
    comparison: props.ComparisonOperator,
    evaluationPeriods: props.EvaluationPeriods,
    datapointsToAlarm: props.DatapointsToAlarm ?? props.EvaluationPeriods,
    // CloudFormation's default.
    treatMissingData: props.TreatMissingData ?? 'missing',
  } as const;
  if (props.MetricName !== undefined) {
    if (!props.Namespace || !props.Statistic || !props.Period)
      throw new Error(`alarm ${props.AlarmName}: a metric without namespace, statistic or period`);
    const query: MetricQuery = {
      id: 'm',
      metric: {
        namespace: props.Namespace,
        metricName: props.MetricName,
        dimensions: dims(props.Dimensions),
      },
      stat: props.Statistic,
      periodSeconds: props.Period,
    };
    return { ...common, metric: { kind: 'metric', query } };
  }
  const metrics = props.Metrics ?? [];
  const returned = metrics.filter((m) => m.ReturnData !== false);
  if (returned.length !== 1)
    throw new Error(`alarm ${props.AlarmName}: ${returned.length} series return data`);
  const queries: MetricQuery[] = metrics.flatMap((m) =>
    m.MetricStat
      ? [
          {
            id: m.Id,
            metric: {
              namespace: m.MetricStat.Metric.Namespace,
              metricName: m.MetricStat.Metric.MetricName,
              dimensions: dims(m.MetricStat.Metric.Dimensions),
            },
            stat: m.MetricStat.Stat,
            periodSeconds: m.MetricStat.Period,
          },
        ]
      : [],
  );
  const expressions = metrics.flatMap((m) => (m.Expression ? [{ id: m.Id, expression: m.Expression }] : []));
  const periodSeconds = (returned[0]?.Period ?? queries[0]?.periodSeconds) as number | undefined;
  if (periodSeconds === undefined) throw new Error(`alarm ${props.AlarmName}: no period`);
  return {
    ...common,
    metric: {
      kind: 'math',
      returnId: (returned[0] as { Id: string }).Id,
      queries,
      expressions,
      periodSeconds,
    },
  };
}

type Resolved = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Builds AlfaStack for `stage` (stub entries, no bundling) and returns every alarm's definition. */
export async function synthesizeAlarms(
  stage: string,
  functions: Readonly<Record<string, FunctionDef>> = FUNCTIONS,
): Promise<AlarmDefinition[]> {
  // Loaded here, not at the top: aws-cdk-lib is large, and only the evaluator needs it.
  const { App, CfnResource } = await import('aws-cdk-lib');
  const { AlfaStack } = await import('../../lib/alfa-stack.js');
  const root = mkdtempSync(path.join(tmpdir(), 'alfa-alarms-'));
  try {
    const entry = 'functions/stub/handler.ts';
    mkdirSync(path.join(root, path.dirname(entry)), { recursive: true });
    writeFileSync(path.join(root, entry), 'export const handler = async () => ({});\n');
    writeFileSync(path.join(root, 'package-lock.json'), '{}\n');
    const app = new App({
      outdir: mkdtempSync(path.join(root, 'out-')),
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stubbed = Object.fromEntries(Object.entries(functions).map(([n, d]) => [n, { ...d, entry }]));
    const stack = new AlfaStack(app, `alfa-${stage}`, { stage, functions: stubbed, projectRoot: root });
    const resources: Resolved['Resources'] = {};
    for (const c of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      if (
        !/^AWS::(CloudWatch::Alarm|Lambda::Function|SQS::Queue|DynamoDB::(Global)?Table)$/.test(
          c.cfnResourceType,
        )
      )
        continue;
      // What synth writes for this resource, without synthesizing (and staging) the whole app.
      const cfn = (c as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
      Object.assign(resources, (stack.resolve(cfn) as Resolved).Resources);
    }
    const nameOf: NameOf = (value) => {
      if (typeof value === 'string') return value;
      const ref = z.object({ Ref: z.string() }).safeParse(value);
      const att = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }).safeParse(value);
      const id = ref.success ? ref.data.Ref : att.success ? att.data['Fn::GetAtt'][0] : undefined;
      const p = id === undefined ? undefined : resources[id]?.Properties;
      const name = att.success
        ? p?.[att.data['Fn::GetAtt'][1]]
        : (p?.FunctionName ?? p?.QueueName ?? p?.TableName);
      if (typeof name !== 'string')
        throw new Error(`cannot name the dimension value ${JSON.stringify(value)}`);
      return name;
    };
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => toDefinition(AlarmPropertiesSchema.parse(r.Properties), nameOf))
      .sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
