// Follow = a user following a trader, with the CopySettings that say what to do on their signals.
// Settings are validated here, once, whether they come from a button or typed text.
import { pairIndexOf } from './avantis/pairs.js';

export type FollowMode = 'ALERTS' | 'AUTO';

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
  readonly notify: boolean;
  readonly createdAt: string;
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
  | { readonly field: 'notify'; readonly value: boolean };

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
      return ok({ ...follow, notify: change.value });
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
  ['notify', 'notify off  (or on)'],
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
          `unknown pair${unknown.length > 1 ? 's' : ''} ${unknown.join(', ') || '(none given)'}; use names like ETH, BTC, SOL/USD, or all`,
        );
      }
      return ok({ field: 'pairs', value: indexes as number[] });
    }
    case 'notify': {
      const on = v.toLowerCase();
      return on === 'on' || on === 'off'
        ? ok({ field: 'notify', value: on === 'on' })
        : fail('notify is on or off');
    }
    default:
      return fail(`unknown setting "${field}"; settings are ${SETTING_HELP.map(([f]) => f).join(', ')}`);
  }
}
