// The drill ledger's count of duplicated orders (issue 15): the keeper's TP/SL/liquidation fills on
// a follower's wallet, and the fill of an intent created before the window, are not second orders;
// a second market order for one intent is, whether the intent kept the first or the second orderId.
import { describe, expect, it } from 'vitest';
import { toJson } from '#core/codec.js';
import { isFill, type TradeEventRecord } from '#core/domain/fills.js';
import { duplicatedOrders, type OrderIntent } from '../../../../local/drills/ledger.js';
import {
  T0,
  address,
  closeTx,
  openTx,
  slot,
  triggerTx,
  txHashOf,
  usdc,
  type TxAt,
} from '../../../support/analytics-fills.js';

const wallet = address('follower-wallet');
const at = (n: number): TxAt => ({
  blockNumber: 1_000 + n,
  timestamp: T0 + n,
  txHash: txHashOf(`ledger-${n}`),
  logIndex: 0,
});

/** The fills of these records as the fill store writes them (fills table items). */
function items(records: readonly TradeEventRecord[], orderId?: bigint) {
  return records.filter(isFill).map((r) => ({
    trader: r.trader,
    fillId: r.fillId,
    ts: r.timestamp,
    isFill: true,
    kind: r.event.kind,
    event: toJson(orderId === undefined ? r.event : { ...r.event, orderId }),
  }));
}

const executed = (intentId: string, orderId?: string): OrderIntent => ({
  intentId,
  state: 'EXECUTED',
  ...(orderId === undefined ? {} : { orderId }),
});

describe('drill ledger: duplicated orders', () => {
  it('does not count the keeper filling the copy’s own TP, SL or liquidation as a second order', () => {
    // Prepare: one copy opened (order 11) and closed (order 12), then two re-opens each ended by
    // the keeper on a trigger; the slots are the follower's own, the orderIds the copier's.
    const s = slot(wallet);
    const fills = [
      ...items(openTx(at(1), s, usdc(25)), 11n),
      ...items(closeTx(at(2), s, { collateralBefore: usdc(25), amount: usdc(25), usdcSent: usdc(24) }), 12n),
      ...items(openTx(at(3), s, usdc(25)), 13n),
      ...items(triggerTx(at(4), s, 'SL', { collateral: usdc(25), usdcSent: usdc(20) })),
      ...items(openTx(at(5), s, usdc(25)), 14n),
      ...items(triggerTx(at(6), s, 'TP', { collateral: usdc(25), usdcSent: usdc(30) })),
      ...items(triggerTx(at(7), slot(wallet, { index: 1 }), 'LIQ', { collateral: usdc(5), usdcSent: 0n })),
    ];
    const intents = [
      executed('0xa:1:u', '11'),
      executed('0xb:1:u', '12'),
      executed('0xc:1:u', '13'),
      executed('0xd:1:u', '14'),
    ];

    // Act
    const out = duplicatedOrders(fills, intents);

    // Assess: 7 fills, 3 of them the keeper's, 4 matching their intents' orders.
    expect(fills).toHaveLength(7);
    expect(out).toEqual({ duplicated: 0, samples: [] });
  });

  it('matches a fill to its intent by orderId, and a reconciled intent without one to a left-over fill', () => {
    // Prepare: the first intent was created before the drill window (the reader passes every
    // intent of the wallet), the second was reconciled from positions and holds no orderId.
    const s = slot(wallet);
    const fills = [...items(openTx(at(1), s, usdc(25)), 21n), ...items(openTx(at(2), s, usdc(25)), 22n)];

    // Act
    const out = duplicatedOrders(fills, [executed('0xold:1:u', '21'), executed('0xrec:1:u')]);

    // Assess
    expect(out.duplicated).toBe(0);
  });

  it('counts a second market order for one intent, kept orderId first or second', () => {
    // Prepare: the copier signed and submitted twice for one intent: two fills, orders 31 and 32.
    const s = slot(wallet);
    const twice = [...items(openTx(at(1), s, usdc(25)), 31n), ...items(openTx(at(2), s, usdc(25)), 32n)];
    const keeperSl = items(triggerTx(at(3), s, 'SL', { collateral: usdc(25), usdcSent: usdc(20) }));

    // Act
    const keptFirst = duplicatedOrders([...twice, ...keeperSl], [executed('0xe:1:u', '31')]);
    const keptSecond = duplicatedOrders(twice, [executed('0xe:1:u', '32')]);
    const neither = duplicatedOrders(twice, [{ intentId: '0xe:1:u', state: 'CANCELED' }]);

    // Assess
    expect(keptFirst.duplicated).toBe(1);
    expect(keptFirst.samples[0]).toContain(twice[1]?.fillId);
    expect(keptSecond.duplicated).toBe(1);
    expect(keptSecond.samples[0]).toContain(twice[0]?.fillId);
    expect(neither.duplicated).toBe(2);
  });

  it('counts a second fill of one orderId (an increase replayed as two executions)', () => {
    // Prepare
    const increase = (n: number, logIndex: number) => ({
      trader: wallet,
      fillId: `${txHashOf(`inc-${n}`)}:${logIndex}`,
      ts: T0 + n,
      isFill: true,
      kind: 'PositionSizeIncreased',
      event: toJson({ kind: 'PositionSizeIncreased', orderId: 41n }),
    });

    // Act
    const out = duplicatedOrders([increase(1, 0), increase(2, 3)], [executed('0xf:1:u', '41')]);

    // Assess
    expect(out.duplicated).toBe(1);
    expect(out.samples[0]).toMatch(/fill 2 of order 41/);
  });
});
