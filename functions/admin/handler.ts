// Admin (direct invocation only): parses the request, runs one operator action and answers it,
// audit-logged (admin/audit.ts), refusals included.
import type { Context } from 'aws-lambda';
import { answerAdminRequest } from '#core/admin/audit.js';
import { adminDeps } from '#core/admin/compose.js';
import type { AdminResponse } from '#core/admin/requests.js';
import { config } from '#core/config.js';
import { appLog, lambdaHandler } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const deps = adminDeps(config(), appLog, recordMetric);

export const handler = lambdaHandler(async (event: unknown, context: Context): Promise<AdminResponse> =>
  answerAdminRequest(event, deps, { log: appLog, requestId: context.awsRequestId, now: Date.now }),
);
