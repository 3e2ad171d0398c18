// The texts of the follower's own results: /copies (totals, per trader, history lines with each
// outcome), the copy block of /portfolio, a close alert with the trader's realized PnL and the
// fraction closed, and the user's message when their copy's close fills.
import { describe, expect, it } from 'vitest';
import { alertText } from '../../../layers/core/domain/alerts.js';
import { copiesScreen, copyLine, portfolioScreen } from '../../../layers/core/domain/bot-views.js';
import { filledText } from '../../../layers/core/domain/copy/notices.js';
import { shortAddress } from '../../../layers/core/domain/format.js';
import { copyResults } from '../../../layers/core/domain/copy/results.js';
import { signalFromFill } from '../../../layers/core/domain/signals.js';
import type { CopyIntent } from '../../../layers/core/ports/copy.js';
import { FillTape, address, lev, px, slot } from '../../support/analytics-fills.js';

const USDC = 1_000_000n;
const TRADER = address('views-trader');

const base = {
  userId: 'u1',
  chatId: 'u1',
  trader: TRADER,
  slot: { pairIndex: 0, tradeIndex: 0 },
  mode: 'LIVE',
} as const;

const opened: CopyIntent = {
  ...base,
  intentId: 's1:u1',
  signalId: 's1',
  kind: 'OPEN',
  state: 'EXECUTED',
  reason: 'FILLED',
  createdAt: '2026-12-01T10:05:00.000Z',
  order: { kind: 'OPEN', pairIndex: 0, buy: true, leverage: lev(10).toString(), collateralUsdc: '100000000' },
  fill: {
    price: px(3_000).toString(),
    collateralUsdc: '99400000',
    usdcSentToTrader: '0',
    leverage: lev(10).toString(),
  },
};
const closedHalf: CopyIntent = {
  ...base,
  intentId: 's2:u1',
  signalId: 's2',
  kind: 'CLOSE',
  state: 'EXECUTED',
  reason: 'FILLED',
  createdAt: '2026-12-01T11:30:00.000Z',
  order: { kind: 'CLOSE', pairIndex: 0, fraction: { closed: '1', of: '2' } },
  fill: { price: px(3_060).toString(), collateralUsdc: '49700000', usdcSentToTrader: '51900000' },
};
const canceled: CopyIntent = {
  ...base,
  intentId: 's3:u1',
  signalId: 's3',
  kind: 'OPEN',
  state: 'CANCELED',
  reason: 'MARKET_CANCELED',
  slot: { pairIndex: 0, tradeIndex: 1 },
  createdAt: '2026-12-01T12:00:00.000Z',
  order: { kind: 'OPEN', pairIndex: 0, buy: false, leverage: lev(10).toString(), collateralUsdc: '50000000' },
};
const failed: CopyIntent = {
  ...base,
  intentId: 's4:u1',
  signalId: 's4',
  kind: 'OPEN',
  state: 'FAILED',
  reason: 'SERVICE_ERROR',
  code: 'BelowMinPosition',
  slot: { pairIndex: 1, tradeIndex: 0 },
  createdAt: '2026-12-01T12:10:00.000Z',
  order: { kind: 'OPEN', pairIndex: 1, buy: true, leverage: lev(5).toString(), collateralUsdc: '2000000' },
};

describe('Function: copyLine', () => {
  it('says how each copy ended: fill with collateral and notional, close result, cancel fee, failure help', () => {
    // Act
    const lines = [opened, closedHalf, canceled, failed].map(copyLine);

    // Assess
    expect(lines[0]).toBe(
      `12-01 10:05 UTC · <code>${shortAddress(TRADER)}</code> · open LONG ETH/USD: ` +
        '✅ filled at 3,000 · $99.40 collateral × 10x = $994.00 notional',
    );
    expect(lines[1]).toContain(
      'close 50% of ETH/USD: ✅ filled at 3,060 · $49.70 collateral closed, $51.90 back · result <b>+$2.20</b>',
    );
    // 0.045% of the $500 notional (ETH's opening fee in the pair catalog).
    expect(lines[2]).toContain('open SHORT ETH/USD: ❎ cancelled: price outside the allowed slippage');
    expect(lines[2]).toContain('fee kept about $0.23');
    expect(lines[3]).toContain(
      "open LONG BTC/USD: ⚠️ failed: Avantis refused it (BelowMinPosition). The copy was below Avantis' minimum",
    );
  });
});

describe('Function: copiesScreen', () => {
  it('shows totals, the trader on the same closes, per trader and the history', () => {
    // Prepare: the trader closed half of 1,000 for 520 (+$20); the copy followed it (s2).
    const tape = new FillTape();
    const eth = slot(TRADER, { pairIndex: 0, index: 0, leverage: lev(10), openPrice: px(3_000) });
    tape.openPosition(eth, 1_000n * USDC);
    const theirClose = tape.close(eth, 520n * USDC, 500n * USDC).at(-1);
    const half = { ...closedHalf, signalId: theirClose?.fillId ?? '' };
    const intents = [opened, half, canceled, failed];
    const { byTrader, total } = copyResults(
      intents,
      new Map([[0, px(3_300)]]),
      new Map([[TRADER, tape.fills]]),
    );

    // Act
    const screen = copiesScreen({ total, byTrader, recent: [...intents].reverse(), mode: 'LIVE' });

    // Assess: 49.70 left at 10x, +10% = +$49.70 unrealized; fees 0.60 + 0.225.
    expect(screen.text).toContain('1 copy filled · 1 cancelled · 1 failed');
    expect(screen.text).toContain(
      'Realized: <b>+$2.20</b> (+4.4% on collateral) · win 100% of 1 close · opening fees $0.83',
    );
    expect(screen.text).toContain(
      'Open: 1 copy, $49.70 collateral · unrealized +$49.70 at the latest prices',
    );
    expect(screen.text).toContain(
      'Trader on the same closes: +$20.00 (+4.0% on collateral) · win 100% of 1 close',
    );
    expect(screen.text).toContain('<b>Last 4 copies</b>');
    expect(screen.text.indexOf('BelowMinPosition')).toBeLessThan(screen.text.indexOf('open LONG ETH/USD'));
    expect(screen.text.length).toBeLessThan(4096);
  });

  it('says how to start when there are no copies', () => {
    const { byTrader, total } = copyResults([], new Map());
    expect(copiesScreen({ total, byTrader, recent: [], mode: 'DRY' }).text).toContain('No copies yet');
  });
});

describe('Function: portfolioScreen with copies', () => {
  it('adds the copy totals under the wallet and points to /copies', () => {
    const { total } = copyResults([opened, closedHalf], new Map([[0, px(3_000)]]));
    const text = portfolioScreen({
      wallet: '0x00000000000000000000000000000000000000aa',
      positions: [],
      realized: undefined,
      mode: 'LIVE',
      copies: total,
    }).text;
    expect(text).toContain('<b>Your copies</b> (90 days)');
    expect(text).toContain('Realized: <b>+$2.20</b>');
    expect(text).toContain('unrealized $0.00 at the latest prices');
    expect(text).toContain('History: /copies');
  });
});

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

  it("the user's own close message says their result, or that it is not known", () => {
    const subject = {
      kind: 'CLOSE',
      pairIndex: 0,
      buy: true,
      leverage: '0',
      collateralUsdc: '49700000',
    } as const;
    expect(filledText(subject, closedHalf.fill!, 'FILLED')).toContain(
      "Your result on this close: <b>+$2.20</b> (after Avantis' closing fees).",
    );
    const found = { price: px(3_000).toString(), collateralUsdc: '49700000', usdcSentToTrader: '0' };
    expect(filledText(subject, found, 'RECONCILED_FILLED')).toContain('The amount back is not known yet');
    expect(filledText(subject, found)).not.toContain('Your result');
  });
});
