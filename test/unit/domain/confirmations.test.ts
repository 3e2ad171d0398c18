// Confirmations (domain/confirmations.ts): a yes stands only in time and against the state it was
// asked on, inside the 64-byte button; admin confirmations bind to the flag or switch as asked.
import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback } from '#core/domain/callbacks.js';
import { CONFIRM_TTL_SECONDS, checkConfirmation, confirmCallback } from '#core/domain/confirmations.js';

const T = `0x${'cd'.repeat(20)}`;
const asked = new Date('2026-12-01T12:00:00Z');
const later = (s: number) => new Date(asked.getTime() + s * 1000);
const state = { mode: 'ALERTS', sizing: { kind: 'FIXED_USD', usdc: 25_000_000n } };

describe('Module: confirmations', () => {
  it('a yes pressed in time against the same state stands, and survives the 64-byte button', () => {
    const yes = decodeCallback(encodeCallback(confirmCallback('auto', state, asked, T)));

    expect(yes?.a).toBe('confirm');
    expect(yes?.a === 'confirm' && checkConfirmation(yes, { ...state }, later(CONFIRM_TTL_SECONDS))).toEqual({
      ok: true,
    });
  });

  it('a yes pressed after it expired confirms nothing', () => {
    const yes = confirmCallback('aggressive', state, asked);

    expect(checkConfirmation(yes, state, later(CONFIRM_TTL_SECONDS + 1))).toMatchObject({
      ok: false,
      reason: 'CONFIRM_EXPIRED',
    });
  });

  it('a yes pressed after the state changed (a stale "go LIVE" after DRY) confirms nothing', () => {
    const yes = confirmCallback('live', { switch: 'DRY' }, asked);

    expect(checkConfirmation(yes, { switch: 'LIVE' }, later(5))).toMatchObject({
      ok: false,
      reason: 'CONFIRM_STALE',
    });
    expect(checkConfirmation(yes, { switch: 'DRY' }, later(5))).toEqual({ ok: true });
  });
});

describe('admin confirmations (for /emergency start and LIVE)', () => {
  it('bind the yes to the flag or switch as it was asked', async () => {
    const { confirmEmergencyStartScreen, confirmLiveBoundScreen } = await import('#core/domain/bot-views.js');
    const yesOf = (s: { keyboard: readonly (readonly { data: string }[])[] }) => {
      const cb = decodeCallback(s.keyboard[0]?.[0]?.data);
      if (cb?.a !== 'confirm') throw new Error('no confirm button');
      return cb;
    };
    const restart = yesOf(confirmEmergencyStartScreen(true, asked));
    const live = yesOf(confirmLiveBoundScreen('DRY', asked));

    expect(checkConfirmation(restart, { emergencyStop: true }, later(10))).toEqual({ ok: true });
    expect(checkConfirmation(restart, { emergencyStop: false }, later(10))).toMatchObject({ ok: false });
    expect(checkConfirmation(live, { switch: 'DRY' }, later(10))).toEqual({ ok: true });
    expect(checkConfirmation(live, { switch: 'LIVE' }, later(10))).toMatchObject({ reason: 'CONFIRM_STALE' });
  });
});
