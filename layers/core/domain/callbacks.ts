// Inline-button payloads: versioned, validated and within Telegram's 64-byte limit. A button from
// an older version, or anything malformed, decodes to undefined and gets a polite "expired".
export const CALLBACK_VERSION = '1';
const MAX_BYTES = 64;

export type SortKey = 'score' | 'pnl';
export type SettingsField =
  'mode' | 'size' | 'lev' | 'maxpos' | 'pair' | 'allpairs' | 'notify' | 'dir' | 'sl';

/**
 * Risky changes that need a second tap: the Aggressive preset, Auto copy on, 100% sizing,
 * unfollowing with open positions, and (for the admin commands) /emergency start and LIVE.
 */
export type ConfirmKind = 'aggressive' | 'auto' | 'pct100' | 'unfollow' | 'emergency_start' | 'live';
const CONFIRM_CODES: Readonly<Record<ConfirmKind, string>> = {
  aggressive: 'ag',
  auto: 'au',
  pct100: 'pc',
  unfollow: 'un',
  emergency_start: 'es',
  live: 'lv',
};
const CONFIRM_KINDS = new Map(Object.entries(CONFIRM_CODES).map(([k, v]) => [v, k as ConfirmKind]));

export interface BoardPage {
  readonly sort: SortKey;
  readonly offset: number;
  readonly limit: number;
}

export type Callback =
  | { readonly a: 'board'; readonly sort: SortKey; readonly offset: number; readonly limit: number }
  /** `back`: the leaderboard page the card was opened from. */
  | { readonly a: 'trader'; readonly trader: string; readonly back?: BoardPage }
  | { readonly a: 'backtest'; readonly trader: string }
  | { readonly a: 'chart'; readonly trader: string }
  /**
   * A confirmation: `at` (unix seconds) makes it expire; `token` is a digest of the state it was
   * asked about, so a "yes" after the state changed confirms nothing (see confirmations.ts).
   */
  | {
      readonly a: 'confirm';
      readonly kind: ConfirmKind;
      readonly trader?: string;
      readonly at: number;
      readonly token: string;
    }
  | { readonly a: 'cancel' }
  /** `back`: the leaderboard page the button sits on, re-drawn in place after following. */
  | { readonly a: 'follow'; readonly trader: string; readonly back?: BoardPage }
  | { readonly a: 'unfollow'; readonly trader: string }
  | { readonly a: 'following' }
  | { readonly a: 'settings'; readonly trader: string }
  | { readonly a: 'set'; readonly trader: string; readonly field: SettingsField; readonly value: string }
  | { readonly a: 'risk'; readonly action: 'pause' | 'resume' | 'conservative' | 'moderate' | 'aggressive' }
  | { readonly a: 'live'; readonly confirm: boolean };

const ADDRESS = /^[0-9a-f]{40}$/;
const addr = (hex: string | undefined) => (hex && ADDRESS.test(hex) ? `0x${hex}` : undefined);
const strip = (trader: string) => trader.slice(2).toLowerCase();

export function encodeCallback(c: Callback): string {
  const parts: string[] = (() => {
    switch (c.a) {
      case 'board':
        return ['b', c.sort === 'score' ? 's' : 'p', String(c.offset), String(c.limit)];
      case 'trader':
        return c.back ? ['t', strip(c.trader), ...pageParts(c.back)] : ['t', strip(c.trader)];
      case 'backtest':
        return ['k', strip(c.trader)];
      case 'chart':
        return ['g', strip(c.trader)];
      case 'confirm':
        return ['c', CONFIRM_CODES[c.kind], c.trader ? strip(c.trader) : '-', c.at.toString(36), c.token];
      case 'cancel':
        return ['x'];
      case 'follow':
        return c.back
          ? [
              'f',
              strip(c.trader),
              c.back.sort === 'score' ? 's' : 'p',
              String(c.back.offset),
              String(c.back.limit),
            ]
          : ['f', strip(c.trader)];
      case 'unfollow':
        return ['u', strip(c.trader)];
      case 'following':
        return ['l'];
      case 'settings':
        return ['s', strip(c.trader)];
      case 'set':
        return ['v', strip(c.trader), c.field, c.value];
      case 'risk':
        return ['r', c.action];
      case 'live':
        return ['m', c.confirm ? 'y' : 'n'];
    }
  })();
  const data = [CALLBACK_VERSION, ...parts].join(':');
  if (Buffer.byteLength(data) > MAX_BYTES) throw new Error(`callback data over ${MAX_BYTES} bytes: ${data}`);
  return data;
}

const pageParts = (p: BoardPage): string[] => [
  p.sort === 'score' ? 's' : 'p',
  String(p.offset),
  String(p.limit),
];

const SETTINGS_FIELDS: ReadonlySet<string> = new Set([
  'mode',
  'size',
  'lev',
  'maxpos',
  'pair',
  'allpairs',
  'notify',
  'dir',
  'sl',
]);
const RISK_ACTIONS: ReadonlySet<string> = new Set([
  'pause',
  'resume',
  'conservative',
  'moderate',
  'aggressive',
]);
function boardPage(args: readonly string[]): BoardPage | undefined {
  const offset = small(args[1], 1000);
  const limit = small(args[2], 200);
  if ((args[0] !== 's' && args[0] !== 'p') || offset === undefined || !limit) return undefined;
  return { sort: args[0] === 's' ? 'score' : 'pnl', offset, limit };
}

const small = (s: string | undefined, max: number) =>
  s && /^\d{1,4}$/.test(s) && Number(s) <= max ? Number(s) : undefined;

export function decodeCallback(data: string | undefined): Callback | undefined {
  if (!data || Buffer.byteLength(data) > MAX_BYTES) return undefined;
  const [version, kind, ...args] = data.split(':');
  if (version !== CALLBACK_VERSION) return undefined;
  switch (kind) {
    case 'b': {
      const page = boardPage(args);
      return page && args.length === 3 ? { a: 'board', ...page } : undefined;
    }
    case 'f': {
      const trader = addr(args[0]);
      if (!trader) return undefined;
      if (args.length === 1) return { a: 'follow', trader };
      const back = boardPage(args.slice(1));
      return back && args.length === 4 ? { a: 'follow', trader, back } : undefined;
    }
    case 't': {
      const trader = addr(args[0]);
      if (!trader) return undefined;
      if (args.length === 1) return { a: 'trader', trader };
      const back = boardPage(args.slice(1));
      return back && args.length === 4 ? { a: 'trader', trader, back } : undefined;
    }
    case 'k':
    case 'g': {
      const trader = addr(args[0]);
      if (!trader || args.length !== 1) return undefined;
      return kind === 'k' ? { a: 'backtest', trader } : { a: 'chart', trader };
    }
    case 'c': {
      const kind = CONFIRM_KINDS.get(args[0] ?? '');
      const trader = args[1] === '-' ? undefined : addr(args[1]);
      const at = /^[0-9a-z]{1,8}$/.test(args[2] ?? '') ? parseInt(args[2] as string, 36) : Number.NaN;
      const token = args[3];
      if (
        !kind ||
        (args[1] !== '-' && !trader) ||
        !Number.isSafeInteger(at) ||
        !token ||
        !/^[\w-]{4,12}$/.test(token)
      )
        return undefined;
      return args.length === 4 ? { a: 'confirm', kind, ...(trader ? { trader } : {}), at, token } : undefined;
    }
    case 'x':
      return args.length === 0 ? { a: 'cancel' } : undefined;
    case 'u':
    case 's': {
      const trader = addr(args[0]);
      if (!trader || args.length !== 1) return undefined;
      const a = ({ u: 'unfollow', s: 'settings' } as const)[kind];
      return { a, trader };
    }
    case 'l':
      return args.length === 0 ? { a: 'following' } : undefined;
    case 'v': {
      const trader = addr(args[0]);
      const field = args[1];
      const value = args[2];
      if (
        !trader ||
        !field ||
        !SETTINGS_FIELDS.has(field) ||
        value === undefined ||
        !/^[\w.%-]{1,12}$/.test(value)
      )
        return undefined;
      return { a: 'set', trader, field: field as SettingsField, value };
    }
    case 'r':
      return args[0] && RISK_ACTIONS.has(args[0]) ? { a: 'risk', action: args[0] as 'pause' } : undefined;
    case 'm':
      return args[0] === 'y' || args[0] === 'n' ? { a: 'live', confirm: args[0] === 'y' } : undefined;
    default:
      return undefined;
  }
}
