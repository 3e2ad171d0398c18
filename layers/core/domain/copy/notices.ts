// What a user is told when one of their copies reaches a terminal state (once per intent): filled
// with price, size and collateral; cancelled with why and the fee kept; failed with why and what to
// do. Also the emergency-stop message listing what stays open. Pure text.
import { pairName } from '../avantis/pairs.js';
import { formatChainLeverage, formatPrice, formatUsd } from '../format.js';
import { escapeHtml } from '../messages.js';
import type { CopyKind, FillFacts, IntentReason } from './intent.js';

const PRECISION = 10_000_000_000n;

export interface NoticeIntent {
  readonly kind: CopyKind;
  readonly pairIndex: number;
  readonly buy: boolean;
  /** 1e10. */
  readonly leverage: string;
  /** What was asked: collateral to open/add or to close, USDC 1e6. */
  readonly collateralUsdc: string;
}

const side = (i: NoticeIntent) => `${i.buy ? 'LONG' : 'SHORT'} ${escapeHtml(pairName(i.pairIndex))}`;

/**
 * A filled copy. On a close, the user's result of that close: USDC back − collateral closed (net of
 * the close fee, spread, rollover and funding, docs/avantis.md v2 §8). A close the reconciler found filled from
 * the wallet's positions (`RECONCILED_FILLED`, no amount back in its fill) says it is not known.
 */
export function filledText(i: NoticeIntent, fill: FillFacts, reason?: IntentReason): string {
  const collateral = BigInt(fill.collateralUsdc);
  const leverage = BigInt(fill.leverage ?? i.leverage);
  if (i.kind === 'CLOSE') {
    const head = `✅ Copy filled: closed ${formatUsd(collateral)} collateral of <b>${side(i)}</b> at ${formatPrice(fill.price)}`;
    if (reason === 'RECONCILED_FILLED' || (reason === undefined && fill.usdcSentToTrader === '0'))
      return `${head}. The amount back is not known yet: see your wallet on Avantis.`;
    const back = BigInt(fill.usdcSentToTrader);
    return (
      `${head}; ${formatUsd(back)} back to your wallet.\n` +
      `Your result on this close: <b>${formatUsd(back - collateral, { sign: true })}</b> (after Avantis' closing fees).`
    );
  }
  const size = (collateral * leverage) / PRECISION;
  const verb = i.kind === 'OPEN' ? 'opened' : 'added to';
  return (
    `✅ Copy filled: ${verb} <b>${side(i)}</b> ${formatChainLeverage(leverage)} at ${formatPrice(fill.price)}: ` +
    `size ${formatUsd(size)}, collateral ${formatUsd(collateral)}.`
  );
}

/**
 * A cancelled order. On a cancelled open Avantis keeps the opening fee and refunds the rest (v1
 * behaviour; docs/avantis.md v2 §4 says v2 sources are silent [I]): the fee shown is that estimate.
 */
export function canceledText(i: NoticeIntent, reason: IntentReason, openFeeUsdc: bigint | undefined): string {
  const why =
    reason === 'NOT_FILLED'
      ? 'it was not filled on Avantis'
      : 'the price moved outside the allowed slippage, or a pair limit was reached, when the keeper filled it';
  const fee =
    i.kind === 'CLOSE'
      ? 'Your position is unchanged.'
      : openFeeUsdc !== undefined && openFeeUsdc > 0n
        ? `Avantis kept the opening fee (about ${formatUsd(openFeeUsdc)}); the rest of the collateral is back in your wallet.`
        : 'Your collateral is back in your wallet.';
  return `❎ Copy cancelled: ${i.kind === 'CLOSE' ? 'close of' : i.kind === 'OPEN' ? 'open of' : 'add to'} <b>${side(i)}</b> — ${why}. ${fee}`;
}

const FAILURE_HELP: Readonly<Record<string, string>> = {
  NotDelegate: 'Your wallet has not delegated to your Alfa key: send /wallet to see the steps.',
  DelegateExpired: 'Your delegation to Alfa has expired: renew it (send /wallet).',
  InvalidSignature: 'Your wallet has not delegated to your Alfa key: send /wallet to see the steps.',
  WrongAmount: 'Check that your wallet holds enough USDC and has approved it to Avantis (send /wallet).',
  BelowMinPosition: "The copy was below Avantis' minimum position for this pair: raise the copy size.",
  LeverageIncorrect: "The leverage is outside the pair's limits: lower your max leverage.",
  PairNotListed: 'The pair does not take new positions on Avantis right now.',
  MaxTradesPerPair: 'Your wallet has the most positions Avantis allows on this pair.',
  PositionMismatch:
    'The position changed while the close was signed; the next close of the trader will use it.',
  InvalidDeadline: 'The copy came too late to be valid. Nothing was traded.',
};

/** Why a copy failed and what to do, in a few words (the /copies history). */
export function failureWhy(reason: IntentReason | string, code: string | undefined): string {
  if (reason === 'EXPIRED') return 'could not be sent in time; nothing was traded';
  if (reason === 'NO_POSITION')
    return 'your copied position was already closed (its TP/SL, a liquidation, or by you)';
  if (reason === 'NOT_DELEGATED') return 'your wallet has not delegated to your Alfa key (/wallet)';
  const help = (code && FAILURE_HELP[code]) ?? 'Nothing was traded.';
  return `Avantis refused it (${escapeHtml(code ?? 'error')}). ${help}`;
}

/** Why the keeper cancelled, in a few words (the /copies history). */
export function cancelWhy(reason: IntentReason | string): string {
  return reason === 'NOT_FILLED'
    ? 'not filled on Avantis'
    : 'price outside the allowed slippage, or a pair limit, at the keeper';
}

export function failedText(i: NoticeIntent, reason: IntentReason, code: string | undefined): string {
  const what = `${i.kind === 'CLOSE' ? 'close of' : i.kind === 'OPEN' ? 'open of' : 'add to'} <b>${side(i)}</b>`;
  if (reason === 'EXPIRED')
    return `⚠️ Copy failed: ${what} could not be sent in time and has expired. Nothing was traded.`;
  if (reason === 'NO_POSITION')
    return `ℹ️ Nothing to do: ${what} — your copied position was already closed (its own TP/SL, a liquidation, or by you).`;
  if (reason === 'NOT_DELEGATED') return `⚠️ Copy not sent: ${what} — ${FAILURE_HELP.NotDelegate}`;
  if (reason === 'STOPPED')
    return `⛔ Copy not sent: ${what} — the operators stopped all copying (emergency stop). Nothing was traded.`;
  const help = (code && FAILURE_HELP[code]) ?? 'Nothing was traded. If it keeps happening, check /wallet.';
  return `⚠️ Copy failed: ${what} — Avantis refused it (${escapeHtml(code ?? 'error')}). ${help}`;
}

export interface OpenCopy {
  readonly pairIndex: number;
  readonly buy: boolean;
  readonly index: number;
}

/** `/emergency stop`: nothing more is signed; the user's open copies stay open until they act. */
export function emergencyText(open: readonly OpenCopy[]): string {
  const lines = open.map(
    (c) => `• ${c.buy ? 'LONG' : 'SHORT'} ${escapeHtml(pairName(c.pairIndex))} (trade #${c.index})`,
  );
  return [
    '🛑 Alfa stopped all copying: no copy will be opened or closed for you until it restarts.',
    'These copied positions stay open in your wallet:',
    ...lines,
    'To close one yourself, open app.avantisfi.com with your wallet, go to Portfolio → Positions and press Close.',
  ].join('\n');
}
