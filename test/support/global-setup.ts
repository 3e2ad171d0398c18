// Starts one local stack (free ports, quiet logs) for the integration and e2e tests, and stops it after.
import type { TestProject } from 'vitest/node';
import { startLocalStack, type LocalStackInfo } from '../../local/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalStackInfo;
  }
}

export const TEST_ADMIN_ID = '900000001';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const verbose = process.env.ALFA_TEST_LOGS === '1';
  const stack = await startLocalStack({
    adminUserIds: [TEST_ADMIN_ID],
    // Avantis on Base runs v2: the shared chain is upgraded before any test trades on it.
    upgrade: 'start',
    env: {
      POWERTOOLS_LOG_LEVEL: verbose ? 'DEBUG' : 'SILENT',
      POWERTOOLS_METRICS_DISABLED: verbose ? 'false' : 'true',
    },
    log: (line) => process.stderr.write(`[local stack] ${line}\n`),
  });
  project.provide('stack', stack.info);
  return () => stack.stop();
}
