// Linking a wallet to a Telegram user: a wallet counts as linked only while it has delegated to
// *that user's* Alfa delegate key on the Avantis TradingRouter (`delegation(wallet, delegate)`:
// isEnabled && expiry > now), and one wallet belongs to at most one user. The /wallet screen shows
// the user's delegate address, the exact steps (setDelegate on the TradingRouter, or a signed
// DelegateReq relayed gaslessly, docs/avantis.md v2 §2), the expiry, and what is still missing. Pure.
import type { ExecutionMode } from './execution-mode.js';
import { formatUsd } from './format.js';
import { tagMode } from './messages.js';

export interface WalletChain {
  readonly wallet: string;
  /** The user's own delegate address. */
  readonly delegate: string;
  readonly delegation: { readonly isEnabled: boolean; readonly expiry: number };
  /** Block time now, unix seconds (what the contract compares the expiry with). */
  readonly chainTime: number;
  readonly allowanceUsdc: bigint;
  readonly balanceUsdc: bigint;
  readonly tradingRouter: string;
  readonly tradingStorage: string;
  readonly usdc: string;
}

export type LinkState = 'DELEGATED' | 'NOT_DELEGATED' | 'EXPIRED';

export function linkState(s: Pick<WalletChain, 'delegation' | 'chainTime'>): LinkState {
  if (!s.delegation.isEnabled) return 'NOT_DELEGATED';
  return s.delegation.expiry > s.chainTime ? 'DELEGATED' : 'EXPIRED';
}

/** A suggested expiry for a new delegation: 90 days from now, unix seconds. */
export const suggestedExpiry = (chainTime: number): number => chainTime + 90 * 86_400;

const date = (unixSeconds: number) =>
  new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');

export interface WalletScreenInput {
  readonly delegate: string;
  /** The wallet the user asked about (linked or not). */
  readonly chain?: WalletChain;
  /** The wallet is linked to this user (and delegated). */
  readonly linked: boolean;
  /** Another Alfa user holds this wallet. */
  readonly takenByOther?: boolean;
  /** Why the chain could not be read, when it could not. */
  readonly error?: string;
  readonly wallet?: string;
  readonly mode: ExecutionMode;
}

function steps(s: WalletChain): string[] {
  const out: string[] = [];
  const state = linkState(s);
  if (state !== 'DELEGATED') {
    const expiry = suggestedExpiry(s.chainTime);
    out.push(
      `${out.length + 1}. ${state === 'EXPIRED' ? 'Renew' : 'Register'} your Alfa key as a delegate of this wallet on the Avantis TradingRouter <code>${s.tradingRouter}</code>: ` +
        `from the wallet call <code>setDelegate(${s.delegate}, ${expiry})</code> (expiry ${date(expiry)} UTC), ` +
        `or sign a <code>DelegateReq</code> (trader = your wallet, delegate = <code>${s.delegate}</code>, an expiry in seconds) on Avantis' API-key page, which relays it without gas. ` +
        'A delegate can open and close positions for you; it can never withdraw or move your funds. <code>removeDelegate</code> revokes it.',
    );
  }
  if (s.allowanceUsdc === 0n) {
    out.push(
      `${out.length + 1}. From the wallet, <code>approve(${s.tradingStorage}, amount)</code> on USDC <code>${s.usdc}</code>: the collateral Avantis may take for copies.`,
    );
  }
  if (s.balanceUsdc === 0n) out.push(`${out.length + 1}. Put USDC in the wallet.`);
  return out;
}

export function walletLinkText(i: WalletScreenInput): string {
  const head = tagMode('<b>Wallet</b>', i.mode);
  const key = `Your Alfa delegate key: <code>${i.delegate}</code> (yours only; Alfa signs your copies with it).`;
  if (!i.wallet) {
    return [
      head,
      key,
      '',
      'No wallet linked. Send <code>/wallet 0xYourWalletAddress</code>, then register the key above as its delegate.',
    ].join('\n');
  }
  if (i.takenByOther) {
    const toMe = i.chain && linkState(i.chain) === 'DELEGATED';
    return [
      head,
      `Wallet <code>${i.wallet}</code> ${toMe ? 'is' : 'has not delegated to your Alfa key and is'} linked to another Alfa user, so it cannot be linked to you and nothing will be copied with it.`,
      'If it is yours, revoke their key from the wallet (<code>removeDelegate</code> on the TradingRouter) and try again.',
    ].join('\n');
  }
  if (!i.chain) {
    return [
      head,
      key,
      `Wallet <code>${i.wallet}</code>: its on-chain status could not be read${i.error ? ` (${i.error})` : ''}. Try again in a minute.`,
    ].join('\n');
  }
  const s = i.chain;
  const state = linkState(s);
  const status =
    state === 'DELEGATED'
      ? `✅ delegated to your key until ${date(s.delegation.expiry)} UTC`
      : state === 'EXPIRED'
        ? `⚠️ your key's delegation expired on ${date(s.delegation.expiry)} UTC`
        : '❌ this wallet has not delegated to your Alfa key, so it is not linked and nothing is copied with it';
  const todo = steps(s);
  return [
    head,
    key,
    '',
    `Wallet <code>${s.wallet}</code>: ${i.linked && state === 'DELEGATED' ? 'linked, ' : ''}${status}.`,
    `USDC ${formatUsd(s.balanceUsdc)}, approved to Avantis ${formatUsd(s.allowanceUsdc)}.`,
    ...(todo.length
      ? ['', '<b>Still to do</b>', ...todo]
      : ['', 'Ready: Auto copy follows can trade from this wallet.']),
  ].join('\n');
}
