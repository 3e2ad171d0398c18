// /backtest (adapters/telegram/commands/backtest.ts), through the real bot and the Bot API stand-in:
// the stored fills replayed with the user's settings and typed overrides, skips explained.
import { describe, expect, it } from 'vitest';
import { texts } from '../../../../support/bot-harness.js';
import { useBotHarness, someone } from '../harness.js';

const h = useBotHarness();
// Charts load a WebAssembly module and a font on first use: seconds on a busy machine.
const CHART_TIMEOUT_MS = 30_000;

describe('bot: /backtest', () => {
  it(
    'replays the stored fills with the user settings and typed overrides, and explains skips',
    async () => {
      const { backtestHistory } = await import('../../../../support/backtest-history.js');
      const start = Math.floor(h.world.now.getTime() / 1000) - 20 * 86_400;
      const history = backtestHistory(21, 300, start);
      h.world.fills.set(history.trader, [...history.fills]);
      const ada = someone();

      const calls = await h.say(ada, `/backtest ${history.trader} size 1k lev 5 days 30`);
      const reply = texts(calls).join();
      expect(calls.filter((c) => c.method === 'sendPhoto').map((c) => c.status)).toEqual([200]);

      expect(reply).toContain('Backtest</b> of');
      expect(reply).toContain('Trader opened 300 trades');
      expect(reply).toContain('pair not listed on Avantis');
      expect(reply).toMatch(/Realized PnL: <b>[+-]?\$[\d,]+\.\d\d<\/b>/);
      expect(reply).toContain('$1,000.00 collateral per trade · max 5x');
      expect(texts(await h.say(ada, `/backtest ${history.trader} days 9`)).join()).toContain(
        'days is 7 or 30',
      );
    },
    CHART_TIMEOUT_MS,
  );
});
