// Second-tap confirmations for risky changes. A confirm button carries when it was asked and a
// digest of the state it was asked about; pressing it later than CONFIRM_TTL_SECONDS, or after the
// state changed (e.g. "Yes, go LIVE" pressed after /copy mode DRY), confirms nothing. Pure: the
// callers pass the current state, so the check is the same for user and admin commands.
import { createHash } from 'node:crypto';
import type { Callback, ConfirmKind } from './callbacks.js';

/** Two minutes: long enough to read the warning, short enough that a forgotten button dies. */
export const CONFIRM_TTL_SECONDS = 120;

type ConfirmCallback = Extract<Callback, { a: 'confirm' }>;

/** A stable digest of a state (bigints as strings, keys sorted), 8 base64url characters. */
export function stateToken(state: unknown): string {
  const canonical = JSON.stringify(state, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
  return createHash('sha256')
    .update(canonical ?? 'undefined')
    .digest('base64url')
    .slice(0, 8);
}

/** The callback of a "yes" button for `kind`, bound to `state` as it is now. */
export function confirmCallback(
  kind: ConfirmKind,
  state: unknown,
  now: Date,
  trader?: string,
): ConfirmCallback {
  return {
    a: 'confirm',
    kind,
    ...(trader ? { trader } : {}),
    at: Math.floor(now.getTime() / 1000),
    token: stateToken(state),
  };
}

export type ConfirmCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'CONFIRM_EXPIRED' | 'CONFIRM_STALE'; readonly message: string };

/** Whether a pressed "yes" still stands: not expired, and the state is still the one it was asked about. */
export function checkConfirmation(cb: ConfirmCallback, currentState: unknown, now: Date): ConfirmCheck {
  const age = Math.floor(now.getTime() / 1000) - cb.at;
  if (age > CONFIRM_TTL_SECONDS || age < -60)
    return {
      ok: false,
      reason: 'CONFIRM_EXPIRED',
      message: 'This confirmation has expired; nothing was changed. Ask again if you still want it.',
    };
  if (stateToken(currentState) !== cb.token)
    return {
      ok: false,
      reason: 'CONFIRM_STALE',
      message: 'Things changed since this was asked; nothing was changed. Ask again if you still want it.',
    };
  return { ok: true };
}
