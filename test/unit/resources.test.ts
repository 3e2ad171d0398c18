// The resource catalog (layers/core/resources.ts) that CDK, the local stack and the runtime share:
// no imports, distinct env vars, the follows reverse index, FIFO names, handler files that exist.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, QUEUES, RESOURCE_ENV_VARS, TABLES, physicalName } from '#core/resources.js';

describe('Module: resources', () => {
  it('imports nothing, so CDK, the local stack and runtime can all share it', () => {
    const source = readFileSync(new URL('../../layers/core/resources.ts', import.meta.url), 'utf8');

    expect(source).not.toMatch(/^\s*import\s/m);
  });

  it('gives every table, queue and secret a distinct env var', () => {
    expect(new Set(RESOURCE_ENV_VARS).size).toBe(RESOURCE_ENV_VARS.length);
  });

  it('keeps the reverse index on follows: trader -> userId', () => {
    const [byTrader] = TABLES.follows.indexes;

    expect(byTrader).toMatchObject({
      name: 'byTrader',
      partitionKey: { name: 'trader' },
      sortKey: { name: 'userId' },
    });
  });

  it('names FIFO queues and their DLQs with the .fifo suffix AWS requires', () => {
    for (const key of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
      expect(physicalName.queue('dev', key)).toMatch(/^alfa-dev-\w+\.fifo$/);
      expect(physicalName.deadLetterQueue('dev', key)).toMatch(/^alfa-dev-\w+-dlq\.fifo$/);
    }
  });

  it('points every function at a handler file that exists', () => {
    for (const def of Object.values(FUNCTIONS)) {
      expect(() => readFileSync(new URL(`../../${def.entry}`, import.meta.url))).not.toThrow();
    }
  });
});
