// Test projects: unit (pure), infra (CDK synth + assertions), integration and e2e (real local
// stand-ins, started once per run by test/support/global-setup.ts and stopped after).
import { defineConfig } from 'vitest/config';

// Handlers log JSON and EMF to stdout; tests keep quiet unless ALFA_TEST_LOGS=1.
const quiet =
  process.env.ALFA_TEST_LOGS === '1'
    ? {}
    : { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
const stack = {
  globalSetup: ['test/support/global-setup.ts'],
  env: quiet,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // vitest takes cores - 1 (one worker on these 2-core machines), but the stack tests mostly wait
    // for 1 s blocks: two workers took the suite from 581 s to 354 s, every test still green.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: quiet } },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      // One project for both so the stand-ins start once per run.
      {
        test: {
          name: 'stack',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          ...stack,
        },
      },
    ],
  },
});
