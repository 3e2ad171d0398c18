// Numbers for people: money from chain units, percentages, leverage, durations, addresses.

/** USDC 1e6 -> `$1,234.56` / `-$12.00`, rounded half away from zero to the cent. */
export function formatUsd(amount: bigint, opts: { sign?: boolean } = {}): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const cents = (abs + 5_000n) / 10_000n; // 1e6 -> 1e2, rounded
  const dollars = (cents / 100n).toLocaleString('en-US');
  const text = `$${dollars}.${String(cents % 100n).padStart(2, '0')}`;
  if (negative && cents > 0n) return `-${text}`;
  return opts.sign && cents > 0n ? `+${text}` : text;
}

/** A ratio (0.1234) -> `12.3%`. */
export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatLeverage(x: number): string {
  return `${Number.isInteger(x) ? x : x.toFixed(1)}x`;
}

const PRECISION = 10_000_000_000n;

/** Leverage as the chain holds it (1e10) -> `10x`, `2.5x`. */
export function formatChainLeverage(leverage: bigint | string): string {
  return formatLeverage(Number((BigInt(leverage) * 10n) / PRECISION) / 10);
}

/** A price as the chain holds it (1e10) -> `95,000` or `1.0843`, up to four decimals. */
export function formatPrice(price: bigint | string): string {
  return (Number(BigInt(price) / 1_000_000n) / 10_000).toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '-';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** `0x1234...abcd`. */
export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}...${address.slice(-4)}`;
}

// --- Numbers as people type and read them, by their Telegram language_code -------------------

/** The decimal separator of a language ('.' for en, ',' for de, fr, es, ...), from the platform's CLDR data. */
export function decimalSeparatorOf(languageCode: string | undefined): '.' | ',' {
  try {
    const part = new Intl.NumberFormat(languageCode ?? 'en')
      .formatToParts(1.5)
      .find((p) => p.type === 'decimal');
    return part?.value === ',' ? ',' : '.';
  } catch {
    return '.'; // an unknown or malformed language code reads like English
  }
}

/** How a user of this language writes one thousand and a half, for examples in refusals. */
export function exampleAmount(languageCode: string | undefined): string {
  return decimalSeparatorOf(languageCode) === ',' ? '1.000,50' : '1,000.50';
}

/** Echoed user input is cut, so a reply never grows past Telegram's 4096 characters with what was typed. */
export const ECHO_MAX = 32;
export function cut(text: string, max = ECHO_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type ParsedNumber =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/**
 * A typed number -> its canonical text (`1000.5`), read the way the user's language writes numbers:
 * `1k` and `1.5k` are thousands, `1,000` is one thousand in English and one in German. A single
 * separator followed by exactly three digits that the language reads as a decimal point
 * (`1.000` from an English user, `1,000` from a German one) could mean either; it is refused with
 * an example rather than guessed, because guessing wrong moves money by a factor of 1,000.
 */
export function normalizeNumber(text: string, languageCode: string | undefined): ParsedNumber {
  const decimal = decimalSeparatorOf(languageCode);
  const group = decimal === ',' ? '.' : ',';
  const refuse = (why: string): ParsedNumber => ({
    ok: false,
    error: `${why}; write it like ${exampleAmount(languageCode)} or 1k`,
  });
  const t = text.trim().replace(/[\u00a0\u202f' ]/g, (s) => (s === "'" ? "'" : ' '));
  const m = /^(\d[\d.,' ]*?)(k|m)?$/i.exec(t);
  if (!m) return { ok: false, error: 'not a number' };
  let body = (m[1] as string).replace(/['\s]/g, (s, i: number, all: string) =>
    // spaces and apostrophes are thousands separators (fr, ch) only between groups of three digits
    /^\d{3}(?:\D|$)/.test(all.slice(i + 1)) ? '' : 'x',
  );
  if (body.includes('x')) return refuse(`"${cut(text)}" is not a number I can read`);
  const dots = body.split('.').length - 1;
  const commas = body.split(',').length - 1;
  let decimalSep: '.' | ',' | undefined;
  if (dots > 0 && commas > 0) {
    // Both kinds: the last one is the decimal point (1.000,50 or 1,000.50), whatever the language.
    decimalSep = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    if ((decimalSep === '.' ? dots : commas) > 1) return refuse('two decimal points');
  } else if (dots + commas > 1) {
    decimalSep = undefined; // 1.000.000 or 1,000,000: only thousands separators
  } else if (dots + commas === 1) {
    const sep = dots ? '.' : ',';
    const [whole, fraction] = body.split(sep) as [string, string];
    if (fraction.length !== 3 || whole === '0') decimalSep = sep;
    else if (sep === group) decimalSep = undefined;
    else return refuse(`"${cut(body)}" could be ${cut(whole)} or ${cut(whole + fraction)}`);
  }
  const groupSep = decimalSep === undefined ? (dots ? '.' : ',') : decimalSep === '.' ? ',' : '.';
  const [whole = '', fraction] = decimalSep ? body.split(decimalSep) : [body];
  if (whole.includes(groupSep) && !new RegExp(`^\\d{1,3}(?:\\${groupSep}\\d{3})+$`).test(whole))
    return refuse(`"${cut(body)}" has its thousands separators in the wrong places`);
  body = whole.split(groupSep).join('') + (fraction === undefined ? '' : `.${fraction}`);
  if (!/^\d+(?:\.\d+)?$/.test(body)) return refuse('not a number');
  const suffix = m[2]?.toLowerCase();
  if (!suffix) return { ok: true, value: body };
  // 1.5k -> 1500 exactly, by moving the decimal point (no floating point).
  const shift = suffix === 'k' ? 3 : 6;
  const [w, f = ''] = body.split('.') as [string, string?];
  const digits = `${w}${(f ?? '').padEnd(shift, '0')}`;
  const scaled = `${digits.slice(0, w.length + shift)}${f.length > shift ? `.${f.slice(shift)}` : ''}`;
  return { ok: true, value: scaled.replace(/^0+(?=\d)/, '') };
}

/**
 * Canonicalizes the number inside a setting value (`$1.000`, `1k`, `2,5%`, `0,5x`) by the user's
 * language, keeping the `$` prefix and the `%`/`x` suffix; values without a number pass through.
 */
export function normalizeAmountText(text: string, languageCode: string | undefined): ParsedNumber {
  const m = /^(\$?)\s*([\d][\d.,'\s\u00a0\u202f]*(?:k|m)?)\s*(%|x)?$/i.exec(text.trim());
  if (!m) return { ok: true, value: text.trim() };
  const n = normalizeNumber(m[2] as string, languageCode);
  return n.ok ? { ok: true, value: `${m[1]}${n.value}${m[3] ?? ''}` } : n;
}

/** USDC 1e6 -> `$1,234.56` in the user's language (`1.234,56 $` style separators are kept simple: `$1.234,56`). */
export function formatUsdFor(
  amount: bigint,
  languageCode: string | undefined,
  opts: { sign?: boolean } = {},
): string {
  const text = formatUsd(amount, opts);
  if (decimalSeparatorOf(languageCode) === '.') return text;
  return text.replace(/[.,]/g, (c) => (c === '.' ? ',' : '.'));
}
