// One admin invocation from request to answer: the request checked against its schema, the action
// run, and every call audit-logged with who asked, what, the outcome and how long it took,
// refusals and failures included. A failure is an answer, so the caller sees why; the alarm on the
// function's errors is kept for crashes.
import type { AppLog } from '../ports/runtime.js';
import { adminRequestSchema, type AdminResponse } from './requests.js';
import { runAdminAction, type AdminDeps } from './run.js';

export interface AuditContext {
  readonly log: AppLog;
  /** The invocation's request id, logged with a refused request (it has no `by` to trust). */
  readonly requestId: string;
  /** Epoch ms, for how long the action took. */
  readonly now: () => number;
}

/** What the audit log keeps of a request: the fields as sent, never more than a short text. */
const summary = (event: unknown): string => JSON.stringify(event ?? null).slice(0, 500);

export async function answerAdminRequest(
  event: unknown,
  deps: AdminDeps,
  audit: AuditContext,
): Promise<AdminResponse> {
  const started = audit.now();
  const parsed = adminRequestSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    audit.log.warn('admin action', {
      reason: 'ADMIN_BAD_REQUEST',
      request: summary(event),
      problems,
      requestId: audit.requestId,
    });
    return { ok: false, action: 'unknown', code: 'BAD_REQUEST', message: problems.join('; ') };
  }
  const request = parsed.data;
  const asked = { action: request.action, by: request.by, request: summary(request) };
  try {
    const answer = await runAdminAction(request, deps);
    audit.log.info('admin action', {
      reason: answer.ok ? 'ADMIN_ACTION' : `ADMIN_${answer.code}`,
      ...asked,
      outcome: answer.ok ? 'ok' : answer.code,
      ms: audit.now() - started,
    });
    return answer;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    audit.log.error('admin action', {
      reason: 'ADMIN_FAILED',
      ...asked,
      error: e,
      ms: audit.now() - started,
    });
    return { ok: false, action: request.action, code: 'FAILED', message: `${e.name}: ${e.message}` };
  }
}
