// Follow = a user following a trader, with the CopySettings that say what to do on their signals.
// Settings are validated here, once, whether they come from a button or typed text.
import { pairIndexOf } from './avantis/pairs.js';
import { cut } from './format.js';

export type FollowMode = 'ALERTS' | 'AUTO';

/**
 * What the user hears about a follow: every alert and copy message (ALL), only messages about
 * their own copies (COPIES), or nothing at all (SILENT). `notify` stays the "alerts on" flag the
 * decision reads; the copy path's alerter must also drop copy messages when the level is SILENT.
 */
export type NotifyLevel = 'ALL' | 'COPIES' | 'SILENT';

/** Copin's "more ways to copy": take the trader's side, or the opposite one. */
export type CopyDirection = 'SAME' | 'REVERSE';

/**
 * A stop-loss placed on each copied position (as the copy's own SL): the most the copy may lose,
 * in USDC, or as a share of its collateral in basis points (2500 = 25%).
 */
export type CopyStopLoss =
  { readonly kind: 'USD'; readonly usdc: bigint } | { readonly kind: 'PCT'; readonly bps: number };

/** How big a copy is: fixed USDC, a share of the wallet's USDC, or a multiple of the trader's collateral. */
export type Sizing =
  | { readonly kind: 'FIXED_USD'; readonly usdc: bigint }
  | { readonly kind: 'PCT_EQUITY'; readonly bps: number }
  | { readonly kind: 'MULTIPLIER'; readonly milli: number };

export interface Follow {
  readonly userId: string;
  readonly trader: string;
  readonly chatId: string;
  readonly mode: FollowMode;
  readonly sizing: Sizing;
  /** Whole x; the copy uses min(trader's, this, the pair's maximum). */
  readonly maxLeverage: number;
  /** Largest collateral of one copied position, USDC 1e6. */
  readonly maxPositionUsdc: bigint;
  /** Pair allow-list; 'ALL' copies every pair. */
  readonly pairs: readonly number[] | 'ALL';
  /** Alerts on: true exactly when the notification level is ALL. */
  readonly notify: boolean;
  /** Absent on follows stored before levels existed: read it with notifyLevelOf. */
  readonly notifications?: NotifyLevel;
  /** Absent = SAME. REVERSE opens the opposite side of every trade (closes still follow). */
  readonly direction?: CopyDirection;
  /** Absent = no stop-loss of our own (the trader's SL, if any, is not copied). */
  readonly stopLoss?: CopyStopLoss;
  /** Whole x; trades opened below this leverage are not copied (absent = every leverage). */
  readonly minTraderLeverage?: number;
  readonly createdAt: string;
}

/** The level of a follow; a follow from before levels existed maps its on/off flag to ALL/COPIES. */
export function notifyLevelOf(f: Pick<Follow, 'notify' | 'notifications'>): NotifyLevel {
  return f.notifications ?? (f.notify ? 'ALL' : 'COPIES');
}

/** Follows per user: each one fans out alerts and, in AUTO, money. */
export const FOLLOW_LIMIT = 25;

const USDC = 1_000_000n;

export const LIMITS = {
  fixedUsd: { min: 1, max: 100_000 },
  pctEquityBps: { min: 10, max: 10_000 },
  multiplierMilli: { min: 10, max: 10_000 },
  maxLeverage: { min: 1, max: 150 },
  maxPositionUsd: { min: 10, max: 1_000_000 },
} as const;

export function newFollow(userId: string, chatId: string, trader: string, now: Date): Follow {
  return {
    userId,
    trader,
    chatId,
    mode: 'ALERTS',
    sizing: { kind: 'FIXED_USD', usdc: 25n * USDC },
    maxLeverage: 10,
    maxPositionUsdc: 250n * USDC,
    pairs: 'ALL',
    notify: true,
    notifications: 'ALL',
    createdAt: now.toISOString(),
  };
}

export type SettingChange =
  | { readonly field: 'mode'; readonly value: FollowMode }
  | { readonly field: 'sizing'; readonly value: Sizing }
  | { readonly field: 'maxLeverage'; readonly value: number }
  | { readonly field: 'maxPosition'; readonly value: bigint }
  | { readonly field: 'pairs'; readonly value: readonly number[] | 'ALL' }
  | { readonly field: 'togglePair'; readonly value: number }
  | { readonly field: 'notify'; readonly value: boolean }
  | { readonly field: 'notifications'; readonly value: NotifyLevel }
  | { readonly field: 'direction'; readonly value: CopyDirection }
  | { readonly field: 'stopLoss'; readonly value: CopyStopLoss | undefined }
  | { readonly field: 'minTraderLeverage'; readonly value: number | undefined };

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

function inRange(n: number, range: { min: number; max: number }): boolean {
  return Number.isFinite(n) && n >= range.min && n <= range.max;
}

/** Applies a change, refusing values out of range (at a limit is allowed, over it is refused). */
export function applySetting(follow: Follow, change: SettingChange): Checked<Follow> {
  switch (change.field) {
    case 'mode':
      return ok({ ...follow, mode: change.value });
    case 'notify':
      return ok({ ...follow, notify: change.value, notifications: change.value ? 'ALL' : 'COPIES' });
    case 'notifications':
      return ok({ ...follow, notify: change.value === 'ALL', notifications: change.value });
    case 'direction':
      return ok({ ...follow, direction: change.value });
    case 'stopLoss': {
      const sl = change.value;
      if (sl === undefined) {
        const { stopLoss: _dropped, ...rest } = follow;
        return ok(rest);
      }
      if (sl.kind === 'PCT' && !(Number.isInteger(sl.bps) && sl.bps >= 100 && sl.bps <= 10_000))
        return fail("a stop-loss share is from 1% to 100% of the copy's collateral");
      if (sl.kind === 'USD' && !(sl.usdc >= USDC && sl.usdc <= 100_000n * USDC))
        return fail('a stop-loss in dollars is from $1 to $100,000');
      return ok({ ...follow, stopLoss: sl });
    }
    case 'minTraderLeverage': {
      const x = change.value;
      if (x === undefined) {
        const { minTraderLeverage: _dropped, ...rest } = follow;
        return ok(rest);
      }
      return Number.isInteger(x) && inRange(x, LIMITS.maxLeverage)
        ? ok({ ...follow, minTraderLeverage: x })
        : fail(
            `minlev is a whole number from ${LIMITS.maxLeverage.min}x to ${LIMITS.maxLeverage.max}x, or off`,
          );
    }
    case 'sizing': {
      const s = change.value;
      if (s.kind === 'FIXED_USD' && !inRange(Number(s.usdc) / 1e6, LIMITS.fixedUsd))
        return fail(
          `a fixed size must be from $${LIMITS.fixedUsd.min} to $${LIMITS.fixedUsd.max.toLocaleString('en-US')}`,
        );
      if (s.kind === 'PCT_EQUITY' && !inRange(s.bps, LIMITS.pctEquityBps))
        return fail('a share of equity must be from 0.1% to 100%');
      if (s.kind === 'MULTIPLIER' && !inRange(s.milli, LIMITS.multiplierMilli))
        return fail('a multiplier must be from 0.01x to 10x');
      return ok({ ...follow, sizing: s });
    }
    case 'maxLeverage':
      return Number.isInteger(change.value) && inRange(change.value, LIMITS.maxLeverage)
        ? ok({ ...follow, maxLeverage: change.value })
        : fail(
            `max leverage must be a whole number from ${LIMITS.maxLeverage.min}x to ${LIMITS.maxLeverage.max}x`,
          );
    case 'maxPosition':
      return inRange(Number(change.value) / 1e6, LIMITS.maxPositionUsd)
        ? ok({ ...follow, maxPositionUsdc: change.value })
        : fail(
            `max position must be from $${LIMITS.maxPositionUsd.min} to $${LIMITS.maxPositionUsd.max.toLocaleString('en-US')}`,
          );
    case 'pairs':
      return ok({
        ...follow,
        pairs:
          change.value === 'ALL' || change.value.length === 0
            ? 'ALL'
            : [...new Set(change.value)].sort((a, b) => a - b),
      });
    case 'togglePair': {
      const current = follow.pairs === 'ALL' ? [] : follow.pairs;
      const next = current.includes(change.value)
        ? current.filter((p) => p !== change.value)
        : [...current, change.value];
      return applySetting(follow, { field: 'pairs', value: next });
    }
  }
}

/** Dollars as typed ("50", "$1,250.5") -> USDC 1e6, exactly; undefined when not a plain amount. */
export function parseUsd(text: string): bigint | undefined {
  const m = /^\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return undefined;
  return BigInt((m[1] as string).replace(/,/g, '')) * USDC + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** The fields `/set` takes, with an example of each (also shown in /help). */
export const SETTING_HELP: readonly (readonly [string, string])[] = [
  ['mode', 'mode auto  (or alerts)'],
  ['size', 'size 50  |  size 5%  |  size 0.5x'],
  ['lev', 'lev 10'],
  ['maxpos', 'maxpos 500'],
  ['pairs', 'pairs ETH,BTC  (or all)'],
  ['notify', 'notify all  |  notify copies  |  notify off'],
  ['reverse', 'reverse on  (or off): copy the opposite side'],
  ['sl', 'sl 25%  |  sl 20  (dollars)  |  sl off: a stop-loss on each copy'],
  ['minlev', 'minlev 5  (or off): skip trades below 5x'],
];

/** Parses `<field> <value>` as typed after `/set <address>`. */
export function parseSettingText(field: string, value: string): Checked<SettingChange> {
  const v = value.trim();
  switch (field.toLowerCase()) {
    case 'mode': {
      const mode = v.toUpperCase();
      return mode === 'ALERTS' || mode === 'AUTO'
        ? ok({ field: 'mode', value: mode })
        : fail('mode is alerts or auto, e.g. /set 0x… mode auto');
    }
    case 'size': {
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
      if (pct)
        return ok({ field: 'sizing', value: { kind: 'PCT_EQUITY', bps: Math.round(Number(pct[1]) * 100) } });
      const mult = /^(\d+(?:\.\d+)?)x$/i.exec(v);
      if (mult)
        return ok({
          field: 'sizing',
          value: { kind: 'MULTIPLIER', milli: Math.round(Number(mult[1]) * 1000) },
        });
      const usd = parseUsd(v);
      return usd === undefined
        ? fail('size is dollars (50), a share of your wallet (5%) or a multiple of the trader (0.5x)')
        : ok({ field: 'sizing', value: { kind: 'FIXED_USD', usdc: usd } });
    }
    case 'lev':
    case 'leverage': {
      const n = /^(\d+)x?$/i.exec(v);
      return n
        ? ok({ field: 'maxLeverage', value: Number(n[1]) })
        : fail('lev is a whole number of x, e.g. /set 0x… lev 10');
    }
    case 'maxpos': {
      const usd = parseUsd(v);
      return usd === undefined
        ? fail('maxpos is dollars, e.g. /set 0x… maxpos 500')
        : ok({ field: 'maxPosition', value: usd });
    }
    case 'pairs': {
      if (v.toLowerCase() === 'all') return ok({ field: 'pairs', value: 'ALL' });
      const names = v.split(/[\s,]+/).filter(Boolean);
      const indexes = names.map((n) => pairIndexOf(n));
      const unknown = names.filter((_n, i) => indexes[i] === undefined);
      if (names.length === 0 || unknown.length > 0) {
        return fail(
          `unknown pair${unknown.length > 1 ? 's' : ''} ${cut(unknown.join(', ')) || '(none given)'}; use names like ETH, BTC, SOL/USD, or all`,
        );
      }
      return ok({ field: 'pairs', value: indexes as number[] });
    }
    case 'notify': {
      const level = (
        { on: 'ALL', all: 'ALL', copies: 'COPIES', off: 'SILENT', silent: 'SILENT', none: 'SILENT' } as const
      )[v.toLowerCase() as 'on'];
      return level
        ? ok({ field: 'notifications', value: level })
        : fail('notify is all (alerts and copies), copies (only your copies) or off (silent)');
    }
    case 'reverse':
    case 'direction': {
      const on = v.toLowerCase();
      return on === 'on' || on === 'off' || on === 'same' || on === 'reverse'
        ? ok({ field: 'direction', value: on === 'on' || on === 'reverse' ? 'REVERSE' : 'SAME' })
        : fail('reverse is on (copy the opposite side) or off');
    }
    case 'sl':
    case 'stoploss': {
      if (v.toLowerCase() === 'off') return ok({ field: 'stopLoss', value: undefined });
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
      if (pct)
        return ok({ field: 'stopLoss', value: { kind: 'PCT', bps: Math.round(Number(pct[1]) * 100) } });
      const usd = parseUsd(v);
      return usd === undefined
        ? fail('sl is a share of the copy (25%), dollars (20) or off')
        : ok({ field: 'stopLoss', value: { kind: 'USD', usdc: usd } });
    }
    case 'minlev': {
      if (v.toLowerCase() === 'off') return ok({ field: 'minTraderLeverage', value: undefined });
      const n = /^(\d+)x?$/i.exec(v);
      return n
        ? ok({ field: 'minTraderLeverage', value: Number(n[1]) })
        : fail('minlev is a whole number of x (skip trades below it), or off');
    }
    default:
      return fail(`unknown setting "${cut(field)}"; settings are ${SETTING_HELP.map(([f]) => f).join(', ')}`);
  }
}
