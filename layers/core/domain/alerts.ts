// The alert a follower receives for a signal, with what Alfa did about the copy; every copy line
// carries (DRY) while the system is DRY. A close says the fraction closed and the trader's
// realized PnL on it.
import type { Decision, ReasonCode } from './decision.js';
import type { ExecutionMode } from './execution-mode.js';
import { formatChainLeverage, formatPrice, formatUsd, shortAddress } from './format.js';
import { escapeHtml } from './messages.js';
import type { Signal } from './signals.js';

const percent = (closed: string, of: string) =>
  BigInt(of) === 0n ? 100 : Number((BigInt(closed) * 1000n) / BigInt(of)) / 10;

const WHY: Partial<Record<ReasonCode, string>> = {
  ALERT_ONLY: '',
  EMERGENCY_STOP: 'copying is stopped by the operators',
  AUTOCOPY_OFF: 'auto copy was turned off',
  NO_WALLET: 'link a wallet with /wallet to copy',
  CANARY_PAIR: 'this pair is not copied yet',
  CIRCUIT_BREAKER: 'your daily loss limit is reached',
  CAPITAL_FLOOR: 'your wallet is at its capital floor',
  CAPITAL_CEILING: 'your capital ceiling is used up',
  BELOW_MIN: "the copy would be below Avantis' minimum position for this pair",
  TRADER_LEVERAGE_LOW: 'the trader’s leverage is below your “skip below” setting',
};

export function alertText(signal: Signal, decision: Decision, mode: ExecutionMode): string {
  const who = `<code>${shortAddress(signal.trader)}</code>`;
  const side = `${signal.side} ${escapeHtml(signal.pair)}`;
  let head: string;
  if (signal.kind === 'OPEN') {
    head =
      `🟢 ${who} opened <b>${side}</b> ${formatChainLeverage(signal.leverage)} · ${formatUsd(BigInt(signal.collateralUsdc))} ` +
      `(${formatUsd(BigInt(signal.notionalUsdc))} notional) at ${formatPrice(signal.price)}`;
  } else if (signal.kind === 'CLOSE') {
    const f = signal.closeFraction ?? { closed: '1', of: '1' };
    const what =
      signal.closeReason === 'MARKET' || !signal.closeReason
        ? 'closed'
        : { TP: 'hit take profit on', SL: 'hit stop loss on', LIQ: 'was liquidated on' }[signal.closeReason];
    const part = percent(f.closed, f.of) >= 100 ? '' : ` ${percent(f.closed, f.of)}% of`;
    head = `🔴 ${who} ${what}${part} <b>${side}</b> at ${formatPrice(signal.price)}`;
    const result = traderResult(signal, f);
    if (result) head += `\n${result}`;
  } else {
    head = `⚠️ The chain reorganised: ${who}'s trade on ${escapeHtml(signal.pair)} at block ${signal.block} did not happen after all.`;
  }
  return [head, copyLine(decision, mode)].filter(Boolean).join('\n');
}

/**
 * The trader's realized PnL on this close: USDC sent back − collateral closed (net of the close
 * fee, spread, rollover and funding; docs/avantis.md v2 §8), with the share of the position it closed.
 */
function traderResult(signal: Signal, f: { closed: string; of: string }): string {
  if (signal.usdcSentToTrader === undefined) return '';
  const closed = BigInt(f.closed);
  const pnl = BigInt(signal.usdcSentToTrader) - closed;
  const share = percent(f.closed, f.of);
  const of = share >= 100 ? 'all' : `${share}%`;
  return (
    `Closed ${formatUsd(closed)} collateral (${of} of ${formatUsd(BigInt(f.of))}) · ` +
    `trader's realized PnL <b>${formatUsd(pnl, { sign: true })}</b>`
  );
}

function copyLine(d: Decision, mode: ExecutionMode): string {
  const dry = mode === 'DRY' ? ' (DRY)' : '';
  if (d.action === 'COPY' && d.order?.kind === 'OPEN') {
    const capped = d.adjustments.length
      ? ` (capped: ${d.adjustments.map((a) => a.toLowerCase().replace('_capped', '')).join(', ')})`
      : '';
    return `Copy${dry}: ${mode === 'DRY' ? 'would open' : 'opening'} ${d.order.buy ? 'LONG' : 'SHORT'} ${formatChainLeverage(d.order.leverage)} with ${formatUsd(BigInt(d.order.collateralUsdc))}${capped}`;
  }
  if (d.action === 'COPY' && d.order?.kind === 'CLOSE') {
    return `Copy${dry}: ${mode === 'DRY' ? 'would close' : 'closing'} ${percent(d.order.fraction.closed, d.order.fraction.of)}% of your copy`;
  }
  if (d.reason === 'COPY_FAILED')
    return `Copy failed: ${escapeHtml(d.failure ?? 'unknown error')}. Nothing was sent.`;
  const why = WHY[d.reason];
  return why ? `Not copied${dry}: ${why}.` : '';
}
