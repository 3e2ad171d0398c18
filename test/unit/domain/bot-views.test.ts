// The bot's screens as text and buttons (domain/bot-views.ts): the trader card's "recent trades" (an
// open, a v2 increase with what was added and the position after it, a full close, a partial TP/SL
// or market close with the share it closed, newest first as the store gives them); the follower's
// own results (/copies totals, per trader and history lines with each outcome, the copy block of
// /portfolio); the leaderboard's pages and buttons; a follow's settings screen (size buttons,
// notification levels).
import { describe, expect, it } from 'vitest';
import { emptyStats } from '#core/domain/analytics/stats.js';
import { traderView } from '#core/domain/analytics/leaderboard.js';
import {
  traderScreen,
  copiesScreen,
  copyLine,
  portfolioScreen,
  followSettingsScreen,
  leaderboardScreen,
  sizeFloor,
} from '#core/domain/bot-views.js';
import type { Fill } from '#core/domain/fills.js';
import type { TradeStruct } from '#core/domain/trade-events.js';
import { shortAddress } from '#core/domain/format.js';
import { copyResults } from '#core/domain/copy/results.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { FillTape, address, lev, px, slot } from '../../support/analytics-fills.js';
import type { LeaderboardRow } from '#core/domain/analytics/leaderboard.js';
import { applySetting, newFollow } from '#core/domain/follows.js';
import { decodeCallback } from '#core/domain/callbacks.js';

const CARD_TRADER = '0x00000000000000000000000000000000000a11ce';
const USDC = 1_000_000n;
const E10 = 10n ** 10n;
const TS = 1_767_225_600; // 2026-01-01 00:00 UTC

const trade = (collateral: bigint, leverage = 10n * E10): TradeStruct => ({
  trader: CARD_TRADER,
  pairIndex: 0,
  index: 0,
  initialPosToken: collateral,
  openPrice: 3_000n * E10,
  buy: true,
  leverage,
  tp: 0n,
  sl: 0n,
  timestamp: BigInt(TS),
});

const at = (n: number) => ({
  blockNumber: n,
  blockHash: `0x${n.toString(16).padStart(64, '0')}`,
  txHash: `0x${n.toString(16).padStart(64, 'e')}`,
  logIndex: 0,
  address: '0x00000000000000000000000000000000000000c1',
});

const fill = (n: number, event: Fill['event']): Fill => ({
  fillId: `${event.txHash}:0`,
  fillKey: `${n}`,
  trader: CARD_TRADER,
  timestamp: TS + n * 60,
  event,
});

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

const rows: LeaderboardRow[] = Array.from({ length: 25 }, (_, i) => ({
  rank: i + 1,
  trader: `0x${String(i).padStart(40, '0')}`,
  score: 900 - i,
  realizedPnl30dUsdc: String(1_000_000n * BigInt(100 - i)),
  roi30d: 0.1,
  winRate30d: 0.6,
  trades30d: 20,
  volume30dUsdc: '1000000000',
  maxDrawdown30dUsdc: '5000000',
  medianLeverage30d: 5,
  lastActive: 0,
}));
const rules = { minTrades30d: 10, minVolume30dUsd: 10_000, activeHours: 72 };

describe('the trader card recent trades', () => {
  it('shows an increase and a partial TP as what they are, beside the open and the final close', () => {
    // Prepare: open 100, increase +50 (fee 1) to 149 at 8x, partial TP of 60 of 149, close the rest.
    const recent: Fill[] = [
      fill(4, {
        kind: 'MarketExecuted',
        variant: 'MarketExecuted/v2-inferred',
        ...at(4),
        orderId: 4n,
        trade: trade(89n * USDC, 8n * E10),
        open: false,
        price: 3_200n * E10,
        positionSizeUsdc: 89n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 90n * USDC,
        isPnl: false,
      }),
      fill(3, {
        kind: 'LimitExecuted',
        variant: 'LimitExecuted/v2-inferred',
        ...at(3),
        orderId: 3n,
        limitIndex: 0n,
        trade: trade(149n * USDC, 8n * E10),
        orderType: 'TP',
        price: 3_300n * E10,
        positionSizeUsdc: 60n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 70n * USDC,
        isPnl: false,
      }),
      fill(2, {
        kind: 'PositionSizeIncreased',
        variant: 'PositionSizeIncreased/v2-local',
        ...at(2),
        orderId: 2n,
        trade: trade(149n * USDC, 8n * E10),
        isPnl: false,
        price: 3_100n * E10,
        addedCollateral: 50n * USDC,
        addedLeverage: 5n * E10,
        openingFee: USDC,
      }),
      fill(1, {
        kind: 'MarketExecuted',
        variant: 'MarketExecuted/v2-inferred',
        ...at(1),
        orderId: 1n,
        trade: trade(100n * USDC),
        open: true,
        price: 3_000n * E10,
        positionSizeUsdc: 100n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 0n,
        isPnl: false,
      }),
    ];
    const view = traderView(emptyStats(CARD_TRADER), TS + 600, {
      minTrades30d: 1,
      minVolume30dUsd: 1,
      activeHours: 72,
    });

    // Act
    const { text } = traderScreen({ view, rank: undefined, recent, following: false, indexed: true });

    // Assess
    const lines = text.split('\n');
    const start = lines.indexOf('<b>Recent trades</b>');
    const shown = lines.slice(start + 1, start + 5).map((l) => l.replace(/^\S+ \S+ UTC /, ''));
    expect(shown).toHaveLength(4);
    expect(shown[0]).toMatch(/^close long \S+ \$89(\.00)? collateral × 8x/);
    expect(shown[1]).toMatch(/^partial TP 40\.2% long \S+ \$60(\.00)? of \$149(\.00)? collateral × 8x/);
    expect(shown[2]).toMatch(/^increase long \S+ \+\$50(\.00)? collateral × 5x @ .*now \$149(\.00)? × 8x/);
    expect(shown[3]).toMatch(/^open long \S+ \$100(\.00)? collateral × 10x/);
  });
});

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

describe('Function: leaderboardScreen', () => {
  it('pages ten at a time with Prev/Next that carry the page', () => {
    const page2 = leaderboardScreen({
      rows,
      sort: 'score',
      offset: 10,
      limit: 25,
      followed: new Set([rows[12]?.trader ?? '']),
      traders: 30,
      rules,
    });

    expect(page2.text).toContain('(11-20)');
    const nav = page2.keyboard.at(-1)?.map((b) => [b.text, decodeCallback(b.data)]);
    expect(nav).toEqual([
      ['‹ Prev', { a: 'board', sort: 'score', offset: 0, limit: 25 }],
      ['Sort: PnL', { a: 'board', sort: 'pnl', offset: 0, limit: 25 }],
      ['Next ›', { a: 'board', sort: 'score', offset: 20, limit: 25 }],
    ]);
    expect(page2.keyboard[2]?.[1]?.text).toMatch(/^✓ Following #13/);
  });

  it('honours the requested top N and explains an empty board', () => {
    expect(
      leaderboardScreen({ rows, sort: 'pnl', offset: 0, limit: 5, followed: new Set(), traders: 30, rules })
        .text,
    ).toContain('Top 5 by 30-day PnL');
    expect(
      leaderboardScreen({
        rows: [],
        sort: 'score',
        offset: 0,
        limit: 50,
        followed: new Set(),
        traders: 3,
        rules,
      }).text,
    ).toContain('No trader qualifies yet (3 traders indexed)');
  });
});

describe('rough edges a new user hit', () => {
  it('the leaderboard lets a user view a trader before following, with units on every number', () => {
    const board = leaderboardScreen({
      rows,
      sort: 'score',
      offset: 0,
      limit: 25,
      followed: new Set(),
      traders: 30,
      rules,
    });
    const first = board.keyboard[0]?.map((b) => decodeCallback(b.data));

    expect(first?.[0]).toEqual({
      a: 'trader',
      trader: rows[0]?.trader,
      back: { sort: 'score', offset: 0, limit: 25 },
    });
    expect(first?.[1]).toMatchObject({ a: 'follow', trader: rows[0]?.trader });
    expect(board.text).toContain('median 5x leverage');
    expect(board.text).toContain('PnL: realized over 30 days');
  });

  it('size buttons below the pair minimum are not offered, and the minimum is said', () => {
    const eth = { ...newFollow('1', '1', `0x${'2'.repeat(40)}`, new Date(0)), pairs: [0], maxLeverage: 5 };
    const screen = followSettingsScreen(eth, 'DRY');
    const sizes = screen.keyboard.flat().filter((b) => {
      const cb = decodeCallback(b.data);
      return cb?.a === 'set' && cb.field === 'size' && cb.value.startsWith('F');
    });

    expect(sizeFloor(eth).minCollateralUsdc).toBe(20_000_000n); // $100 notional at 5x
    expect(sizes.map((b) => b.text.replace('✓ ', ''))).toEqual(['$25', '$50', '$100', '$250']);
    expect(screen.text).toContain("Avantis' smallest position is $100.00 notional");
    expect(screen.text).toContain('max collateral per copy: $250.00 (up to $1,250.00 notional at 5x)');
  });

  it('notifications have three levels, each a button', () => {
    const f = newFollow('1', '1', `0x${'2'.repeat(40)}`, new Date(0));
    const silent = applySetting(f, { field: 'notifications', value: 'SILENT' });
    const screen = silent.ok ? followSettingsScreen(silent.value, 'DRY') : undefined;

    expect(silent.ok && silent.value).toMatchObject({ notify: false, notifications: 'SILENT' });
    expect(screen?.text).toContain('Notifications: silent (nothing)');
    expect(screen?.keyboard.flat().map((b) => b.text)).toEqual(
      expect.arrayContaining(['🔔 All', '💼 Copies only', '✓ 🔕 Silent']),
    );
  });
});
