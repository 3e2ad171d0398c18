// Embedded Metric Format lines (what Powertools Metrics prints) as CloudWatch reads them: each
// metric of each directive, for each of its dimension sets, becomes samples of one metric. Locally
// every handler shares one Metrics instance whose `service` is not the function's (one process, no
// POWERTOOLS_SERVICE_NAME per function), so the line's `service` is set from the invocation that
// printed it, as lib/functions.ts sets POWERTOOLS_SERVICE_NAME to the function's name on AWS.
import { z } from 'zod';
import type { MetricId, Sample } from './evaluate.js';

const EmfSchema = z.object({
  _aws: z.object({
    Timestamp: z.number(),
    CloudWatchMetrics: z.array(
      z.object({
        Namespace: z.string(),
        Dimensions: z.array(z.array(z.string())),
        Metrics: z.array(z.object({ Name: z.string() })),
      }),
    ),
  }),
});

export interface EmfDatapoint {
  readonly metric: MetricId;
  readonly sample: Sample;
}

/** The EMF event with its `service` set to the function that emitted it (when known). */
export function fixService(
  event: Record<string, unknown>,
  functionName: string | undefined,
): Record<string, unknown> {
  return functionName === undefined ? event : { ...event, service: functionName };
}

/** The datapoints of one EMF event (already parsed JSON); [] for anything that is not EMF. */
export function emfDatapoints(event: unknown): EmfDatapoint[] {
  const parsed = EmfSchema.safeParse(event);
  if (!parsed.success) return [];
  const fields = event as Record<string, unknown>;
  const at = parsed.data._aws.Timestamp;
  const out: EmfDatapoint[] = [];
  for (const directive of parsed.data._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions.length > 0 ? directive.Dimensions : [[]]) {
      const dimensions: Record<string, string> = {};
      for (const key of set) if (fields[key] !== undefined) dimensions[key] = String(fields[key]);
      for (const { Name } of directive.Metrics) {
        const raw = fields[Name];
        const values = Array.isArray(raw) ? raw : [raw];
        for (const v of values) {
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          out.push({
            metric: { namespace: directive.Namespace, metricName: Name, dimensions },
            sample: { at, value: v },
          });
        }
      }
    }
  }
  return out;
}

/** One output line: its datapoints with `service` from the invocation, or [] if it is no EMF line. */
export function emfLineDatapoints(line: string, functionName: string | undefined): EmfDatapoint[] {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return [];
  }
  if (typeof event !== 'object' || event === null) return [];
  return emfDatapoints(fixService(event as Record<string, unknown>, functionName));
}
