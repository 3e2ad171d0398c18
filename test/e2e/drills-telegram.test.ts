// The telegram drill of issue 15, small, against the shared test stack: a 429 storm with a long
// retry_after, 403s for blocked users, then 5xx, all scoped to the drill's own chats on the Bot API
// stand-in (other test files' chats never see a fault). ALERTS followers only, so nothing is signed
// and the stack's DRY/LIVE switch is untouched. The 5xx phase waits out the alerts queue's
// visibility timeout (330 s), so the quick run here skips it; ALFA_DRILLS=1 runs it too.
import { describe, expect, it } from 'vitest';
import { DrillResultSchema } from '../../local/drills/result.js';
import { runTelegram } from '../../local/drills/telegram.js';
import { stackInfo } from '../support/stack-clients.js';

const info = stackInfo();

describe('telegram drill', () => {
  it('delivers every alert once through 429s and 403s, marks blockers inactive, and recovers', async () => {
    // Prepare / Act
    const result = await runTelegram(info, {
      signals: 4,
      traders: 2,
      followersPerTrader: 3,
      retryAfterSeconds: 4,
      storm: 2,
      skip5xx: true,
      minutes: 0.5,
      log: () => undefined,
    });
    if (process.env.ALFA_DRILL_PRINT) process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);

    // Assess
    expect(DrillResultSchema.parse(result)).toEqual(result);
    expect(result.failures, JSON.stringify(result.details)).toEqual([]);
    expect(result.signalsIn).toBe(3 * 4 + 2);
    expect(result.details.markedInactive).toBe(2);
    expect(result.details.wronglyInactive).toBe(0);
    expect(result.alertsSent).toBeGreaterThan(0);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.recovered).toBe(true);
  }, 120_000);

  it.skipIf(!process.env.ALFA_DRILLS)(
    'with the 5xx phase: every alert still arrives once',
    async () => {
      // Prepare / Act
      const result = await runTelegram(info, {
        signals: 4,
        retryAfterSeconds: 10,
        minutes: 8,
        log: () => undefined,
      });

      if (process.env.ALFA_DRILL_PRINT) process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);

      // Assess
      expect(result.failures, JSON.stringify(result.details)).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.duplicated).toBe(0);
      expect(result.recovered).toBe(true);
    },
    900_000,
  );
});
