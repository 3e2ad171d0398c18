// The CopyIntent state machine (domain/copy/intent.ts): forward moves only, replays folded to one
// path, STREAM_TIMEOUT as the end of a connection and any other Error as FAILED.
import { describe, expect, it } from 'vitest';
import { canMove, fold, predecessorsOf, updateFor } from '#core/domain/copy/intent.js';

describe('CopyIntent states', () => {
  it('moves only forward, and never out of a terminal state', () => {
    expect(canMove('CREATED', 'ACCEPTED')).toBe(true);
    expect(canMove('ACCEPTED', 'INITIATED')).toBe(true);
    expect(canMove('INITIATED', 'EXECUTED')).toBe(true);
    expect(canMove('INITIATED', 'ACCEPTED')).toBe(false);
    for (const done of ['EXECUTED', 'CANCELED', 'FAILED', 'SIMULATED'] as const)
      expect(
        ['ACCEPTED', 'INITIATED', 'EXECUTED', 'CANCELED', 'FAILED'].some((s) => canMove(done, s as never)),
      ).toBe(false);
    expect(predecessorsOf('INITIATED').sort()).toEqual(['ACCEPTED', 'CREATED']);
  });

  it('reads a replay that repeats events as one path to the terminal state', () => {
    const events = [
      { type: 'MarketOrderAccepted', trackingId: 't' },
      { type: 'AttemptFailed', attempt: 1, code: 'NONCE', message: '', willRetry: true },
      { type: 'MarketOrderInitiated', orderId: '1', transactionHash: '0x1' },
      { type: 'MarketOrderInitiated', orderId: '1', transactionHash: '0x1' },
      { type: 'MarketOrderCanceled', orderId: '1', transactionHash: '0x2' },
      { type: 'Error', code: 'STREAM_TIMEOUT', message: '' },
    ] as const;
    const updates = events.map((e) => updateFor(e)).filter((u) => u !== undefined);
    const out = fold('CREATED', updates);
    expect(out.state).toBe('CANCELED');
    expect(out.applied.map((u) => u.state)).toEqual(['ACCEPTED', 'INITIATED', 'CANCELED']);
  });

  it('treats STREAM_TIMEOUT as the end of a connection, and any other Error as FAILED', () => {
    expect(updateFor({ type: 'Error', code: 'STREAM_TIMEOUT', message: '' })).toBeUndefined();
    expect(updateFor({ type: 'Error', code: 'HighSlippage', message: 'x' })).toMatchObject({
      state: 'FAILED',
      code: 'HighSlippage',
    });
  });

  it('reads a NoTrade revert as the position already gone (NO_POSITION), not a service error', () => {
    expect(
      ['NoTrade', 'NO_TRADE', 'WrongSl'].map(
        (code) =>
          (updateFor({ type: 'Error', code, message: '' }) as { reason?: string } | undefined)?.reason,
      ),
    ).toEqual(['NO_POSITION', 'NO_POSITION', 'SERVICE_ERROR']);
  });
});
