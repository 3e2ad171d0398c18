// The metric port every use case takes, bound to the shared Powertools metrics: one definition of
// how a name maps to its unit, so the handlers do not each write the same arrow.
import { metrics, MetricUnit } from '../observability.js';

/**
 * Records one EMF metric: a name ending in `Ms` is milliseconds (SignalToAcceptedMs,
 * ChainToAlertMs), everything else a count. With dimensions it goes out as a metric of its own
 * (e.g. UndecodableLogs by reason), beside the plain count an alarm reads.
 */
export function recordMetric(
  name: string,
  value: number,
  dimensions?: Readonly<Record<string, string>>,
): void {
  const unit = name.endsWith('Ms') ? MetricUnit.Milliseconds : MetricUnit.Count;
  if (!dimensions) {
    metrics.addMetric(name, unit, value);
    return;
  }
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, unit, value);
}
