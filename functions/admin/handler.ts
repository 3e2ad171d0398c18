// Admin (direct invocation only): parses the request, runs one operator action and answers it. Every
// call is audit-logged with who asked, what, the outcome and how long it took, refusals included.
import type { Context } from 'aws-lambda';
import { adminDeps } from '../../layers/core/admin/compose.js';
import { adminRequestSchema, type AdminResponse } from '../../layers/core/admin/requests.js';
import { runAdminAction } from '../../layers/core/admin/run.js';
import { config } from '../../layers/core/config.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const deps = adminDeps(cfg, appLog, (name, value) => metrics.addMetric(name, MetricUnit.Count, value));

/** What the audit log keeps of a request: the fields as sent, never more than a short text. */
const summary = (event: unknown): string => JSON.stringify(event ?? null).slice(0, 500);

export const handler = lambdaHandler(async (event: unknown, context: Context): Promise<AdminResponse> => {
  const started = Date.now();
  const parsed = adminRequestSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    logger.warn('admin action', {
      reason: 'ADMIN_BAD_REQUEST',
      request: summary(event),
      problems,
      requestId: context.awsRequestId,
    });
    return { ok: false, action: 'unknown', code: 'BAD_REQUEST', message: problems.join('; ') };
  }
  const request = parsed.data;
  try {
    const answer = await runAdminAction(request, deps);
    logger.info('admin action', {
      reason: answer.ok ? 'ADMIN_ACTION' : `ADMIN_${answer.code}`,
      action: request.action,
      by: request.by,
      request: summary(request),
      outcome: answer.ok ? 'ok' : answer.code,
      ms: Date.now() - started,
    });
    return answer;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    logger.error('admin action', {
      reason: 'ADMIN_FAILED',
      action: request.action,
      by: request.by,
      request: summary(request),
      error: e,
      ms: Date.now() - started,
    });
    // A failure is an answer, so the caller sees why; the alarm on this function's errors is for crashes.
    return { ok: false, action: request.action, code: 'FAILED', message: `${e.name}: ${e.message}` };
  }
});
