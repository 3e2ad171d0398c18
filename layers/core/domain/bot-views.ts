// What the bot shows: each screen as text (Telegram HTML) plus its inline keyboard. Pure, so every
// screen is tested without Telegram, and the adapter only turns buttons into reply markup.
import { encodeCallback, type Callback, type SettingsField, type SortKey } from './callbacks.js';
import type { LeaderboardRow } from './analytics/leaderboard.js';
import type { TraderView } from './analytics/leaderboard.js';
import type { WindowStats } from './analytics/stats.js';
import type { BacktestResult } from './backtest.js';
import { confirmCallback } from './confirmations.js';
import { pairLimits, pairName } from './avantis/pairs.js';
import type { ExecutionMode } from './execution-mode.js';
import { executionOf, type Fill } from './fills.js';
import { FOLLOW_LIMIT, notifyLevelOf, type Follow, type NotifyLevel, type Sizing } from './follows.js';
import { escapeHtml, tagMode } from './messages.js';
import type { Position } from './positions.js';
import type { RiskPolicy } from './risk.js';
import type { CopyIntent } from '../ports/copy.js';
import { cancelWhy, failureWhy } from './copy/notices.js';
import { closePnlOf, keptFeeOf, returnBps, type CopyResults } from './copy/results.js';
import {
  formatChainLeverage,
  formatDuration,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatUsd,
  formatUsdFor,
  shortAddress,
} from './format.js';

export interface Button {
  readonly text: string;
  readonly data: string;
}
export interface Screen {
  readonly text: string;
  readonly keyboard: readonly (readonly Button[])[];
}

const button = (text: string, cb: Callback): Button => ({ text, data: encodeCallback(cb) });
const USDC = 1_000_000n;
export const PAGE_SIZE = 10;

// --- Leaderboard ------------------------------------------------------------------------------

export function leaderboardScreen(input: {
  rows: readonly LeaderboardRow[];
  sort: SortKey;
  offset: number;
  limit: number;
  followed: ReadonlySet<string>;
  traders: number;
  rules: { minTrades30d: number; minVolume30dUsd: number; activeHours: number };
}): Screen {
  const { sort, limit } = input;
  const visible = input.rows.slice(0, limit);
  if (visible.length === 0) {
    return {
      text:
        `<b>Alfa leaderboard</b>\n\nNo trader qualifies yet (${input.traders} traders indexed). To be ranked a trader needs ` +
        `${input.rules.minTrades30d}+ trades and $${input.rules.minVolume30dUsd.toLocaleString('en-US')}+ volume in 30 days, ` +
        `and activity in the last ${input.rules.activeHours} h.`,
      keyboard: [],
    };
  }
  const offset = Math.min(input.offset, Math.floor((visible.length - 1) / PAGE_SIZE) * PAGE_SIZE);
  const page = visible.slice(offset, offset + PAGE_SIZE);
  const lines = page.map(
    (r) =>
      `<b>${r.rank}.</b> <code>${shortAddress(r.trader)}</code> PnL ${formatUsd(BigInt(r.realizedPnl30dUsdc), { sign: true })} · ` +
      `ROI ${formatPercent(r.roi30d)} · win ${formatPercent(r.winRate30d, 0)} · ${r.trades30d} trades · ` +
      `median ${formatLeverage(r.medianLeverage30d)} leverage · score ${r.score}`,
  );
  const title = `<b>Top ${visible.length} by ${sort === 'score' ? 'copyability score' : '30-day PnL'}</b> (${offset + 1}-${offset + page.length})`;
  // View before Follow: each row opens the trader's card, and follows only on its own button.
  const keyboard: Button[][] = page.map((r) => [
    button(`🔍 #${r.rank} ${shortAddress(r.trader)}`, {
      a: 'trader',
      trader: r.trader,
      back: { sort, offset, limit },
    }),
    input.followed.has(r.trader)
      ? button(`✓ Following #${r.rank}`, { a: 'settings', trader: r.trader })
      : button(`Follow #${r.rank}`, { a: 'follow', trader: r.trader, back: { sort, offset, limit } }),
  ]);
  const nav: Button[] = [];
  if (offset > 0) nav.push(button('‹ Prev', { a: 'board', sort, offset: offset - PAGE_SIZE, limit }));
  nav.push(
    button(sort === 'score' ? 'Sort: PnL' : 'Sort: score', {
      a: 'board',
      sort: sort === 'score' ? 'pnl' : 'score',
      offset: 0,
      limit,
    }),
  );
  if (offset + PAGE_SIZE < visible.length)
    nav.push(button('Next ›', { a: 'board', sort, offset: offset + PAGE_SIZE, limit }));
  keyboard.push(nav);
  return {
    text: [
      title,
      '',
      ...lines,
      '',
      'PnL: realized over 30 days, after fees, in USDC. ROI: PnL / collateral of the closed trades. 🔍 shows a trader before you follow.',
    ].join('\n'),
    keyboard,
  };
}

// --- Trader -----------------------------------------------------------------------------------

function statsLine(label: string, s: WindowStats): string {
  return (
    `${label}: ${formatUsd(s.realizedPnlUsdc, { sign: true })} · ROI ${formatPercent(s.roi)} · win ${formatPercent(s.winRate, 0)} · ` +
    `${s.trades} trades · volume ${formatUsd(s.volumeUsdc)} notional · max drawdown ${formatUsd(s.maxDrawdownUsdc)}`
  );
}

const CLOSE_WORDS = { MARKET: 'close', TP: 'TP', SL: 'SL', LIQ: 'liquidation' } as const;

/**
 * One execution as the trader card shows it, said as what it did (executionOf): an open, an increase
 * (v2: what was added and the position after it), or a close, partial ones with the share closed
 * (v2 partial TP/SL close part of the position, not all of it).
 */
function fillLine(f: Fill): string {
  const x = executionOf(f.event);
  const t = x.trade;
  const side = t.buy ? 'long' : 'short';
  const when = `${new Date(f.timestamp * 1000).toISOString().slice(5, 16).replace('T', ' ')} UTC`;
  const notional = (collateral: bigint, leverage: bigint) =>
    formatUsd((collateral * leverage) / 10_000_000_000n);
  const pair = pairName(t.pairIndex);
  switch (x.action) {
    case 'OPEN':
      return (
        `${when} open ${side} ${pair} ${formatUsd(x.collateral)} collateral × ${formatChainLeverage(t.leverage)} = ` +
        `${notional(x.collateral, t.leverage)} notional @ ${formatPrice(x.price)}`
      );
    case 'INCREASE':
      return (
        `${when} increase ${side} ${pair} +${formatUsd(x.added)} collateral × ${formatChainLeverage(x.addedLeverage)} @ ` +
        `${formatPrice(x.price)}, now ${formatUsd(t.initialPosToken)} × ${formatChainLeverage(t.leverage)} = ` +
        `${notional(t.initialPosToken, t.leverage)} notional`
      );
    case 'CLOSE': {
      const word = CLOSE_WORDS[x.reason];
      if (x.full)
        return (
          `${when} ${word} ${side} ${pair} ${formatUsd(x.closed)} collateral × ${formatChainLeverage(t.leverage)} = ` +
          `${notional(x.closed, t.leverage)} notional @ ${formatPrice(x.price)}`
        );
      const percent = x.before > 0n ? Number((x.closed * 1000n) / x.before) / 10 : 0;
      return (
        `${when} partial ${word} ${percent}% ${side} ${pair} ${formatUsd(x.closed)} of ${formatUsd(x.before)} collateral × ` +
        `${formatChainLeverage(t.leverage)} = ${notional(x.closed, t.leverage)} notional @ ${formatPrice(x.price)}`
      );
    }
  }
}

export function traderScreen(input: {
  view: TraderView;
  rank: number | undefined;
  recent: readonly Fill[];
  following: boolean;
  indexed: boolean;
  /** The leaderboard page the card was opened from, for the way back. */
  back?: { sort: SortKey; offset: number; limit: number };
}): Screen {
  const { view } = input;
  const c = view.copyability;
  const recent = input.recent.slice(0, 5).map(fillLine);
  const text = [
    `<b>Trader</b> <code>${view.trader}</code>`,
    input.indexed ? '' : 'No trades indexed for this address yet.',
    `Rank ${input.rank ?? '-'} · score ${c.score}${c.exclusions.length ? ` (not ranked: ${c.exclusions.map(exclusionText).join(', ')})` : ''}`,
    '',
    statsLine('7d', view.d7),
    statsLine('30d', view.d30),
    statsLine('All', view.allTime),
    ...(view.unrealizedPnlUsdc === undefined
      ? []
      : [
          `Open positions: ${formatUsd(view.unrealizedPnlUsdc, { sign: true })} unrealized at the latest prices`,
        ]),
    `Median leverage ${formatLeverage(view.d30.medianLeverage)} · avg hold ${formatDuration(view.d30.avgHoldSeconds)} · pairs ${
      view.allTime.pairs.map(pairName).slice(0, 6).join(', ') || '-'
    }`,
    '',
    recent.length ? `<b>Recent trades</b>\n${recent.map(escapeHtml).join('\n')}` : 'No recent trades.',
    '',
    'Max drawdown: the deepest fall of cumulative realized PnL from a high. Volume: notional opened + closed.',
  ]
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n');
  const keyboard: Button[][] = [
    input.following
      ? [
          button('⚙ Settings', { a: 'settings', trader: view.trader }),
          button('Unfollow', { a: 'unfollow', trader: view.trader }),
        ]
      : [button('Follow', { a: 'follow', trader: view.trader })],
    [
      button('📈 PnL chart', { a: 'chart', trader: view.trader }),
      button('🧪 Backtest my settings', { a: 'backtest', trader: view.trader }),
    ],
    [button('‹ Leaderboard', { a: 'board', ...(input.back ?? { sort: 'score', offset: 0, limit: 50 }) })],
  ];
  return { text, keyboard };
}

function exclusionText(e: string): string {
  return (
    { TOO_FEW_TRADES: 'too few trades', TOO_LITTLE_VOLUME: 'too little volume', INACTIVE: 'inactive' }[e] ?? e
  );
}

// --- Follows and their settings ---------------------------------------------------------------

export function sizingText(s: Sizing, languageCode?: string): string {
  switch (s.kind) {
    case 'FIXED_USD':
      return `${formatUsdFor(s.usdc, languageCode)} collateral per trade`;
    case 'PCT_EQUITY':
      return `${(s.bps / 100).toString()}% of your wallet's USDC`;
    case 'MULTIPLIER':
      return `${(s.milli / 1000).toString()}x the trader's collateral`;
  }
}

const pairsText = (f: Follow) => (f.pairs === 'ALL' ? 'all pairs' : f.pairs.map(pairName).join(', '));

export function followingScreen(follows: readonly Follow[], mode: ExecutionMode): Screen {
  if (follows.length === 0) {
    return {
      text: 'You follow no one yet. Send /alfa for the leaderboard, or /follow &lt;address&gt;.',
      keyboard: [],
    };
  }
  const lines = follows.map(
    (f) =>
      `<code>${shortAddress(f.trader)}</code> · ${f.mode === 'AUTO' ? tagMode('AUTO copy', mode) : 'alerts'} · ${sizingText(f.sizing)}` +
      `${notifyLevelOf(f) === 'ALL' ? '' : notifyLevelOf(f) === 'COPIES' ? ' · copies only' : ' · silent'}`,
  );
  return {
    text: [`<b>You follow ${follows.length} of at most ${FOLLOW_LIMIT} traders</b>`, '', ...lines].join('\n'),
    keyboard: follows.map((f) => [
      button(`⚙ ${shortAddress(f.trader)}`, { a: 'settings', trader: f.trader }),
    ]),
  };
}

const mark = (on: boolean, text: string) => (on ? `✓ ${text}` : text);

const NOTIFY_TEXT: Readonly<Record<NotifyLevel, string>> = {
  ALL: 'all (alerts and your copies)',
  COPIES: 'copies only (no alerts)',
  SILENT: 'silent (nothing)',
};

const MAJORS: readonly number[] = [0, 1];

/**
 * What a fixed size must reach to copy on every pair the follow allows: the pair needing the most
 * collateral (its minimum position, collateral x leverage, USDC 1e6, over the leverage a copy can
 * use there: the pair's cap, the follow's cap and the trader's usual leverage when known).
 */
export function sizeFloor(
  f: Pick<Follow, 'pairs' | 'maxLeverage'>,
  traderLeverage?: number,
): { minPositionUsdc: bigint; leverage: number; minCollateralUsdc: bigint } {
  // For all pairs the majors stand in (ETH/USD, BTC/USD: most copied trades); a smaller pair may need more.
  const pairs = f.pairs === 'ALL' ? MAJORS : f.pairs;
  let worst: { minPositionUsdc: bigint; leverage: number; minCollateralUsdc: bigint } | undefined;
  for (const p of pairs) {
    const limits = pairLimits(p);
    if (!limits?.listed) continue;
    const leverage = Math.max(
      1,
      Math.floor(Math.min(limits.maxLeverage, f.maxLeverage, traderLeverage ?? Number.POSITIVE_INFINITY)),
    );
    // Rounded up to a whole dollar: the button amounts are whole dollars.
    const lev = BigInt(leverage) * USDC;
    const minCollateralUsdc = ((limits.minPositionUsdc + lev - 1n) / lev) * USDC;
    if (!worst || minCollateralUsdc > worst.minCollateralUsdc)
      worst = { minPositionUsdc: limits.minPositionUsdc, leverage, minCollateralUsdc };
  }
  return worst ?? { minPositionUsdc: 100n * USDC, leverage: 1, minCollateralUsdc: 100n * USDC };
}

export function followSettingsScreen(f: Follow, mode: ExecutionMode, languageCode?: string): Screen {
  const usd = (n: bigint) => formatUsdFor(n, languageCode);
  const set = (field: SettingsField, value: string, text: string, on: boolean) =>
    button(mark(on, text), { a: 'set', trader: f.trader, field, value });
  const size = f.sizing;
  const level = notifyLevelOf(f);
  const floor = sizeFloor(f);
  const minCollateral = floor.minCollateralUsdc;
  const text = [
    tagMode(`<b>Copy settings</b> for <code>${f.trader}</code>`, mode),
    '',
    `Mode: ${f.mode === 'AUTO' ? 'AUTO (alerts + copy trades)' : 'ALERTS only'}`,
    `Size: ${sizingText(size, languageCode)}`,
    `Max leverage: ${f.maxLeverage}x · max collateral per copy: ${usd(f.maxPositionUsdc)} ` +
      `(up to ${usd(f.maxPositionUsdc * BigInt(f.maxLeverage))} notional at ${f.maxLeverage}x)`,
    `Pairs: ${pairsText(f)}`,
    `Notifications: ${NOTIFY_TEXT[level]}`,
    `Direction: ${f.direction === 'REVERSE' ? 'REVERSE (the opposite side of every trade)' : 'same side as the trader'}`,
    `Stop-loss per copy: ${
      !f.stopLoss
        ? 'off'
        : f.stopLoss.kind === 'PCT'
          ? `${f.stopLoss.bps / 100}% of the copy's collateral`
          : `${usd(f.stopLoss.usdc)} loss`
    } · skip trades below: ${f.minTraderLeverage ? `${f.minTraderLeverage}x` : 'off'}`,
    '',
    `Avantis' smallest position is ${usd(floor.minPositionUsdc)} notional (collateral × leverage): ` +
      `to copy on ${f.pairs === 'ALL' ? 'ETH and BTC' : 'every pair you allow'} (at ${floor.leverage}x there), a fixed size needs at least ${usd(minCollateral)} collateral.`,
    `Other values: <code>/set ${f.trader} size 37.5</code> (also 5%, 0.5x, lev, maxpos, pairs ETH,BTC, notify copies, reverse on, sl 20, minlev 5).`,
  ].join('\n');
  const quick = [0, 1, 2];
  const keyboard: Button[][] = [
    [set('mode', 'A', 'Alerts', f.mode === 'ALERTS'), set('mode', 'U', 'Auto copy', f.mode === 'AUTO')],
    // Fixed sizes that cannot reach the pair minimum are not offered.
    [10, 25, 50, 100, 250]
      .filter((d) => BigInt(d) * USDC >= minCollateral)
      .slice(0, 4)
      .map((d) => set('size', `F${d}`, `$${d}`, size.kind === 'FIXED_USD' && size.usdc === BigInt(d) * USDC)),
    [
      ...[100, 500].map((bps) =>
        set('size', `P${bps}`, `${bps / 100}%`, size.kind === 'PCT_EQUITY' && size.bps === bps),
      ),
      ...[500, 1000].map((m) =>
        set('size', `M${m}`, `${m / 1000}x`, size.kind === 'MULTIPLIER' && size.milli === m),
      ),
    ],
    [3, 5, 10, 20].map((l) => set('lev', String(l), `≤${l}x`, f.maxLeverage === l)),
    [100, 250, 1000, 5000].map((d) =>
      set(
        'maxpos',
        String(d),
        `max $${d >= 1000 ? `${d / 1000}k` : d}`,
        f.maxPositionUsdc === BigInt(d) * USDC,
      ),
    ),
    [
      set('allpairs', '1', 'All pairs', f.pairs === 'ALL'),
      ...quick.map((p) =>
        set(
          'pair',
          String(p),
          pairName(p).split('/')[0] ?? String(p),
          f.pairs !== 'ALL' && f.pairs.includes(p),
        ),
      ),
    ],
    [
      set('dir', 'S', 'Same side', f.direction !== 'REVERSE'),
      set('dir', 'R', '⇄ Reverse', f.direction === 'REVERSE'),
    ],
    [
      set('sl', 'off', 'No SL', !f.stopLoss),
      set('sl', 'P2500', 'SL 25%', f.stopLoss?.kind === 'PCT' && f.stopLoss.bps === 2500),
      set('sl', 'P5000', 'SL 50%', f.stopLoss?.kind === 'PCT' && f.stopLoss.bps === 5000),
    ],
    [
      set('notify', 'A', '🔔 All', level === 'ALL'),
      set('notify', 'C', '💼 Copies only', level === 'COPIES'),
      set('notify', 'S', '🔕 Silent', level === 'SILENT'),
    ],
    [
      button('🧪 Backtest', { a: 'backtest', trader: f.trader }),
      button('Unfollow', { a: 'unfollow', trader: f.trader }),
      button('‹ Following', { a: 'following' }),
    ],
  ];
  return { text, keyboard };
}

// --- Risk (/settings) ---------------------------------------------------------------------------

export function riskScreen(p: RiskPolicy, mode: ExecutionMode): Screen {
  const text = [
    tagMode('<b>Your risk settings</b>', mode),
    '',
    p.paused ? '⏸ Paused: no alerts and no copies until you resume.' : '▶ Active',
    `Profile: ${p.profile.toLowerCase()}`,
    `Max leverage: ${p.maxLeverage}x`,
    `Max collateral per copy: ${formatUsd(p.maxPositionUsdc)} (notional = collateral × leverage, up to ${formatUsd(p.maxPositionUsdc * BigInt(p.maxLeverage))} at ${p.maxLeverage}x)`,
    `Daily loss limit: ${formatUsd(p.dailyLossLimitUsdc)} (copying stops for the day when reached)`,
    `Capital floor: ${formatUsd(p.capitalFloorUsdc)} · ceiling: ${formatUsd(p.capitalCeilingUsdc)}`,
    '',
    'Custom values: <code>/settings lev 10</code>, <code>/settings maxpos 500</code>, <code>/settings dailyloss 200</code>, ' +
      '<code>/settings floor 100</code>, <code>/settings ceiling 2000</code>.',
  ].join('\n');
  const keyboard: Button[][] = [
    [
      p.paused
        ? button('▶ Resume', { a: 'risk', action: 'resume' })
        : button('⏸ Pause all', { a: 'risk', action: 'pause' }),
    ],
    [
      button(mark(p.profile === 'CONSERVATIVE', 'Conservative'), { a: 'risk', action: 'conservative' }),
      button(mark(p.profile === 'MODERATE', 'Moderate'), { a: 'risk', action: 'moderate' }),
      button(mark(p.profile === 'AGGRESSIVE', 'Aggressive'), { a: 'risk', action: 'aggressive' }),
    ],
  ];
  return { text, keyboard };
}

// --- Wallet and portfolio ---------------------------------------------------------------------

export function portfolioScreen(input: {
  wallet: string | undefined;
  positions: readonly Position[];
  realized: WindowStats | undefined;
  mode: ExecutionMode;
  /** The user's copy results in total (undefined: not read, e.g. no copy history wired). */
  copies?: CopyResults | undefined;
}): Screen {
  if (!input.wallet)
    return { text: 'Link your wallet first: <code>/wallet 0xYourAddress</code>.', keyboard: [] };
  const lines = input.positions.map(
    (p) =>
      `${pairName(p.pairIndex)} ${p.buy ? 'long' : 'short'} ${formatUsd(p.collateral)} collateral × ${formatChainLeverage(p.leverage)} = ` +
      `${formatUsd((p.collateral * BigInt(p.leverage)) / 10_000_000_000n)} notional @ ${formatPrice(p.openPrice)}`,
  );
  const r = input.realized;
  const text = [
    tagMode(`<b>Portfolio</b> <code>${shortAddress(input.wallet)}</code>`, input.mode),
    '',
    lines.length ? `<b>Open positions</b>\n${lines.join('\n')}` : 'No open positions.',
    '',
    r
      ? `Realized PnL: 30d ${formatUsd(r.realizedPnlUsdc, { sign: true })} · win ${formatPercent(r.winRate, 0)} · ${r.closes} closes`
      : 'No closed trades yet.',
    ...(input.copies
      ? [
          '',
          `<b>Your copies</b> (${COPY_WINDOW_DAYS} days)`,
          ...copyTotalsLines(input.copies),
          'History: /copies',
        ]
      : []),
  ].join('\n');
  return { text, keyboard: [] };
}

// --- Copy results (/copies, /portfolio) ---------------------------------------------------------

/** How far back /copies and /portfolio read the user's copies. */
export const COPY_WINDOW_DAYS = 90;

const pct = (bps: bigint | undefined) =>
  bps === undefined ? '' : ` (${bps >= 0n ? '+' : ''}${(Number(bps) / 100).toFixed(1)}% on collateral)`;
const winRate = (wins: number, closes: number) =>
  closes
    ? `win ${formatPercent(wins / closes, 0)} of ${closes} close${closes === 1 ? '' : 's'}`
    : 'no closes yet';

/** Totals of one trader's copies or of all: realized, fees, open copies, and the trader's side. */
function copyTotalsLines(r: CopyResults): string[] {
  const lines = [
    `${r.copies} cop${r.copies === 1 ? 'y' : 'ies'} filled` +
      (r.canceled ? ` · ${r.canceled} cancelled` : '') +
      (r.failed ? ` · ${r.failed} failed` : '') +
      (r.simulated ? ` · ${r.simulated} DRY` : ''),
    `Realized: <b>${formatUsd(r.realizedPnlUsdc, { sign: true })}</b>${pct(returnBps(r.realizedPnlUsdc, r.closedCollateralUsdc))} · ` +
      `${winRate(r.wins, r.closes)} · opening fees ${formatUsd(r.feesUsdc)}`,
  ];
  if (r.closesWithoutAmount)
    lines.push(`${r.closesWithoutAmount} close(s) found filled without the amount back: not counted.`);
  if (r.openCopies)
    lines.push(
      `Open: ${r.openCopies} cop${r.openCopies === 1 ? 'y' : 'ies'}, ${formatUsd(r.openCollateralUsdc)} collateral · ` +
        `unrealized ${formatUsd(r.unrealizedPnlUsdc, { sign: true })} at the latest prices` +
        (r.unpricedOpenCopies ? ` (${r.unpricedOpenCopies} without a price)` : ''),
    );
  const t = r.traderSide;
  if (t && t.closes)
    lines.push(
      `Trader on the same closes: ${formatUsd(t.realizedPnlUsdc, { sign: true })}` +
        `${pct(returnBps(t.realizedPnlUsdc, t.closedCollateralUsdc))} · ${winRate(t.wins, t.closes)}`,
    );
  return lines;
}

const when = (iso: string) => `${iso.slice(5, 16).replace('T', ' ')} UTC`;

/** One copy and how it ended, for the history. */
export function copyLine(i: CopyIntent): string {
  const pairIndex = i.signed?.pairIndex ?? i.order.pairIndex;
  const buy = i.signed?.buy ?? (i.order.kind === 'OPEN' ? i.order.buy : undefined);
  const side = buy === undefined ? '' : buy ? ' LONG' : ' SHORT';
  const what =
    i.order.kind === 'CLOSE'
      ? `close ${formatFraction(i.order.fraction)} of${side} ${escapeHtml(pairName(pairIndex))}`
      : `${i.kind === 'OPEN' ? 'open' : 'add to'}${side} ${escapeHtml(pairName(pairIndex))}`;
  const head = `${when(i.createdAt)} · <code>${shortAddress(i.trader)}</code> · ${what}`;
  return `${head}: ${outcomeOf(i)}`;
}

function formatFraction(f: { closed: string; of: string }): string {
  const of = BigInt(f.of);
  if (of === 0n || BigInt(f.closed) >= of) return '100%';
  return `${Number((BigInt(f.closed) * 1000n) / of) / 10}%`;
}

function outcomeOf(i: CopyIntent): string {
  switch (i.state) {
    case 'EXECUTED': {
      const f = i.fill;
      if (!f) return 'filled';
      const collateral = BigInt(f.collateralUsdc);
      if (i.kind === 'CLOSE') {
        const pnl = closePnlOf(i);
        return pnl === undefined
          ? `✅ filled at ${formatPrice(f.price)} · ${formatUsd(collateral)} collateral closed (amount back not known)`
          : `✅ filled at ${formatPrice(f.price)} · ${formatUsd(collateral)} collateral closed, ${formatUsd(BigInt(f.usdcSentToTrader))} back · ` +
              `result <b>${formatUsd(pnl, { sign: true })}</b>`;
      }
      const leverage = BigInt(
        f.leverage ?? i.signed?.leverage ?? (i.order.kind === 'CLOSE' ? '0' : i.order.leverage),
      );
      return (
        `✅ filled at ${formatPrice(f.price)} · ${formatUsd(collateral)} collateral × ${formatChainLeverage(leverage)} = ` +
        `${formatUsd((collateral * leverage) / 10_000_000_000n)} notional`
      );
    }
    case 'CANCELED': {
      const fee = keptFeeOf(i);
      return `❎ cancelled: ${cancelWhy(i.reason)}${fee > 0n ? ` · fee kept about ${formatUsd(fee)}` : ''}`;
    }
    case 'FAILED':
      return `⚠️ failed: ${failureWhy(i.reason, i.code)}`;
    case 'SIMULATED':
      return 'DRY: decided, not sent';
    default:
      return `⏳ in flight (${i.state.toLowerCase()})`;
  }
}

/** /copies: totals, per followed trader, then the last copies with their outcome. */
export function copiesScreen(input: {
  total: CopyResults;
  byTrader: readonly CopyResults[];
  recent: readonly CopyIntent[];
  mode: ExecutionMode;
}): Screen {
  if (!input.recent.length && !input.byTrader.length)
    return {
      text: tagMode(
        '<b>Your copies</b>\nNo copies yet. Follow a trader with /alfa and turn on auto copy.',
        input.mode,
      ),
      keyboard: [],
    };
  const perTrader = input.byTrader.flatMap((r) => [
    `<code>${shortAddress(r.trader)}</code>`,
    ...copyTotalsLines(r).map((l) => `  ${l}`),
  ]);
  const text = [
    tagMode(`<b>Your copies</b> (last ${COPY_WINDOW_DAYS} days)`, input.mode),
    ...copyTotalsLines(input.total),
    'PnL is USDC back − collateral closed, after Avantis fees; sizes are collateral unless marked notional.',
    '',
    '<b>Per trader</b>',
    ...perTrader,
    '',
    `<b>Last ${input.recent.length} copies</b>`,
    ...input.recent.map(copyLine),
  ].join('\n');
  return { text, keyboard: [] };
}

// --- Admin ------------------------------------------------------------------------------------

export interface OpsStatus {
  readonly mode: ExecutionMode;
  readonly modeSwitch: string;
  readonly ceiling: ExecutionMode;
  readonly emergencyStop: boolean;
  readonly indexer: {
    readonly block: number | undefined;
    readonly head: number | undefined;
    readonly savedAt: string | undefined;
  };
  readonly queues: readonly {
    readonly name: string;
    readonly depth: number | undefined;
    readonly dlqDepth: number | undefined;
  }[];
  readonly recentErrors: readonly {
    readonly at: string;
    readonly reason: string;
    readonly message: string;
  }[];
}

export function statusScreen(s: OpsStatus): Screen {
  const lag =
    s.indexer.block !== undefined && s.indexer.head !== undefined
      ? s.indexer.head - s.indexer.block
      : undefined;
  const text = [
    '<b>Alfa status</b>',
    '',
    `Mode: <b>${s.mode}</b> (switch ${escapeHtml(s.modeSwitch)}, deploy ceiling ${s.ceiling})`,
    `Emergency stop: ${s.emergencyStop ? '⛔ ON' : 'off'}`,
    `Indexer: block ${s.indexer.block ?? '-'} · head ${s.indexer.head ?? '?'} · lag ${lag ?? '?'} blocks · saved ${s.indexer.savedAt ?? '-'}`,
    ...s.queues.map(
      (q) => `Queue ${q.name}: ${q.depth ?? '?'} waiting · DLQ ${q.dlqDepth ?? '?'}${q.dlqDepth ? ' ⚠' : ''}`,
    ),
    '',
    s.recentErrors.length
      ? `<b>Last errors</b>\n${s.recentErrors
          .slice(0, 5)
          .map(
            (e) =>
              `${e.at.slice(5, 19).replace('T', ' ')} ${escapeHtml(e.reason)}: ${escapeHtml(e.message.slice(0, 120))}`,
          )
          .join('\n')}`
      : 'No recent errors.',
  ].join('\n');
  return { text, keyboard: [] };
}

// --- Confirmations ----------------------------------------------------------------------------

/** A question with "yes" bound to the state it was asked about (see confirmations.ts) and Cancel. */
export function confirmScreen(title: string, body: string, yesText: string, yes: Callback): Screen {
  return {
    text: `<b>${title}</b>\n\n${body}\n\nThis question expires in 2 minutes.`,
    keyboard: [[button(yesText, yes), button('Cancel', { a: 'cancel' })]],
  };
}

// --- Backtest ---------------------------------------------------------------------------------

const SKIP_TEXT: Readonly<Record<string, string>> = {
  PAIR_NOT_ALLOWED: 'pair not in your list',
  PAIR_NOT_LISTED: 'pair not listed on Avantis',
  BELOW_MIN: "below the pair's minimum position",
  LEVERAGE_BELOW_MIN: "leverage below the pair's minimum",
  CAPITAL_CEILING: 'your capital ceiling was reached',
  OPENED_BEFORE: 'closes of trades opened before the period',
  INCREASE_NOT_COPIED: 'size increases (not replayed)',
  TRADER_LEVERAGE_BELOW: 'below your minimum trader leverage',
};

export function backtestScreen(input: {
  trader: string;
  days: number;
  result: BacktestResult;
  settings: {
    sizing: Sizing;
    maxLeverage: number;
    maxPositionUsdc: bigint;
    pairs: Follow['pairs'];
    direction?: 'SAME' | 'REVERSE';
  };
  equityUsdc: bigint;
  languageCode?: string;
}): Screen {
  const { result: r, settings: s } = input;
  const usd = (n: bigint, sign = false) => formatUsdFor(n, input.languageCode, { sign });
  const skips = Object.entries(r.skipped)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `  ${n} × ${SKIP_TEXT[k] ?? k}`);
  const fmtDate = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const text = [
    `<b>Backtest</b> of <code>${shortAddress(input.trader)}</code>, last ${input.days} days`,
    `${fmtDate(r.from)} – ${fmtDate(r.to)} UTC`,
    `With: ${sizingText(s.sizing, input.languageCode)} · max ${s.maxLeverage}x · max collateral ${usd(s.maxPositionUsdc)} · ${
      s.pairs === 'ALL' ? 'all pairs' : s.pairs.map(pairName).join(', ')
    }`,
    '',
    `Trader opened ${r.traderOpens} trades: ${r.copied} copied, ${r.traderOpens - r.copied} skipped`,
    ...(skips.length ? ['Skipped:', ...skips] : []),
    '',
    `Realized PnL: <b>${usd(r.realizedPnlUsdc, true)}</b> after ${usd(r.feesUsdc)} fees (${r.closes} closes, ${
      r.closes ? formatPercent(r.wins / r.closes, 0) : '0%'
    } won)`,
    `The trader on the same closes: ${usd(r.traderPnlUsdc, true)}`,
    `Max drawdown: ${usd(r.maxDrawdownUsdc)} (deepest fall of cumulative PnL from a high)`,
    `Capital used: ${usd(r.capitalUsedUsdc)} collateral at most at once · ROI ${(Number(r.roiBps) / 100).toFixed(1)}%`,
    ...(r.stillOpen ? [`${r.stillOpen} cop${r.stillOpen === 1 ? 'y' : 'ies'} still open (not counted)`] : []),
    '',
    `${s.direction === 'REVERSE' ? 'Reverse copy: the opposite side of each trade. ' : ''}` +
      `Copies fill at the trader's price; opening and closing fees are Avantis' per pair; funding and per-copy stop-losses are not replayed.` +
      (s.sizing.kind === 'PCT_EQUITY' ? ` % sizing starts from ${usd(input.equityUsdc)}.` : ''),
    `Try other settings: <code>/backtest ${input.trader} size 50 lev 10 days 7</code>`,
  ].join('\n');
  return { text, keyboard: [[button('‹ Trader', { a: 'trader', trader: input.trader })]] };
}

/**
 * For the admin commands ("ops"): `/emergency start` asks first, and the yes is bound to the flag
 * as it is now; on the press, checkConfirmation(cb, { emergencyStop: <flag now> }, now).
 */
export function confirmEmergencyStartScreen(emergencyStop: boolean, now: Date): Screen {
  return confirmScreen(
    'Restart copy execution?',
    'Copies will be signed and sent again as the mode switch says (LIVE sends real trades).',
    'Yes, restart',
    confirmCallback('emergency_start', { emergencyStop }, now),
  );
}

/** For "ops": "go LIVE", bound to the switch value now; on the press, checkConfirmation(cb, { switch: <value now> }, now). */
export function confirmLiveBoundScreen(switchValue: string, now: Date): Screen {
  return confirmScreen(
    'Switch copy execution to LIVE?',
    'Followers in Auto copy will have real trades sent from their delegated wallets. ' +
      'This needs the deploy ceiling COPY_EXECUTION_MODE=LIVE too.',
    'Yes, go LIVE',
    confirmCallback('live', { switch: switchValue }, now),
  );
}
