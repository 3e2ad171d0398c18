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
