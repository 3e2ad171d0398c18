// A trader's close alert (domain/alerts.ts) says the fraction closed and the trader's realized PnL.
import { describe, expect, it } from 'vitest';
import { alertText } from '#core/domain/alerts.js';
import { signalFromFill } from '#core/domain/signals.js';
import { FillTape, address, lev, px, slot } from '../../support/analytics-fills.js';

const USDC = 1_000_000n;
const TRADER = address('views-trader');

describe('Close messages', () => {
  it("a close alert says the fraction closed and the trader's realized PnL", () => {
    // Prepare
    const tape = new FillTape();
    const eth = slot(TRADER, { pairIndex: 0, index: 0, leverage: lev(10), openPrice: px(3_000) });
    tape.openPosition(eth, 1_000n * USDC);
    const record = tape.close(eth, 480n * USDC, 500n * USDC, px(2_940)).at(-1);
    const signal = record && signalFromFill(record);
    if (!signal) throw new Error('no signal');

    // Act
    const text = alertText(
      signal,
      { action: 'ALERT', reason: 'ALERT_ONLY', adjustments: [], notify: true },
      'LIVE',
    );

    // Assess
    expect(text).toContain('closed 50% of <b>LONG ETH/USD</b> at 2,940');
    expect(text).toContain(
      "Closed $500.00 collateral (50% of $1,000.00) · trader's realized PnL <b>-$20.00</b>",
    );
  });
});
