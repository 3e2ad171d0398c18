// The v2 intents a copy signs (domain/copy/orders.ts): TP/SL at the trader's distance from the
// follower's entry, opens, closes of the exact fraction, increases, nonces, and a copy's own stop-loss.
import { SigningKey, computeAddress, recoverAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { decodeIntent, encodeIntent, intentDigest, tradingDomain } from '#core/domain/avantis/intents.js';
import {
  closeAmount,
  closeTradeReq,
  increasePositionSizeReq,
  nonceFromBytes,
  openTradeReq,
  scaleLevel,
  stopLossPrice,
  tighterStop,
} from '#core/domain/copy/orders.js';

const P = 10_000_000_000n;
const USDC = 1_000_000n;
const WALLET = '0x00000000000000000000000000000000000000aa';

describe('Copy intents', () => {
  it('carries the trader’s TP/SL at the same distance from the follower’s own entry', () => {
    expect(scaleLevel(33_000n * P, 30_000n * P, 31_000n * P)).toBe(34_100n * P);
    expect(scaleLevel(0n, 30_000n * P, 31_000n * P)).toBe(0n);
  });

  it('builds an OpenTradeReq with the collateral in positionSizeUSDC and market or PnL types', () => {
    const input = {
      wallet: WALLET,
      pairIndex: 1,
      buy: false,
      leverage: 5n * P,
      collateralUsdc: 20n * USDC,
      referencePrice: 100n * P,
      trader: { openPrice: 100n * P, tp: 90n * P, sl: 0n },
      slippageP: P,
      pnl: false,
      deadlineMs: 1n,
      nonce: 9n,
    };
    const built = openTradeReq(input);
    expect(built.orderType).toBe(0);
    expect(built.message).toMatchObject({
      _type: 0,
      _t: { positionSizeUSDC: 20n * USDC, index: 0n, initialPosToken: 0n, tp: 90n * P, sl: 0n },
    });
    expect(openTradeReq({ ...input, pnl: true })).toMatchObject({ orderType: 6, message: { _type: 3 } });
  });

  it('closes the exact fraction of the follower’s own collateral, all of it at or over 1', () => {
    expect(closeAmount(90n * USDC, { closed: 1n, of: 3n })).toBe(30n * USDC);
    expect(closeAmount(90n * USDC, { closed: 3n, of: 3n })).toBe(90n * USDC);
    expect(closeAmount(90n * USDC, { closed: 5n, of: 3n })).toBe(90n * USDC);
    expect(closeAmount(90n * USDC, { closed: 0n, of: 3n })).toBe(0n);
  });

  it('binds a close to the position’s open timestamp and signs digests the signer recovers', () => {
    const position = {
      pairIndex: 2,
      index: 4,
      buy: true,
      collateral: 10n * USDC,
      leverage: 3n * P,
      openPrice: P,
      timestamp: 1_700_000_123n,
    };
    const built = closeTradeReq({
      wallet: WALLET,
      position,
      fraction: { closed: 1n, of: 2n },
      wantedPrice: P,
      pnl: false,
      deadlineMs: 5n,
      nonce: 7n,
    });
    expect(built?.message).toMatchObject({ _index: 4n, _openTimestamp: 1_700_000_123n, _amount: 5n * USDC });
    const domain = tradingDomain(31337, '0x00000000000000000000000000000000000000cc');
    const key = new SigningKey(`0x${'11'.repeat(32)}`);
    const digest = intentDigest('CloseTradeReq', domain, built?.message ?? {});
    expect(recoverAddress(digest, key.sign(digest).serialized)).toBe(computeAddress(key.publicKey));
    const round = decodeIntent('CloseTradeReq', encodeIntent('CloseTradeReq', built?.message ?? {}));
    expect(round).toMatchObject({ _amount: 5n * USDC, _nonce: 7n });
  });

  it('builds an IncreasePositionSizeReq on the follower’s position', () => {
    const position = {
      pairIndex: 2,
      index: 4,
      buy: true,
      collateral: 10n * USDC,
      leverage: 3n * P,
      openPrice: P,
      timestamp: 1n,
    };
    expect(
      increasePositionSizeReq({
        wallet: WALLET,
        position,
        addedCollateralUsdc: 2n * USDC,
        leverage: 3n * P,
        referencePrice: P,
        slippageP: P,
        deadlineMs: 1n,
        nonce: 2n,
      }),
    ).toMatchObject({ orderType: 9, message: { _updateInfo: { index: 4n, initialPosToken: 2n * USDC } } });
  });

  it('draws 256-bit nonces from bytes', () => {
    expect(nonceFromBytes(new Uint8Array(32).fill(255))).toBe(2n ** 256n - 1n);
  });
});

describe('A copy’s own stop-loss', () => {
  const at = { entry: 30_000n * P, collateralUsdc: 100n * USDC, leverage: 10n * P };

  it('is the price where the copy loses the amount: $20 of $100 at 10x is a 2% move', () => {
    expect(stopLossPrice({ kind: 'USD', usdc: 20n * USDC }, { ...at, buy: true })).toBe(29_400n * P);
    expect(stopLossPrice({ kind: 'USD', usdc: 20n * USDC }, { ...at, buy: false })).toBe(30_600n * P);
    expect(stopLossPrice({ kind: 'PCT', bps: 2_000 }, { ...at, buy: true })).toBe(29_400n * P);
  });

  it('is none when the long would have to fall below zero, or nothing is at stake', () => {
    expect(stopLossPrice({ kind: 'USD', usdc: 1_000n * USDC }, { ...at, buy: true })).toBe(0n);
    expect(stopLossPrice({ kind: 'USD', usdc: 0n }, { ...at, buy: true })).toBe(0n);
    expect(stopLossPrice({ kind: 'PCT', bps: 100 }, { ...at, collateralUsdc: 0n, buy: true })).toBe(0n);
  });

  it('takes the stop nearer the entry of the two, and either when the other is none', () => {
    expect(tighterStop(true, 27_000n, 28_500n)).toBe(28_500n);
    expect(tighterStop(false, 33_000n, 31_500n)).toBe(31_500n);
    expect(tighterStop(true, 0n, 28_500n)).toBe(28_500n);
    expect(tighterStop(false, 33_000n, 0n)).toBe(33_000n);
  });
});
