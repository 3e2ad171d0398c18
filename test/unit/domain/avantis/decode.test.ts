// decodeLog against logs hand-encoded with ethers for every watched variant (v1 and v2 layouts), field
// by field; the era rule for the one topic0 the upgrade reused; the FACTS traps; unknown, ignored and
// malformed logs; and a property test: random valid args decode exactly as ethers does.
import { EventFragment, Interface, Result, getAddress, type ParamType } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VARIANTS, type ArgValue, type Args, type EventVariant } from '#core/domain/avantis/abi.js';
import { decodeLog, decodeLogs } from '#core/domain/avantis/decode.js';
import type { RawLog, TradeEvent, TradeStruct } from '#core/domain/trade-events.js';

// ---- fixtures

const E10 = 10n ** 10n;
const E8 = 10n ** 8n;
const TRADER_LC = '0x1234567890abcdef1234567890abcdef12345678';
const TRADER = getAddress(TRADER_LC); // checksummed on the way in, lower case on the way out
const EMITTER = '0x0C16ff40065Cc3Ab4bc55B60E447504AFB9C7970';
const BLOCK_HASH = `0x${'AB'.repeat(32)}`;
const TX_HASH = `0x${'Cd'.repeat(32)}`;
const POS = {
  blockNumber: 30_123_456,
  blockHash: BLOCK_HASH.toLowerCase(),
  logIndex: 7,
  txHash: TX_HASH.toLowerCase(),
  address: EMITTER.toLowerCase(),
};

/** Trade tuple as emitted; positionSizeUSDC holds a timestamp (FACTS trap 1), never a size. */
const TRADE_IN = {
  trader: TRADER,
  pairIndex: 1n,
  index: 2n,
  initialPosToken: 98_500_000n,
  positionSizeUSDC: 1_757_600_519n,
  openPrice: 65_000n * E10,
  buy: true,
  leverage: 20n * E10,
  tp: 70_000n * E10,
  sl: 60_000n * E10,
  timestamp: 1_757_600_519n,
};
const TRADE_OUT: TradeStruct = {
  trader: TRADER_LC,
  pairIndex: 1,
  index: 2,
  initialPosToken: 98_500_000n,
  openPrice: 65_000n * E10,
  buy: true,
  leverage: 20n * E10,
  tp: 70_000n * E10,
  sl: 60_000n * E10,
  timestamp: 1_757_600_519n,
};

function byId(id: string): EventVariant {
  const v = VARIANTS.find((x) => x.id === id);
  if (v === undefined) throw new Error(`no variant ${id}`);
  return v;
}

function encode(id: string, values: readonly unknown[]): RawLog {
  const f = EventFragment.from(byId(id).signature);
  const { topics, data } = new Interface([f]).encodeEventLog(f, values);
  return {
    address: EMITTER,
    topics,
    data,
    blockNumber: POS.blockNumber,
    blockHash: BLOCK_HASH,
    transactionHash: TX_HASH,
    logIndex: POS.logIndex,
  };
}

/** From this block on, v2 layouts (the fixtures' logs sit at POS.blockNumber). */
const V2_ERA = { upgradeBlock: POS.blockNumber };

function decoded(log: RawLog, ctx?: { upgradeBlock?: number }): TradeEvent {
  const r = decodeLog(log, ctx);
  if (!r.ok) throw new Error(`decode failed: ${r.reason}`);
  return r.event;
}

const covered = new Set<string>();

/** Encodes `values` as variant `id` and expects exactly `fields` (plus position and variant) back. */
function expectDecodes(id: string, values: readonly unknown[], fields: Record<string, unknown>): void {
  covered.add(id);
  const ctx = byId(id).era === 'v2' ? V2_ERA : {};
  expect(decoded(encode(id, values), ctx)).toStrictEqual({ ...fields, ...POS, variant: id });
}

// ---- property: random valid args decode exactly as ethers decodes them (then the same map)

/** Arbitrary for one ABI param, in the ranges the mapping accepts (ids fit a number, enums in range). */
function arb(p: ParamType, v: EventVariant): fc.Arbitrary<unknown> {
  if (p.baseType === 'tuple') return fc.tuple(...(p.components ?? []).map((c) => arb(c, v)));
  switch (p.type) {
    case 'address':
      return fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((b) => getAddress(Buffer.from(b).toString('hex')));
    case 'bool':
      return fc.boolean();
    case 'int256':
      return fc.bigInt(-(2n ** 255n), 2n ** 255n - 1n);
    case 'uint8':
      if (p.name === 'orderType' && v.kind === 'LimitExecuted') return fc.integer({ min: 0, max: 3 });
      if (p.name === '_type') return fc.integer({ min: 0, max: 1 });
      return fc.integer({ min: 0, max: 255 });
  }
  if (/^_?(pairIndex|index)$/.test(p.name)) return fc.bigInt(0n, BigInt(Number.MAX_SAFE_INTEGER));
  return fc.oneof(fc.bigInt(0n, 2n ** 256n - 1n), fc.bigInt(0n, 2n ** 64n));
}

/** ethers' Result -> our Args: addresses lower case, uint8 as number. */
function toArgs(r: Result, params: readonly ParamType[]): Args {
  const out: Record<string, ArgValue> = {};
  params.forEach((p, i) => {
    const value: unknown = r[i];
    if (p.baseType === 'tuple' && value instanceof Result) out[p.name] = toArgs(value, p.components ?? []);
    else if (p.type === 'address') out[p.name] = String(value).toLowerCase();
    else if (p.type === 'uint8') out[p.name] = Number(value);
    else out[p.name] = value as bigint | boolean;
  });
  return out;
}

// ---- every variant, field by field

describe('decodeLog: every watched variant', () => {
  const closeArgs = [
    /* price */ 61_000n * E10,
    /* positionSizeUSDC */ 50_000_000n,
    /* percentProfit */ -123_000_000_000n,
    /* usdcSentToTrader */ 43_210_000n,
  ];
  const closeOut = {
    price: 61_000n * E10,
    positionSizeUsdc: 50_000_000n,
    percentProfit: -123_000_000_000n,
    usdcSentToTrader: 43_210_000n,
  };
  const me = { kind: 'MarketExecuted', orderId: 901n, trade: TRADE_OUT, open: false, ...closeOut };
  const le = {
    kind: 'LimitExecuted',
    orderId: 902n,
    limitIndex: 3n,
    trade: TRADE_OUT,
    orderType: 'SL',
    ...closeOut,
  };

  it('MarketExecuted/v1.5', () => {
    expectDecodes('MarketExecuted/v1.5', [901n, TRADE_IN, false, ...closeArgs, true], { ...me, isPnl: true });
  });
  it('MarketExecuted/sdk-2024-02 (no isPnl)', () => {
    expectDecodes('MarketExecuted/sdk-2024-02', [901n, TRADE_IN, false, ...closeArgs], me);
  });
  it('MarketExecuted/solidity-2024-05 (timestamp dropped)', () => {
    expectDecodes(
      'MarketExecuted/solidity-2024-05',
      [901n, TRADE_IN, false, ...closeArgs, 1_700_000_000n],
      me,
    );
  });
  it('MarketExecuted/v2-inferred (coinExposure dropped)', () => {
    expect(byId('MarketExecuted/v2-inferred').inferred).toBe(true);
    expectDecodes(
      'MarketExecuted/v2-inferred',
      [901n, TRADE_IN, false, ...closeArgs, false, 5n * E10, true],
      {
        ...me,
        isPnl: false,
      },
    );
  });
  it('LimitExecuted/v1.5', () => {
    expectDecodes('LimitExecuted/v1.5', [902n, 3n, TRADE_IN, 1, ...closeArgs, false], {
      ...le,
      isPnl: false,
    });
  });
  it('LimitExecuted/sdk-2024-02 (no isPnl)', () => {
    expectDecodes('LimitExecuted/sdk-2024-02', [902n, 3n, TRADE_IN, 1, ...closeArgs], le);
  });
  it('LimitExecuted/solidity-2024-05 (timestamp dropped)', () => {
    expectDecodes(
      'LimitExecuted/solidity-2024-05',
      [902n, 3n, TRADE_IN, 1, ...closeArgs, 1_700_000_000n],
      le,
    );
  });
  it('LimitExecuted/v2-inferred (coinExposure dropped)', () => {
    expect(byId('LimitExecuted/v2-inferred').inferred).toBe(true);
    expectDecodes('LimitExecuted/v2-inferred', [902n, 3n, TRADE_IN, 1, ...closeArgs, true, 7n * E10], {
      ...le,
      isPnl: true,
    });
  });
  it('MarketOpenCanceled/v1.5', () => {
    expectDecodes('MarketOpenCanceled/v1.5', [77n, TRADER, 62n], {
      kind: 'MarketOpenCanceled',
      orderId: 77n,
      trader: TRADER_LC,
      pairIndex: 62,
    });
  });
  it('MarketOpenCanceled/solidity-2024-05', () => {
    expectDecodes('MarketOpenCanceled/solidity-2024-05', [77n, TRADER, 62n, 1_700_000_000n], {
      kind: 'MarketOpenCanceled',
      orderId: 77n,
      trader: TRADER_LC,
      pairIndex: 62,
    });
  });
  it('SlUpdated/callbacks-v1.5 (async, with orderId)', () => {
    expectDecodes('SlUpdated/callbacks-v1.5', [55n, TRADER, 1n, 2n, 59_000n * E10], {
      kind: 'SlUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newSl: 59_000n * E10,
      orderId: 55n,
    });
  });
  it('SlUpdated/callbacks-solidity-2024-05', () => {
    expectDecodes(
      'SlUpdated/callbacks-solidity-2024-05',
      [55n, TRADER, 1n, 2n, 59_000n * E10, 1_700_000_000n],
      {
        kind: 'SlUpdated',
        trader: TRADER_LC,
        pairIndex: 1,
        index: 2,
        newSl: 59_000n * E10,
        orderId: 55n,
      },
    );
  });
  it('SlUpdated/v1.5 (Trading, synchronous)', () => {
    expectDecodes('SlUpdated/v1.5', [TRADER, 1n, 2n, 59_000n * E10, 1_700_000_000n], {
      kind: 'SlUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newSl: 59_000n * E10,
    });
  });
  it('MarginUpdated/callbacks-v1.5 (newSl)', () => {
    expectDecodes('MarginUpdated/callbacks-v1.5', [TRADER, 1n, 2n, 58_000n * E10, 1_700_000_000n], {
      kind: 'MarginUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newSl: 58_000n * E10,
    });
  });
  it('MarginUpdated/v1.5 (Trading: _type, newTrade, marginFees)', () => {
    expectDecodes('MarginUpdated/v1.5', [TRADER, 1n, 2n, 1, TRADE_IN, 120_000n, 2n, 1_700_000_000n], {
      kind: 'MarginUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      updateType: 'WITHDRAW',
      trade: TRADE_OUT,
      marginFees: 120_000n,
    });
    const dep = decoded(encode('MarginUpdated/v1.5', [TRADER, 1n, 2n, 0, TRADE_IN, 0n, 0n, 1n]));
    expect(dep.kind === 'MarginUpdated' && dep.updateType).toBe('DEPOSIT');
  });
  it('MarketOrderInitiated/v1.5 (9 fields)', () => {
    expectDecodes(
      'MarketOrderInitiated/v1.5',
      [TRADER, 0n, true, 1001n, 1_700_000_000n, false, true, 25_000_000n, 100n * E10],
      {
        kind: 'MarketOrderInitiated',
        trader: TRADER_LC,
        pairIndex: 0,
        open: true,
        orderId: 1001n,
        isBuy: false,
        isPnl: true,
        initialPosToken: 25_000_000n,
        leverage: 100n * E10,
      },
    );
  });
  it('MarketOrderInitiated/sdk-2025-09 (6 fields)', () => {
    expectDecodes('MarketOrderInitiated/sdk-2025-09', [TRADER, 0n, false, 1001n, 1_700_000_000n, true], {
      kind: 'MarketOrderInitiated',
      trader: TRADER_LC,
      pairIndex: 0,
      open: false,
      orderId: 1001n,
      isBuy: true,
    });
  });
  it('MarketOrderInitiated/sdk-2024-02 (5 fields)', () => {
    expectDecodes('MarketOrderInitiated/sdk-2024-02', [TRADER, 0n, true, 1001n, 1_700_000_000n], {
      kind: 'MarketOrderInitiated',
      trader: TRADER_LC,
      pairIndex: 0,
      open: true,
      orderId: 1001n,
    });
  });
  const olpHead = [TRADER, 21n, 4n, true, 2_400n * E10, 350_000_000_000_000n, 2, E10];
  const olpOut = {
    kind: 'OpenLimitPlaced',
    trader: TRADER_LC,
    pairIndex: 21,
    index: 4,
    isBuy: true,
    openPrice: 2_400n * E10,
    executionFee: 350_000_000_000_000n,
    orderType: 2,
    slippageP: E10,
  };
  it('OpenLimitPlaced/v1.5 (9 fields)', () => {
    expectDecodes('OpenLimitPlaced/v1.5', [...olpHead, 500_000_000n], {
      ...olpOut,
      collateral: 500_000_000n,
    });
  });
  it('OpenLimitPlaced/thirdparty-10 (+leverage)', () => {
    expectDecodes('OpenLimitPlaced/thirdparty-10', [...olpHead, 500_000_000n, 50n * E10], {
      ...olpOut,
      collateral: 500_000_000n,
      leverage: 50n * E10,
    });
  });
  it('OpenLimitPlaced/sdk-2024-02 (8 fields)', () => {
    expectDecodes('OpenLimitPlaced/sdk-2024-02', olpHead, olpOut);
  });
  it('OpenLimitPlaced/solidity-2024-05 (5 fields)', () => {
    expectDecodes('OpenLimitPlaced/solidity-2024-05', [TRADER, 21n, 4n, 1_700_000_000n, 10_000n], {
      kind: 'OpenLimitPlaced',
      trader: TRADER_LC,
      pairIndex: 21,
      index: 4,
      executionFee: 10_000n,
    });
  });
  it('OpenLimitUpdated/v1.5', () => {
    expectDecodes('OpenLimitUpdated/v1.5', [TRADER, 21n, 4n, 2_390n * E10, 2_600n * E10, 2_300n * E10, 1n], {
      kind: 'OpenLimitUpdated',
      trader: TRADER_LC,
      pairIndex: 21,
      index: 4,
      newPrice: 2_390n * E10,
      newTp: 2_600n * E10,
      newSl: 2_300n * E10,
    });
  });
  it('OpenLimitCanceled/v1.5 (+collateral)', () => {
    expectDecodes('OpenLimitCanceled/v1.5', [TRADER, 21n, 4n, 1_700_000_000n, 500_000_000n], {
      kind: 'OpenLimitCanceled',
      trader: TRADER_LC,
      pairIndex: 21,
      index: 4,
      collateral: 500_000_000n,
    });
  });
  it('OpenLimitCanceled/sdk-2024-02 (4 fields)', () => {
    expectDecodes('OpenLimitCanceled/sdk-2024-02', [TRADER, 21n, 4n, 1_700_000_000n], {
      kind: 'OpenLimitCanceled',
      trader: TRADER_LC,
      pairIndex: 21,
      index: 4,
    });
  });
  it('TpUpdated/v1.5', () => {
    expectDecodes('TpUpdated/v1.5', [TRADER, 78n, 0n, 6_100n * E10, 1_700_000_000n], {
      kind: 'TpUpdated',
      trader: TRADER_LC,
      pairIndex: 78,
      index: 0,
      newTp: 6_100n * E10,
    });
  });
  it('FeesCharged/TradingStorage-v1.5 -> OpeningFeeCharged', () => {
    expectDecodes('FeesCharged/TradingStorage-v1.5', [TRADER, 1n, false, 1_500_000n], {
      kind: 'OpeningFeeCharged',
      trader: TRADER_LC,
      pairIndex: 1,
      buy: false,
      fee: 1_500_000n,
    });
  });
  it('FeesCharged/PairInfos-v1.5 -> ClosingFeesCharged', () => {
    expectDecodes(
      'FeesCharged/PairInfos-v1.5',
      [true, 50_000_000n, 20n * E10, 123n * E10, 4_000n, 500_000n, 0n],
      {
        kind: 'ClosingFeesCharged',
        buy: true,
        collateral: 50_000_000n,
        leverage: 20n * E10,
        percentProfit: 123n * E10,
        rolloverFee: 4_000n,
        closingFee: 500_000n,
        lossProtection: 0n,
      },
    );
  });

  it('v2 MarketOrderInitiated (inferred): the request with leverage bounds and wanted price', () => {
    expectDecodes(
      'MarketOrderInitiated/v2-inferred',
      [
        TRADER,
        1n,
        true,
        77n,
        1_757_600_519n,
        true,
        false,
        100_000_000n,
        20n * E10,
        2n * E10,
        50n * E10,
        0n,
        false,
        65_000n * E10,
      ],
      {
        kind: 'MarketOrderInitiated',
        trader: TRADER_LC,
        pairIndex: 1,
        open: true,
        orderId: 77n,
        isBuy: true,
        isPnl: false,
        initialPosToken: 100_000_000n,
        leverage: 20n * E10,
        minLeverage: 2n * E10,
        maxLeverage: 50n * E10,
        wantedPrice: 65_000n * E10,
      },
    );
  });
  it('v2 MarginUpdated (inferred): the new trade and its margin fee', () => {
    expectDecodes(
      'MarginUpdated/v2-inferred',
      [TRADER, 1n, 2n, 0, TRADE_IN, 150_000n, 0n, 1_757_600_519n, 0n],
      {
        kind: 'MarginUpdated',
        trader: TRADER_LC,
        pairIndex: 1,
        index: 2,
        updateType: 'DEPOSIT',
        trade: TRADE_OUT,
        marginFees: 150_000n,
      },
    );
  });
  it('v2 OpenLimitPlaced (inferred): 12 fields', () => {
    expectDecodes(
      'OpenLimitPlaced/v2-inferred',
      [TRADER, 1n, 2n, false, 60_000n * E10, 1_000n, 2, 1n * E10, 50_000_000n, 10n * E10, 0n, 1_757_600_519n],
      {
        kind: 'OpenLimitPlaced',
        trader: TRADER_LC,
        pairIndex: 1,
        index: 2,
        isBuy: false,
        openPrice: 60_000n * E10,
        executionFee: 1_000n,
        orderType: 2,
        slippageP: 1n * E10,
        collateral: 50_000_000n,
        leverage: 10n * E10,
      },
    );
  });
  it('v2 TpUpdated and Trading SlUpdated (inferred): with the trade open timestamp', () => {
    expectDecodes('TpUpdated/v2-inferred', [TRADER, 1n, 2n, 70_000n * E10, 1_757_600_600n, 1_757_600_519n], {
      kind: 'TpUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newTp: 70_000n * E10,
      tradeOpenTimestamp: 1_757_600_519n,
    });
    expectDecodes('SlUpdated/v2-inferred', [TRADER, 1n, 2n, 60_000n * E10, 1_757_600_600n, 1_757_600_519n], {
      kind: 'SlUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newSl: 60_000n * E10,
      tradeOpenTimestamp: 1_757_600_519n,
    });
  });
  it('v2 callbacks SlUpdated (inferred, v2 era): the last word is the trade open timestamp', () => {
    expectDecodes('SlUpdated/callbacks-v2-inferred', [5n, TRADER, 1n, 2n, 60_000n * E10, 1_757_600_519n], {
      kind: 'SlUpdated',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      newSl: 60_000n * E10,
      orderId: 5n,
      tradeOpenTimestamp: 1_757_600_519n,
    });
  });
  it('v2 PairInfos FeesCharged (inferred): with signed funding', () => {
    expectDecodes(
      'FeesCharged/PairInfos-v2-inferred',
      [false, 50_000_000n, 20n * E10, -5n * E10, 4_000n, 500_000n, 0n, -12_345n],
      {
        kind: 'ClosingFeesCharged',
        buy: false,
        collateral: 50_000_000n,
        leverage: 20n * E10,
        percentProfit: -5n * E10,
        rolloverFee: 4_000n,
        closingFee: 500_000n,
        lossProtection: 0n,
        fundingFee: -12_345n,
      },
    );
  });
  it('MarketCloseCanceled: a declined close of a slot', () => {
    expectDecodes('MarketCloseCanceled/solidity-2024-05', [8n, TRADER, 1n, 2n, 1_757_600_519n], {
      kind: 'MarketCloseCanceled',
      orderId: 8n,
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
    });
  });
  it('v2 SpreadCharged [local]', () => {
    expectDecodes('SpreadCharged/v2-local', [TRADER, 1n, 2n, true, 65_010n * E10, 1n * E8, 12_000n], {
      kind: 'SpreadCharged',
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
      open: true,
      price: 65_010n * E10,
      spreadP: 1n * E8,
      spreadUsdc: 12_000n,
    });
  });
  it('v2 increases [local]: requested, increased (the blended trade), canceled', () => {
    expectDecodes(
      'IncreasePositionRequested/v2-local',
      [TRADER, 1n, 2n, 31n, true, false, 25_000_000n, 10n * E10, 0n, false],
      {
        kind: 'IncreasePositionRequested',
        trader: TRADER_LC,
        pairIndex: 1,
        index: 2,
        orderId: 31n,
        isBuy: true,
        isPnl: false,
        addedCollateral: 25_000_000n,
        leverage: 10n * E10,
      },
    );
    expectDecodes(
      'PositionSizeIncreased/v2-local',
      [31n, TRADE_IN, false, 66_000n * E10, 25_000_000n, 10n * E10, 112_500n, 0n, false],
      {
        kind: 'PositionSizeIncreased',
        orderId: 31n,
        trade: TRADE_OUT,
        isPnl: false,
        price: 66_000n * E10,
        addedCollateral: 25_000_000n,
        addedLeverage: 10n * E10,
        openingFee: 112_500n,
      },
    );
    expectDecodes('IncreasePositionCanceled/v2-local', [31n, TRADER, 1n, 2n], {
      kind: 'IncreasePositionCanceled',
      orderId: 31n,
      trader: TRADER_LC,
      pairIndex: 1,
      index: 2,
    });
  });

  // Runs last in this block: a variant added to the table without a test here fails.
  it('covered every variant in the table', () => {
    expect([...covered].sort()).toEqual(VARIANTS.map((v) => v.id).sort());
  });
});

// ---- FACTS traps

describe('decodeLog: FACTS traps', () => {
  it('drops t.positionSizeUSDC (trap 1) and keeps the event arg as positionSizeUsdc', () => {
    const t = { ...TRADE_IN, positionSizeUSDC: 424_242n };
    const e = decoded(
      encode('MarketExecuted/v1.5', [1n, t, true, 65_000n * E10, 98_500_000n, 0n, 0n, false]),
    );
    if (e.kind !== 'MarketExecuted') throw new Error(e.kind);
    expect(e.trade).not.toHaveProperty('positionSizeUSDC');
    expect(Object.values(e.trade)).not.toContain(424_242n);
    expect(e.positionSizeUsdc).toBe(98_500_000n);
  });
  it.each([
    [0, 'TP'],
    [1, 'SL'],
    [2, 'LIQ'],
    [3, 'OPEN'],
  ] as const)('LimitExecuted orderType %i is %s (trap 2: 3 = OPEN)', (raw, name) => {
    for (const id of ['LimitExecuted/v1.5', 'LimitExecuted/sdk-2024-02']) {
      const extra = id.endsWith('v1.5') ? [false] : [];
      const e = decoded(encode(id, [1n, 0n, TRADE_IN, raw, 1n, 2n, 3n, 0n, ...extra]));
      expect(e.kind === 'LimitExecuted' && e.orderType).toBe(name);
    }
  });
  it('an unknown LimitExecuted orderType or MarginUpdated _type is MALFORMED_LOG, not a guess', () => {
    const le = decodeLog(encode('LimitExecuted/v1.5', [1n, 0n, TRADE_IN, 4, 1n, 2n, 3n, 0n, false]));
    expect(le).toMatchObject({ ok: false, reason: 'MALFORMED_LOG' });
    const mu = decodeLog(encode('MarginUpdated/v1.5', [TRADER, 1n, 2n, 2, TRADE_IN, 0n, 0n, 1n]));
    expect(mu).toMatchObject({ ok: false, reason: 'MALFORMED_LOG' });
  });
  it('lower-cases every address (emitter, indexed trader, trader in data and in the tuple)', () => {
    const e = decoded(encode('MarketOpenCanceled/v1.5', [1n, TRADER, 0n]));
    expect(e.address).toBe(EMITTER.toLowerCase());
    expect(e.kind === 'MarketOpenCanceled' && e.trader).toBe(TRADER_LC);
    const f = decoded(encode('FeesCharged/TradingStorage-v1.5', [TRADER, 1n, true, 1n]));
    expect(f.kind === 'OpeningFeeCharged' && f.trader).toBe(TRADER_LC);
  });
  it('decodes a topic0 given in upper case', () => {
    const log = encode('TpUpdated/v1.5', [TRADER, 1n, 0n, 1n, 1n]);
    const upper = {
      ...log,
      topics: [`0x${(log.topics[0] ?? '').slice(2).toUpperCase()}`, ...log.topics.slice(1)],
    };
    expect(decodeLog(upper).ok).toBe(true);
  });
});

// ---- unknown and malformed

describe('decodeLog: unknown and malformed logs never throw', () => {
  const good = encode('MarketExecuted/v1.5', [1n, TRADE_IN, false, 1n, 2n, -3n, 4n, true]);
  const topic0 = good.topics[0];
  const malformed = { ok: false, reason: 'MALFORMED_LOG', topic0 };
  /** Replace data word w (0-based) with `word`. */
  const withWord = (log: RawLog, w: number, word: string): RawLog => ({
    ...log,
    data: log.data.slice(0, 2 + 64 * w) + word + log.data.slice(2 + 64 * (w + 1)),
  });

  it('an unknown topic0 is UNKNOWN_TOPIC with that topic0', () => {
    const t = `0x${'12'.repeat(32)}`;
    expect(decodeLog({ ...good, topics: [t] })).toEqual({ ok: false, reason: 'UNKNOWN_TOPIC', topic0: t });
  });
  it('a known but unwatched event (LimitOrderInitiated) is IGNORED, not drift', () => {
    const f = EventFragment.from(
      'event LimitOrderInitiated(address indexed trader, uint256 pairIndex, uint256 orderId, uint256 timestamp)',
    );
    const { topics, data } = new Interface([f]).encodeEventLog(f, [TRADER, 1n, 2n, 3n]);
    expect(decodeLog({ ...good, topics, data })).toMatchObject({ ok: false, reason: 'IGNORED' });
  });
  it("a proxy's EIP-1967 Upgraded log is IGNORED", () => {
    const f = EventFragment.from('event Upgraded(address indexed implementation)');
    const { topics, data } = new Interface([f]).encodeEventLog(f, [TRADER]);
    expect(topics[0]).toBe('0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b');
    expect(decodeLog({ ...good, topics, data })).toMatchObject({ ok: false, reason: 'IGNORED' });
  });
  it('a log without topics (anonymous) is UNKNOWN_TOPIC with no topic0', () => {
    expect(decodeLog({ ...good, topics: [] })).toEqual({
      ok: false,
      reason: 'UNKNOWN_TOPIC',
      topic0: undefined,
    });
  });
  it.each([
    ['data one word short', { ...good, data: good.data.slice(0, -64) }],
    ['data one word long', { ...good, data: good.data + '0'.repeat(64) }],
    ['odd-length data', { ...good, data: good.data.slice(0, -1) }],
    ['empty data', { ...good, data: '0x' }],
    ['data without 0x', { ...good, data: `00${good.data.slice(2)}` }],
    ['non-hex char inside a uint word', withWord(good, 0, `${'0'.repeat(30)}zz${'0'.repeat(32)}`)],
    ['whitespace at the end of a uint word', withWord(good, 0, `${'0'.repeat(62)}1 `)],
    ['whitespace at the start of a uint word', withWord(good, 0, ` ${'0'.repeat(62)}1`)],
    ['bool word = 2', withWord(good, 12, `${'0'.repeat(63)}2`)],
    ['bool word with high bits', withWord(good, 12, `1${'0'.repeat(62)}1`)],
    ['address word with dirty high bytes', withWord(good, 1, `ff${'0'.repeat(22)}${TRADER_LC.slice(2)}`)],
    ['address word with a non-hex char', withWord(good, 1, `${'0'.repeat(24)}${'g'.repeat(40)}`)],
    ['pairIndex beyond Number.MAX_SAFE_INTEGER', withWord(good, 2, `${'0'.repeat(48)}${'f'.repeat(16)}`)],
  ])('%s -> MALFORMED_LOG, with a reason', (_name, log) => {
    const r = decodeLog(log);
    expect(r).toMatchObject(malformed);
    expect(!r.ok && r.detail).toMatch(/^(DATA_LENGTH|BAD_VALUE): /);
  });

  const indexed = encode('TpUpdated/v1.5', [TRADER, 1n, 0n, 1n, 1n]);
  const malformedIndexed = { ok: false, reason: 'MALFORMED_LOG', topic0: indexed.topics[0] };
  it.each([
    ['missing indexed topic', { ...indexed, topics: indexed.topics.slice(0, 1) }],
    ['extra topic', { ...indexed, topics: [...indexed.topics, indexed.topics[1] ?? ''] }],
    ['short indexed topic', { ...indexed, topics: [indexed.topics[0] ?? '', '0x1234'] }],
    ['non-hex indexed topic', { ...indexed, topics: [indexed.topics[0] ?? '', `0x${'x'.repeat(64)}`] }],
    [
      'indexed address with dirty high bytes',
      { ...indexed, topics: [indexed.topics[0] ?? '', `0x${'f'.repeat(64)}`] },
    ],
  ])('%s -> MALFORMED_LOG, with a reason', (_name, log) => {
    const r = decodeLog(log);
    expect(r).toMatchObject(malformedIndexed);
    expect(!r.ok && r.detail).toMatch(/^(TOPIC_COUNT|BAD_TOPIC|BAD_VALUE): /);
  });

  it('never throws on arbitrary data and topics for any watched topic0', () => {
    const hexish = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEFxz '.split('')),
      maxLength: 1300,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...VARIANTS),
        hexish,
        fc.array(hexish, { maxLength: 3 }),
        (v, data, rest) => {
          const r = decodeLog({ ...good, topics: [v.topic0, ...rest], data: `0x${data}` });
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('decodeLog: the topic0 the upgrade reused (V2.md section 7, SlUpdated)', () => {
  const log = encode('SlUpdated/callbacks-v2-inferred', [5n, TRADER, 1n, 2n, 60_000n * E10, 1_757_600_519n]);
  it('is the 2024-05 layout before the upgrade block, and when no upgrade is known', () => {
    expect(decoded(log, { upgradeBlock: POS.blockNumber + 1 }).variant).toBe(
      'SlUpdated/callbacks-solidity-2024-05',
    );
    expect(decoded(log).variant).toBe('SlUpdated/callbacks-solidity-2024-05');
    expect(decoded(log)).not.toHaveProperty('tradeOpenTimestamp');
  });
  it('is the v2 layout from the upgrade block on, its last word the trade open timestamp', () => {
    const e = decoded(log, { upgradeBlock: POS.blockNumber });
    expect(e).toMatchObject({
      variant: 'SlUpdated/callbacks-v2-inferred',
      tradeOpenTimestamp: 1_757_600_519n,
    });
  });
  it('every other topic0 decodes the same in both eras', () => {
    const me = encode('MarketExecuted/v2-inferred', [1n, TRADE_IN, false, 1n, 2n, 3n, 4n, true, 0n, false]);
    expect(decoded(me)).toStrictEqual(decoded(me, V2_ERA));
  });
});

describe('decodeLogs', () => {
  it('keeps order and mixes successes and failures', () => {
    const a = encode('TpUpdated/v1.5', [TRADER, 1n, 0n, 1n, 1n]);
    const b = { ...a, topics: [`0x${'00'.repeat(32)}`] };
    const c = encode('MarketOpenCanceled/v1.5', [9n, TRADER, 3n]);
    const out = decodeLogs([a, b, c]);
    expect(out.map((r) => (r.ok ? r.event.kind : r.reason))).toEqual([
      'TpUpdated',
      'UNKNOWN_TOPIC',
      'MarketOpenCanceled',
    ]);
    expect(decodeLogs([])).toEqual([]);
  });
});

// Thousands of ethers encodes and decodes: a second or two alone, over 5 s on a busy 2-core machine.
const PROPERTY_TIMEOUT_MS = 30_000;

describe('decodeLog: property', () => {
  const good = encode('TpUpdated/v1.5', [TRADER, 1n, 0n, 1n, 1n]);
  it(
    'for every variant, random valid args decode to map(ethers decode)',
    () => {
      for (const v of VARIANTS) {
        const f = EventFragment.from(v.signature);
        const iface = new Interface([f]);
        fc.assert(
          fc.property(fc.tuple(...f.inputs.map((p) => arb(p, v))), (values) => {
            const { topics, data } = iface.encodeEventLog(f, values);
            const log: RawLog = { ...good, topics, data };
            const viaEthers = toArgs(iface.decodeEventLog(f, data, topics), f.inputs);
            const ctx = v.era === 'v2' ? V2_ERA : {};
            expect(decoded(log, ctx)).toStrictEqual({ ...v.map(viaEthers), ...POS, variant: v.id });
          }),
          { numRuns: 60 },
        );
      }
    },
    PROPERTY_TIMEOUT_MS,
  );
});
