// /trader's chart (adapters/telegram/commands/charts.ts), through the real bot and the Bot API
// stand-in: the card, then a PNG sent with sendPhoto that the stand-in keeps for getFile.
import { describe, expect, it } from 'vitest';
import { texts } from '../../../../support/bot-harness.js';
import { useBotHarness, someone } from '../harness.js';

const h = useBotHarness();
// Charts load a WebAssembly module and a font on first use: seconds on a busy machine.
const CHART_TIMEOUT_MS = 30_000;

describe('bot: pictures', () => {
  it(
    '/trader sends the card and then a PNG chart (sendPhoto, multipart) the stand-in keeps for getFile',
    async () => {
      const { backtestHistory } = await import('../../../../support/backtest-history.js');
      const history = backtestHistory(31, 40, Math.floor(h.world.now.getTime() / 1000) - 5 * 86_400);
      h.world.fills.set(history.trader, [...history.fills]);

      const calls = await h.say(someone(), `/trader ${history.trader}`);

      expect(calls.map((c) => c.method).filter((m) => m.startsWith('send'))).toEqual([
        'sendMessage',
        'sendPhoto',
      ]);
      // Units on the card: collateral and notional, UTC times, drawdown explained.
      const card = texts(calls).join();
      expect(card).toMatch(
        /\d\d-\d\d \d\d:\d\d UTC (open|close|TP|SL|LIQ) (long|short) \S+ \$[\d,.]+ collateral × \d+x = \$[\d,.]+ notional @/,
      );
      expect(card).toContain('Max drawdown: the deepest fall of cumulative realized PnL');
      const photo = calls.find((c) => c.method === 'sendPhoto');
      expect(photo?.status).toBe(200);
      expect(photo?.params.photo).toMatchObject({ filename: expect.stringMatching(/\.png$/) });
      expect(String(photo?.params.caption)).toContain('closes, times in UTC');
      const fileId = (photo?.response as { result: { photo: { file_id: string; width: number }[] } }).result
        .photo[0];
      expect(fileId?.width).toBeGreaterThan(800);
      const file = (await (
        await fetch(`${h.api.url}/bot424242:test-token/getFile?file_id=${fileId?.file_id}`)
      ).json()) as { result: { file_path: string } };
      const bytes = Buffer.from(
        await (await fetch(`${h.api.url}/file/bot424242:test-token/${file.result.file_path}`)).arrayBuffer(),
      );
      expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    },
    CHART_TIMEOUT_MS,
  );
});
