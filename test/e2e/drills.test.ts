// The small drills of issue 15 against the shared test stack, through the same code as
// `npm run drill`: fuzz with 1,000 Telegram updates and a few dozen malformed queue messages, and
// ssm on a drill-owned switch (so other test files' LIVE/DRY switch is never flipped under them;
// the SSM outage itself is stack-wide for a few reads, as bot.test.ts's outage test already is).
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../local/drills/fuzz.js';
import { DrillResultSchema } from '../../local/drills/result.js';
import { runSsm } from '../../local/drills/ssm.js';
import { stackInfo } from '../support/stack-clients.js';

const info = stackInfo();
const quiet = () => undefined;

describe('drills', () => {
  it('fuzz: 1,000 hostile Telegram-shaped updates get only 200 or 401, message no stranger, and every poison message reaches its DLQ once', async () => {
    // Prepare / Act
    const result = await runFuzz(info, {
      updates: 1_000,
      messages: 30,
      shapes: 'telegram-shaped',
      dlqTimeoutMs: 50_000,
      log: quiet,
    });

    // Assess
    expect(DrillResultSchema.parse(result)).toEqual(result);
    expect(result.details.offending).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(result.details.updatesPosted).toBe(1_000);
    expect(result.details.webhook5xx).toBe(0);
    expect(Object.keys(result.details.answersByStatus as object).sort()).toEqual(['200', '401']);
    expect(result.details.callsToStrangers).toBe(0);
    expect(result.details.dlqFound).toBe(30);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.passed).toBe(true);
  }, 75_000);

  // Found by this drill: a known kind with a field of the wrong JSON type (`message` a string or
  // null, `from` without id/first_name) used to be answered 500, so Telegram would redeliver it.
  it('fuzz: updates of known kinds with wrong field types are answered 200, never 5xx', async () => {
    const result = await runFuzz(info, { updates: 100, messages: 0, shapes: 'wrong-types', log: quiet });

    expect(result.details.webhook5xx).toBe(0);
    expect(result.details.callsToStrangers).toBe(0);
  }, 75_000);

  it('ssm: an unreadable switch is DRY at the first read, and LIVE returns on exactly the third healthy read', async () => {
    // Prepare / Act
    const result = await runSsm(info, { parameter: `/alfa/${info.stage}/drill/execution-mode`, log: quiet });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.details.trace).toEqual([
      'healthy:LIVE',
      ...Array.from({ length: 5 }, () => 'outage:DRY'),
      'recovering:DRY',
      'recovering:DRY',
      'recovering:LIVE',
      'recovering:LIVE',
      'recovering:LIVE',
    ]);
    expect(result.details.healthyReadsToLive).toBe(3);
    expect(result.details.getParameterCalls).toMatchObject({ after: 5 });
    expect(result.recovered).toBe(true);
  });
});
