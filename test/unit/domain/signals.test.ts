// Signals from fills (domain/signals.ts): an increase is an UPDATE with the new size and average
// entry, and a retraction has its own id naming the original.
import { describe, expect, it } from 'vitest';
import { type TradeEventRecord } from '#core/domain/fills.js';
import { signalFromFill, retraction } from '#core/domain/signals.js';
import { E10, play } from './analytics/v2-lives.js';

describe('realized PnL: v2 cases', () => {
  it('an increase is an UPDATE signal with the new size and average entry, the added collateral and leverage', () => {
    const p = play([
      { kind: 'OPEN', paid: 100_000_000n, fee: 0n },
      { kind: 'INCREASE', paid: 50_000_000n, fee: 500_000n, accrued: 0n },
    ]);
    const signal = signalFromFill(p.records.at(-1) as TradeEventRecord);
    expect(signal).toMatchObject({
      kind: 'UPDATE',
      collateralUsdc: '149500000',
      addedCollateralUsdc: '50000000',
      collateralBeforeUsdc: '100000000',
      addedLeverage: String(10n * E10),
      leverage: String(12n * E10),
      price: String(3_100n * E10),
      openPrice: String(3_000n * E10),
    });
  });
});

describe('positions and signals from fills', () => {
  it('retracts a signal with a distinct id that names the original', () => {
    // An open's fill, as the local v2 contracts emit it.
    const signal = signalFromFill(
      play([{ kind: 'OPEN', paid: 100_000_000n, fee: 0n }]).records.at(-1) as TradeEventRecord,
    );
    const r = retraction(signal as NonNullable<typeof signal>);

    expect(r).toMatchObject({ kind: 'RETRACT', retracts: signal?.id });
    expect(r.id).not.toBe(signal?.id);
  });
});
