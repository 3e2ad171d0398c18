// What the bot shows: each screen as text (Telegram HTML) plus its inline keyboard. Pure, so every
// screen is tested without Telegram, and the adapter only turns buttons into reply markup.
import { encodeCallback, type Callback, type SortKey } from './callbacks.js';
import type { LeaderboardRow } from './analytics/leaderboard.js';
import type { TraderView } from './analytics/leaderboard.js';
import type { WindowStats } from './analytics/stats.js';
import { pairName } from './avantis/pairs.js';
import type { ExecutionMode } from './execution-mode.js';
import type { Fill } from './fills.js';
import { FOLLOW_LIMIT, type Follow, type Sizing } from './follows.js';
import { escapeHtml, tagMode } from './messages.js';
import type { Position } from './positions.js';
import type { RiskPolicy } from './risk.js';
import {
  formatChainLeverage,
  formatDuration,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatUsd,
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
      `<b>${r.rank}.</b> <code>${shortAddress(r.trader)}</code> ${formatUsd(BigInt(r.realizedPnl30dUsdc), { sign: true })} · ` +
      `ROI ${formatPercent(r.roi30d)} · win ${formatPercent(r.winRate30d, 0)} · ${r.trades30d} trades · ` +
      `${formatLeverage(r.medianLeverage30d)} · score ${r.score}`,
  );
  const title = `<b>Top ${visible.length} by ${sort === 'score' ? 'copyability score' : '30-day PnL'}</b> (${offset + 1}-${offset + page.length})`;
  const keyboard: Button[][] = page.map((r) => [
    input.followed.has(r.trader)
      ? button(`✓ #${r.rank} ${shortAddress(r.trader)}`, { a: 'trader', trader: r.trader })
      : button(`Follow #${r.rank} ${shortAddress(r.trader)}`, {
          a: 'follow',
          trader: r.trader,
          back: { sort, offset, limit },
        }),
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
    text: [title, '', ...lines, '', 'PnL is realized, after fees. /trader &lt;address&gt; for details.'].join(
      '\n',
    ),
    keyboard,
  };
}

// --- Trader -----------------------------------------------------------------------------------

function statsLine(label: string, s: WindowStats): string {
  return (
    `${label}: ${formatUsd(s.realizedPnlUsdc, { sign: true })} · ROI ${formatPercent(s.roi)} · win ${formatPercent(s.winRate, 0)} · ` +
    `${s.trades} trades · vol ${formatUsd(s.volumeUsdc)} · DD ${formatUsd(s.maxDrawdownUsdc)}`
  );
}

function fillLine(f: Fill): string | undefined {
  const e = f.event;
  if (e.kind !== 'MarketExecuted' && e.kind !== 'LimitExecuted') return undefined;
  const open = e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
  const what = open ? 'open' : e.kind === 'LimitExecuted' ? e.orderType : 'close';
  const side = e.trade.buy ? 'long' : 'short';
  const when = new Date(f.timestamp * 1000).toISOString().slice(5, 16).replace('T', ' ');
  return `${when} ${what} ${side} ${pairName(e.trade.pairIndex)} ${formatUsd(e.positionSizeUsdc)} @ ${formatPrice(e.price)} ${formatChainLeverage(e.trade.leverage)}`;
}

export function traderScreen(input: {
  view: TraderView;
  rank: number | undefined;
  recent: readonly Fill[];
  following: boolean;
  indexed: boolean;
}): Screen {
  const { view } = input;
  const c = view.copyability;
  const recent = input.recent
    .map(fillLine)
    .filter((l): l is string => l !== undefined)
    .slice(0, 5);
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
    [button('‹ Leaderboard', { a: 'board', sort: 'score', offset: 0, limit: 50 })],
  ];
  return { text, keyboard };
}

function exclusionText(e: string): string {
  return (
    { TOO_FEW_TRADES: 'too few trades', TOO_LITTLE_VOLUME: 'too little volume', INACTIVE: 'inactive' }[e] ?? e
  );
}

// --- Follows and their settings ---------------------------------------------------------------

export function sizingText(s: Sizing): string {
  switch (s.kind) {
    case 'FIXED_USD':
      return `${formatUsd(s.usdc)} per trade`;
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
      `${f.notify ? '' : ' · muted'}`,
  );
  return {
    text: [`<b>You follow ${follows.length} of at most ${FOLLOW_LIMIT} traders</b>`, '', ...lines].join('\n'),
    keyboard: follows.map((f) => [
      button(`⚙ ${shortAddress(f.trader)}`, { a: 'settings', trader: f.trader }),
    ]),
  };
}

const mark = (on: boolean, text: string) => (on ? `✓ ${text}` : text);

export function followSettingsScreen(f: Follow, mode: ExecutionMode): Screen {
  const set = (
    field: 'mode' | 'size' | 'lev' | 'maxpos' | 'pair' | 'allpairs' | 'notify',
    value: string,
    text: string,
    on: boolean,
  ) => button(mark(on, text), { a: 'set', trader: f.trader, field, value });
  const size = f.sizing;
  const text = [
    tagMode(`<b>Copy settings</b> for <code>${f.trader}</code>`, mode),
    '',
    `Mode: ${f.mode === 'AUTO' ? 'AUTO (alerts + copy trades)' : 'ALERTS only'}`,
    `Size: ${sizingText(size)}`,
    `Max leverage: ${f.maxLeverage}x · max position: ${formatUsd(f.maxPositionUsdc)}`,
    `Pairs: ${pairsText(f)}`,
    `Notifications: ${f.notify ? 'on' : 'off'}`,
    '',
    `Other values: <code>/set ${f.trader} size 37.5</code> (also 5%, 0.5x, lev, maxpos, pairs ETH,BTC).`,
  ].join('\n');
  const quick = [0, 1, 2];
  const keyboard: Button[][] = [
    [set('mode', 'A', 'Alerts', f.mode === 'ALERTS'), set('mode', 'U', 'Auto copy', f.mode === 'AUTO')],
    [10, 25, 50, 100].map((d) =>
      set('size', `F${d}`, `$${d}`, size.kind === 'FIXED_USD' && size.usdc === BigInt(d) * USDC),
    ),
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
      set('notify', f.notify ? '0' : '1', f.notify ? '🔔 On' : '🔕 Off', false),
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
    `Max position: ${formatUsd(p.maxPositionUsdc)}`,
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

export interface WalletStatus {
  readonly wallet: string;
  readonly executor: string;
  readonly delegatedTo: string | undefined;
  readonly allowanceUsdc: bigint;
  readonly balanceUsdc: bigint;
  readonly trading: string;
  readonly tradingStorage: string;
  readonly usdc: string;
}

export function walletScreen(
  s: WalletStatus | undefined,
  wallet: string | undefined,
  mode: ExecutionMode,
  error?: string,
): Screen {
  if (!wallet)
    return {
      text: 'No wallet linked. Send <code>/wallet 0xYourAddress</code> to link the wallet copies trade from.',
      keyboard: [],
    };
  if (!s)
    return {
      text: `Wallet <code>${wallet}</code> is linked, but its on-chain status could not be read${error ? ` (${escapeHtml(error)})` : ''}. Try again in a minute.`,
      keyboard: [],
    };
  const delegated = s.delegatedTo?.toLowerCase() === s.executor.toLowerCase();
  const approved = s.allowanceUsdc > 0n;
  const steps: string[] = [];
  if (!delegated) {
    steps.push(
      `${steps.length + 1}. From your wallet, call <code>setDelegate(${s.executor})</code> on Avantis Trading <code>${s.trading}</code>. ` +
        'This lets Alfa open and close trades for you; your funds never leave your wallet, and <code>removeDelegate()</code> revokes it.',
    );
  }
  if (!approved) {
    steps.push(
      `${steps.length + 1}. From your wallet, call <code>approve(${s.tradingStorage}, amount)</code> on USDC <code>${s.usdc}</code> ` +
        'with the most you want copied trades to use.',
    );
  }
  const text = [
    tagMode(`<b>Wallet</b> <code>${s.wallet}</code>`, mode),
    '',
    `USDC balance: ${formatUsd(s.balanceUsdc)}`,
    `Delegated to Alfa's executor: ${delegated ? 'yes ✓' : 'no'}`,
    `USDC approved for trading: ${approved ? `${formatUsd(s.allowanceUsdc)} ✓` : 'no'}`,
    '',
    steps.length
      ? `<b>To enable copy trading</b>\n${steps.join('\n')}`
      : 'Ready for copy trading. Set a follow to Auto copy under /following.',
  ].join('\n');
  return { text, keyboard: [] };
}

export function portfolioScreen(input: {
  wallet: string | undefined;
  positions: readonly Position[];
  realized: WindowStats | undefined;
  mode: ExecutionMode;
}): Screen {
  if (!input.wallet)
    return { text: 'Link your wallet first: <code>/wallet 0xYourAddress</code>.', keyboard: [] };
  const lines = input.positions.map(
    (p) =>
      `${pairName(p.pairIndex)} ${p.buy ? 'long' : 'short'} ${formatUsd(p.collateral)} ${formatChainLeverage(p.leverage)} @ ${formatPrice(p.openPrice)}`,
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

export function confirmLiveScreen(): Screen {
  return {
    text:
      '<b>Switch copy execution to LIVE?</b>\n\nFollowers in Auto copy will have real trades sent from their delegated wallets. ' +
      'This needs the deploy ceiling COPY_EXECUTION_MODE=LIVE too.',
    keyboard: [
      [button('Yes, go LIVE', { a: 'live', confirm: true }), button('Cancel', { a: 'live', confirm: false })],
    ],
  };
}
