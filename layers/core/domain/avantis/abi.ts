// Every Avantis event variant the indexer decodes, as data: the project's own human-readable ABI
// fragment, its topic0, where the layout comes from, and how each event arg maps onto a TradeEvent;
// v1 layouts (before the 2026-08-12 upgrade) and v2 layouts side by side, dispatched by topic0, and
// by era (before/from the upgrade block) where one topic0 means two things. Also the known events we
// deliberately do not decode, so that only truly unknown topic0s count as schema drift.
// Facts and provenance: docs/avantis.md v1 §1-3 and docs/avantis.md v2 §7 (tags [V], [V3],
// [I], [local] are kept in `source`).
import { EventFragment } from 'ethers';
import type {
  LimitOrderType,
  LogPosition,
  TradeEvent,
  TradeEventKind,
  TradeStruct,
} from '../trade-events.js';

export type AvantisContract =
  'TradingCallbacks' | 'Trading' | 'TradingStorage' | 'PairInfos' | 'TradingRouter';

/** A decoded event arg: uint256/int256 -> bigint, uint8 -> number, address -> lower-case hex, tuple -> Args. */
export type ArgValue = bigint | number | boolean | string | Args;
export interface Args {
  readonly [name: string]: ArgValue;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A TradeEvent without where it sits on chain: what a variant's `map` produces. */
export type EventFields = DistributiveOmit<TradeEvent, keyof LogPosition | 'variant'>;
type FieldsOf<K extends TradeEventKind> = Extract<EventFields, { kind: K }>;
type Writable<T> = { -readonly [P in keyof T]: T[P] };

/** Where an event arg goes: a TradeEvent field name, or dropped (with why). */
export type FieldTarget = string | { readonly dropped: string };

export interface EventVariant {
  /** `<Event>/<layout>`, e.g. `MarketExecuted/v1.5`; stored on each TradeEvent as `variant`. */
  readonly id: string;
  readonly kind: TradeEventKind;
  readonly contract: AvantisContract;
  readonly signature: string;
  /** keccak256 of the canonical signature, computed by ethers at module load. */
  readonly topic0: string;
  readonly source: string;
  /** Layout guessed from prose, not from an ABI: decode, but do not trust blindly. */
  readonly inferred?: boolean;
  /**
   * Only for a topic0 shared by two layouts with different meanings (docs/avantis.md v2 §7: SlUpdated):
   * 'v1' decodes logs before the upgrade block, 'v2' from it on. Unset: valid in both eras.
   */
  readonly era?: 'v1' | 'v2';
  /** Event arg name -> TradeEvent field; every arg of `signature` is listed (checked by tests). */
  readonly fields: Readonly<Record<string, FieldTarget>>;
  readonly map: (a: Args) => EventFields;
}

interface VariantSpec<K extends TradeEventKind> extends Omit<EventVariant, 'topic0' | 'kind' | 'map'> {
  readonly kind: K;
  readonly map: (a: Args) => FieldsOf<K>;
}

// The generic ties `kind` to what `map` returns, so a variant cannot emit the wrong event shape.
function variant<K extends TradeEventKind>(spec: VariantSpec<K>): EventVariant {
  return { ...spec, topic0: EventFragment.from(spec.signature).topicHash };
}

// ---- arg narrowing: the decoder only produces what the signature says, so a mismatch is a bad log or a bug.

class ArgError extends Error {}

function big(v: ArgValue | undefined): bigint {
  if (typeof v !== 'bigint') throw new ArgError('expected a uint/int');
  return v;
}
function bool(v: ArgValue | undefined): boolean {
  if (typeof v !== 'boolean') throw new ArgError('expected a bool');
  return v;
}
function addr(v: ArgValue | undefined): string {
  if (typeof v !== 'string') throw new ArgError('expected an address');
  return v;
}
function u8(v: ArgValue | undefined): number {
  if (typeof v !== 'number') throw new ArgError('expected a uint8');
  return v;
}
/** pairIndex and trade slot index: uint256 on chain, small in practice; a huge value means a bad log. */
function small(v: ArgValue | undefined): number {
  const n = big(v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArgError('id out of range');
  return Number(n);
}
function tuple(v: ArgValue | undefined): Args {
  if (typeof v !== 'object' || v === null) throw new ArgError('expected a tuple');
  return v;
}

/** ITradingStorage.LimitOrder, by value (structs.json enums). */
export const LIMIT_ORDER_TYPES: readonly LimitOrderType[] = ['TP', 'SL', 'LIQ', 'OPEN'];
/** ITradingStorage.updateType, by value. */
export const MARGIN_UPDATE_TYPES: readonly ('DEPOSIT' | 'WITHDRAW')[] = ['DEPOSIT', 'WITHDRAW'];

function limitOrderType(v: ArgValue | undefined): LimitOrderType {
  const t = LIMIT_ORDER_TYPES[u8(v)];
  if (t === undefined) throw new ArgError('unknown LimitExecuted orderType');
  return t;
}
function marginUpdateType(v: ArgValue | undefined): 'DEPOSIT' | 'WITHDRAW' {
  const t = MARGIN_UPDATE_TYPES[u8(v)];
  if (t === undefined) throw new ArgError('unknown MarginUpdated _type');
  return t;
}

/** The Trade struct; `positionSizeUSDC` is read past on purpose (docs/avantis.md v1 §3 trap 1: it is 0 or a timestamp, never a size). */
function trade(v: ArgValue | undefined): TradeStruct {
  const t = tuple(v);
  return {
    trader: addr(t.trader),
    pairIndex: small(t.pairIndex),
    index: small(t.index),
    initialPosToken: big(t.initialPosToken),
    openPrice: big(t.openPrice),
    buy: bool(t.buy),
    leverage: big(t.leverage),
    tp: big(t.tp),
    sl: big(t.sl),
    timestamp: big(t.timestamp),
  };
}

// ---- the fragments

/** ITradingStorage.Trade (structs.json); one layout in every variant seen. */
const TRADE =
  'tuple(address trader, uint256 pairIndex, uint256 index, uint256 initialPosToken, uint256 positionSizeUSDC, ' +
  'uint256 openPrice, bool buy, uint256 leverage, uint256 tp, uint256 sl, uint256 timestamp)';

const SDK_V15 = 'Avantis SDK ABI @5a055ae (last v1, "v1.5") [V]';
const SDK_2024 = 'Avantis SDK ABI @4dad6bf (2024-02-25) [V]';
const SOL_2024 = 'avantis-smart-contracts @af7c2b3 Solidity source (2024-05) [V]';
const V2_GUESS =
  'INFERRED from the SDK v2 migration doc field list (2026-08); order and types unverified [I]';

const V2_DOC =
  'docs/avantis.md v2 §7 inferred v2 signature (v1 canonical + appended fields; topic0 listed there) [I]; the local v2 contracts emit exactly this';
const V2_LOCAL =
  'docs/local-avantis.md v2 event table [local]: our own layout, no public source states the real one';

const TRADE_FIELD: FieldTarget = 'trade (t.positionSizeUSDC dropped: docs/avantis.md v1 §3 trap 1)';
const DROP_TS: FieldTarget = { dropped: 'event timestamp; the block carries the time' };
const DROP_COIN: FieldTarget = {
  dropped: 'v2 coinExposure: no TradeEvent field while the layout is inferred',
};

// -- MarketExecuted: a market open (open = true) or a (partial) close. docs/avantis.md v1 §3 trap 3 for opens.
const marketExecutedFields = {
  orderId: 'orderId',
  t: TRADE_FIELD,
  open: 'open',
  price: 'price',
  positionSizeUSDC: 'positionSizeUsdc',
  percentProfit: 'percentProfit',
  usdcSentToTrader: 'usdcSentToTrader',
} as const;
// isPnl is set after the literal, not spread in: one object per log instead of two (the hot path).
function marketExecuted(a: Args, hasIsPnl = false): FieldsOf<'MarketExecuted'> {
  const f: Writable<FieldsOf<'MarketExecuted'>> = {
    kind: 'MarketExecuted',
    orderId: big(a.orderId),
    trade: trade(a.t),
    open: bool(a.open),
    price: big(a.price),
    positionSizeUsdc: big(a.positionSizeUSDC),
    percentProfit: big(a.percentProfit),
    usdcSentToTrader: big(a.usdcSentToTrader),
  };
  if (hasIsPnl) f.isPnl = bool(a.isPnl);
  return f;
}
const ME_HEAD = `uint256 orderId, ${TRADE} t, bool open, uint256 price, uint256 positionSizeUSDC, int256 percentProfit, uint256 usdcSentToTrader`;

// -- LimitExecuted: a limit open (orderType 3 = OPEN, docs/avantis.md v1 §3 trap 2) or a TP / SL / LIQ close.
const limitExecutedFields = {
  orderId: 'orderId',
  limitIndex: 'limitIndex',
  t: TRADE_FIELD,
  orderType: 'orderType (0 TP, 1 SL, 2 LIQ, 3 OPEN)',
  price: 'price',
  positionSizeUSDC: 'positionSizeUsdc',
  percentProfit: 'percentProfit (on OPEN: the trigger price, docs/avantis.md v1 §3 trap 2)',
  usdcSentToTrader: 'usdcSentToTrader',
} as const;
function limitExecuted(a: Args, hasIsPnl = false): FieldsOf<'LimitExecuted'> {
  const f: Writable<FieldsOf<'LimitExecuted'>> = {
    kind: 'LimitExecuted',
    orderId: big(a.orderId),
    limitIndex: big(a.limitIndex),
    trade: trade(a.t),
    orderType: limitOrderType(a.orderType),
    price: big(a.price),
    positionSizeUsdc: big(a.positionSizeUSDC),
    percentProfit: big(a.percentProfit),
    usdcSentToTrader: big(a.usdcSentToTrader),
  };
  if (hasIsPnl) f.isPnl = bool(a.isPnl);
  return f;
}
const LE_HEAD = `uint256 orderId, uint256 limitIndex, ${TRADE} t, uint8 orderType, uint256 price, uint256 positionSizeUSDC, int256 percentProfit, uint256 usdcSentToTrader`;

const marketOpenCanceled = (a: Args): FieldsOf<'MarketOpenCanceled'> => ({
  kind: 'MarketOpenCanceled',
  orderId: big(a.orderId),
  trader: addr(a.trader),
  pairIndex: small(a.pairIndex),
});

const slotFields = { trader: 'trader', pairIndex: 'pairIndex', index: 'index' } as const;
const slot = (a: Args) => ({ trader: addr(a.trader), pairIndex: small(a.pairIndex), index: small(a.index) });

export const VARIANTS: readonly EventVariant[] = [
  // ---------------- TradingCallbacks
  variant({
    id: 'MarketExecuted/v1.5',
    kind: 'MarketExecuted',
    contract: 'TradingCallbacks',
    signature: `event MarketExecuted(${ME_HEAD}, bool isPnl)`,
    source: `${SDK_V15}; topic0 also quoted by third-party indexers`,
    fields: { ...marketExecutedFields, isPnl: 'isPnl' },
    map: (a) => marketExecuted(a, true),
  }),
  variant({
    id: 'MarketExecuted/sdk-2024-02',
    kind: 'MarketExecuted',
    contract: 'TradingCallbacks',
    signature: `event MarketExecuted(${ME_HEAD})`,
    source: `${SDK_2024}; 7 fields, no isPnl`,
    fields: marketExecutedFields,
    map: (a) => marketExecuted(a),
  }),
  variant({
    id: 'MarketExecuted/solidity-2024-05',
    kind: 'MarketExecuted',
    contract: 'TradingCallbacks',
    signature: `event MarketExecuted(${ME_HEAD}, uint256 timestamp)`,
    source: `${SOL_2024}; 8 fields, timestamp instead of isPnl`,
    fields: { ...marketExecutedFields, timestamp: DROP_TS },
    map: (a) => marketExecuted(a),
  }),
  variant({
    id: 'MarketExecuted/v2-inferred',
    kind: 'MarketExecuted',
    contract: 'TradingCallbacks',
    signature: `event MarketExecuted(${ME_HEAD}, bool isPnl, uint256 coinExposure, bool isCoinExposureFixed)`,
    source: `${V2_GUESS}: 8 -> 10 fields (+coinExposure, isCoinExposureFixed)`,
    inferred: true,
    fields: {
      ...marketExecutedFields,
      isPnl: 'isPnl',
      coinExposure: DROP_COIN,
      isCoinExposureFixed: DROP_COIN,
    },
    map: (a) => marketExecuted(a, true),
  }),
  variant({
    id: 'LimitExecuted/v1.5',
    kind: 'LimitExecuted',
    contract: 'TradingCallbacks',
    signature: `event LimitExecuted(${LE_HEAD}, bool isPnl)`,
    source: `${SDK_V15}; topic0 also quoted by third-party indexers`,
    fields: { ...limitExecutedFields, isPnl: 'isPnl' },
    map: (a) => limitExecuted(a, true),
  }),
  variant({
    id: 'LimitExecuted/sdk-2024-02',
    kind: 'LimitExecuted',
    contract: 'TradingCallbacks',
    signature: `event LimitExecuted(${LE_HEAD})`,
    source: `${SDK_2024}; 8 fields, no isPnl`,
    fields: limitExecutedFields,
    map: (a) => limitExecuted(a),
  }),
  variant({
    id: 'LimitExecuted/solidity-2024-05',
    kind: 'LimitExecuted',
    contract: 'TradingCallbacks',
    signature: `event LimitExecuted(${LE_HEAD}, uint256 timestamp)`,
    source: `${SOL_2024}; 9 fields, timestamp instead of isPnl`,
    fields: { ...limitExecutedFields, timestamp: DROP_TS },
    map: (a) => limitExecuted(a),
  }),
  variant({
    id: 'LimitExecuted/v2-inferred',
    kind: 'LimitExecuted',
    contract: 'TradingCallbacks',
    signature: `event LimitExecuted(${LE_HEAD}, bool isPnl, uint256 coinExposure)`,
    source: `${V2_GUESS}: 9 -> 10 fields (+coinExposure)`,
    inferred: true,
    fields: { ...limitExecutedFields, isPnl: 'isPnl', coinExposure: DROP_COIN },
    map: (a) => limitExecuted(a, true),
  }),
  variant({
    id: 'MarketOpenCanceled/v1.5',
    kind: 'MarketOpenCanceled',
    contract: 'TradingCallbacks',
    signature: 'event MarketOpenCanceled(uint256 orderId, address indexed trader, uint256 pairIndex)',
    // The same fragment sits in TradingStorage's ABI too; one topic0, one decoder, whichever address emits it.
    source: `${SDK_V15} and ${SDK_2024}; also listed in the TradingStorage ABI`,
    fields: { orderId: 'orderId', trader: 'trader', pairIndex: 'pairIndex' },
    map: marketOpenCanceled,
  }),
  variant({
    id: 'MarketOpenCanceled/solidity-2024-05',
    kind: 'MarketOpenCanceled',
    contract: 'TradingCallbacks',
    signature:
      'event MarketOpenCanceled(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 timestamp)',
    source: `${SOL_2024}; with timestamp`,
    fields: { orderId: 'orderId', trader: 'trader', pairIndex: 'pairIndex', timestamp: DROP_TS },
    map: marketOpenCanceled,
  }),
  variant({
    id: 'SlUpdated/callbacks-v1.5',
    kind: 'SlUpdated',
    contract: 'TradingCallbacks',
    signature:
      'event SlUpdated(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl)',
    source: `${SDK_V15} and ${SDK_2024}; the asynchronous SL update, after SlUpdateInitiated`,
    fields: { orderId: 'orderId', ...slotFields, newSl: 'newSl' },
    map: (a) => ({ kind: 'SlUpdated', ...slot(a), newSl: big(a.newSl), orderId: big(a.orderId) }),
  }),
  variant({
    id: 'SlUpdated/callbacks-solidity-2024-05',
    kind: 'SlUpdated',
    contract: 'TradingCallbacks',
    signature:
      'event SlUpdated(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp)',
    source: `${SOL_2024}; the asynchronous SL update with timestamp. Same topic0 as the v2 callbacks SlUpdated (docs/avantis.md v2 §7 trap): v1 era only`,
    era: 'v1',
    fields: { orderId: 'orderId', ...slotFields, newSl: 'newSl', timestamp: DROP_TS },
    map: (a) => ({ kind: 'SlUpdated', ...slot(a), newSl: big(a.newSl), orderId: big(a.orderId) }),
  }),
  variant({
    id: 'MarginUpdated/callbacks-v1.5',
    kind: 'MarginUpdated',
    contract: 'TradingCallbacks',
    signature:
      'event MarginUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp)',
    source: `${SDK_V15} and ${SDK_2024}; callbacks' version: carries the new SL, not the new collateral`,
    fields: { ...slotFields, newSl: 'newSl', timestamp: DROP_TS },
    map: (a) => ({ kind: 'MarginUpdated', ...slot(a), newSl: big(a.newSl) }),
  }),

  // ---------------- Trading (both proxy addresses)
  variant({
    id: 'MarketOrderInitiated/v1.5',
    kind: 'MarketOrderInitiated',
    contract: 'Trading',
    signature:
      'event MarketOrderInitiated(address indexed trader, uint256 pairIndex, bool open, uint256 orderId, uint256 timestamp, ' +
      'bool isBuy, bool isPnl, uint256 initialPosToken, uint256 leverage)',
    source: `${SDK_V15}; 9 fields; a subsquid script filters this topic0 at Trading`,
    fields: {
      trader: 'trader',
      pairIndex: 'pairIndex',
      open: 'open',
      orderId: 'orderId',
      timestamp: DROP_TS,
      isBuy: 'isBuy',
      isPnl: 'isPnl',
      initialPosToken: 'initialPosToken',
      leverage: 'leverage',
    },
    map: (a) => ({
      kind: 'MarketOrderInitiated',
      trader: addr(a.trader),
      pairIndex: small(a.pairIndex),
      open: bool(a.open),
      orderId: big(a.orderId),
      isBuy: bool(a.isBuy),
      isPnl: bool(a.isPnl),
      initialPosToken: big(a.initialPosToken),
      leverage: big(a.leverage),
    }),
  }),
  variant({
    id: 'MarketOrderInitiated/sdk-2025-09',
    kind: 'MarketOrderInitiated',
    contract: 'Trading',
    signature:
      'event MarketOrderInitiated(address indexed trader, uint256 pairIndex, bool open, uint256 orderId, uint256 timestamp, bool isBuy)',
    source: 'Avantis SDK ABI @252ce8c (2025-09-19) [V]; 6 fields (+isBuy); used by a community bot',
    fields: {
      trader: 'trader',
      pairIndex: 'pairIndex',
      open: 'open',
      orderId: 'orderId',
      timestamp: DROP_TS,
      isBuy: 'isBuy',
    },
    map: (a) => ({
      kind: 'MarketOrderInitiated',
      trader: addr(a.trader),
      pairIndex: small(a.pairIndex),
      open: bool(a.open),
      orderId: big(a.orderId),
      isBuy: bool(a.isBuy),
    }),
  }),
  variant({
    id: 'MarketOrderInitiated/sdk-2024-02',
    kind: 'MarketOrderInitiated',
    contract: 'Trading',
    signature:
      'event MarketOrderInitiated(address indexed trader, uint256 pairIndex, bool open, uint256 orderId, uint256 timestamp)',
    source: `${SDK_2024} and ${SOL_2024}; 5 fields`,
    fields: {
      trader: 'trader',
      pairIndex: 'pairIndex',
      open: 'open',
      orderId: 'orderId',
      timestamp: DROP_TS,
    },
    map: (a) => ({
      kind: 'MarketOrderInitiated',
      trader: addr(a.trader),
      pairIndex: small(a.pairIndex),
      open: bool(a.open),
      orderId: big(a.orderId),
    }),
  }),
  variant({
    id: 'OpenLimitPlaced/v1.5',
    kind: 'OpenLimitPlaced',
    contract: 'Trading',
    signature:
      'event OpenLimitPlaced(address indexed trader, uint256 pairIndex, uint256 index, bool isBuy, uint256 openPrice, ' +
      'uint256 executionFee, uint8 orderType, uint256 slippageP, uint256 collateral)',
    source: `${SDK_V15}; 9 fields`,
    fields: {
      ...slotFields,
      isBuy: 'isBuy',
      openPrice: 'openPrice',
      executionFee: 'executionFee',
      orderType: 'orderType (raw OpenLimitOrderType)',
      slippageP: 'slippageP',
      collateral: 'collateral',
    },
    map: (a) => ({
      kind: 'OpenLimitPlaced',
      ...slot(a),
      isBuy: bool(a.isBuy),
      openPrice: big(a.openPrice),
      executionFee: big(a.executionFee),
      orderType: u8(a.orderType),
      slippageP: big(a.slippageP),
      collateral: big(a.collateral),
    }),
  }),
  variant({
    id: 'OpenLimitPlaced/thirdparty-10',
    kind: 'OpenLimitPlaced',
    contract: 'Trading',
    signature:
      'event OpenLimitPlaced(address indexed trader, uint256 pairIndex, uint256 index, bool isBuy, uint256 openPrice, ' +
      'uint256 executionFee, uint8 orderType, uint256 slippageP, uint256 collateral, uint256 leverage)',
    source:
      'third-party subsquid-generated Trading ABI [V3]; 10 fields (+leverage), probably the last v1 form (v2 doc: "10 -> 12")',
    fields: {
      ...slotFields,
      isBuy: 'isBuy',
      openPrice: 'openPrice',
      executionFee: 'executionFee',
      orderType: 'orderType (raw OpenLimitOrderType)',
      slippageP: 'slippageP',
      collateral: 'collateral',
      leverage: 'leverage',
    },
    map: (a) => ({
      kind: 'OpenLimitPlaced',
      ...slot(a),
      isBuy: bool(a.isBuy),
      openPrice: big(a.openPrice),
      executionFee: big(a.executionFee),
      orderType: u8(a.orderType),
      slippageP: big(a.slippageP),
      collateral: big(a.collateral),
      leverage: big(a.leverage),
    }),
  }),
  variant({
    id: 'OpenLimitPlaced/sdk-2024-02',
    kind: 'OpenLimitPlaced',
    contract: 'Trading',
    signature:
      'event OpenLimitPlaced(address indexed trader, uint256 pairIndex, uint256 index, bool isBuy, uint256 openPrice, ' +
      'uint256 executionFee, uint8 orderType, uint256 slippageP)',
    source: `${SDK_2024}; 8 fields, no collateral`,
    fields: {
      ...slotFields,
      isBuy: 'isBuy',
      openPrice: 'openPrice',
      executionFee: 'executionFee',
      orderType: 'orderType (raw OpenLimitOrderType)',
      slippageP: 'slippageP',
    },
    map: (a) => ({
      kind: 'OpenLimitPlaced',
      ...slot(a),
      isBuy: bool(a.isBuy),
      openPrice: big(a.openPrice),
      executionFee: big(a.executionFee),
      orderType: u8(a.orderType),
      slippageP: big(a.slippageP),
    }),
  }),
  variant({
    id: 'OpenLimitPlaced/solidity-2024-05',
    kind: 'OpenLimitPlaced',
    contract: 'Trading',
    signature:
      'event OpenLimitPlaced(address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp, uint256 executionFee)',
    source: `${SOL_2024}; 5 fields`,
    fields: { ...slotFields, timestamp: DROP_TS, executionFee: 'executionFee' },
    map: (a) => ({ kind: 'OpenLimitPlaced', ...slot(a), executionFee: big(a.executionFee) }),
  }),
  variant({
    id: 'OpenLimitUpdated/v1.5',
    kind: 'OpenLimitUpdated',
    contract: 'Trading',
    signature:
      'event OpenLimitUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newPrice, uint256 newTp, ' +
      'uint256 newSl, uint256 timestamp)',
    source: `${SDK_V15}; identical in ${SOL_2024}`,
    fields: { ...slotFields, newPrice: 'newPrice', newTp: 'newTp', newSl: 'newSl', timestamp: DROP_TS },
    map: (a) => ({
      kind: 'OpenLimitUpdated',
      ...slot(a),
      newPrice: big(a.newPrice),
      newTp: big(a.newTp),
      newSl: big(a.newSl),
    }),
  }),
  variant({
    id: 'OpenLimitCanceled/v1.5',
    kind: 'OpenLimitCanceled',
    contract: 'Trading',
    signature:
      'event OpenLimitCanceled(address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp, uint256 collateral)',
    source: `${SDK_V15}; 5 fields (+collateral refunded)`,
    fields: { ...slotFields, timestamp: DROP_TS, collateral: 'collateral' },
    map: (a) => ({ kind: 'OpenLimitCanceled', ...slot(a), collateral: big(a.collateral) }),
  }),
  variant({
    id: 'OpenLimitCanceled/sdk-2024-02',
    kind: 'OpenLimitCanceled',
    contract: 'Trading',
    signature:
      'event OpenLimitCanceled(address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp)',
    source: `${SDK_2024} and ${SOL_2024}; 4 fields`,
    fields: { ...slotFields, timestamp: DROP_TS },
    map: (a) => ({ kind: 'OpenLimitCanceled', ...slot(a) }),
  }),
  variant({
    id: 'TpUpdated/v1.5',
    kind: 'TpUpdated',
    contract: 'Trading',
    signature:
      'event TpUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 timestamp)',
    source: `${SDK_V15}; identical in ${SOL_2024}`,
    fields: { ...slotFields, newTp: 'newTp', timestamp: DROP_TS },
    map: (a) => ({ kind: 'TpUpdated', ...slot(a), newTp: big(a.newTp) }),
  }),
  variant({
    id: 'SlUpdated/v1.5',
    kind: 'SlUpdated',
    contract: 'Trading',
    signature:
      'event SlUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp)',
    source: `${SDK_V15}; identical in ${SOL_2024}; the synchronous SL update`,
    fields: { ...slotFields, newSl: 'newSl', timestamp: DROP_TS },
    map: (a) => ({ kind: 'SlUpdated', ...slot(a), newSl: big(a.newSl) }),
  }),
  variant({
    id: 'MarginUpdated/v1.5',
    kind: 'MarginUpdated',
    contract: 'Trading',
    signature:
      `event MarginUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint8 _type, ${TRADE} newTrade, ` +
      'uint256 marginFees, uint256 lossProtectionTier, uint256 timestamp)',
    source: `${SDK_V15}; _type 0 DEPOSIT 1 WITHDRAW; newTrade carries the new collateral and leverage`,
    fields: {
      ...slotFields,
      _type: 'updateType (0 DEPOSIT, 1 WITHDRAW)',
      newTrade: TRADE_FIELD,
      marginFees: 'marginFees',
      lossProtectionTier: { dropped: 'loss-protection tier: not used by copy-trading or PnL' },
      timestamp: DROP_TS,
    },
    map: (a) => ({
      kind: 'MarginUpdated',
      ...slot(a),
      updateType: marginUpdateType(a._type),
      trade: trade(a.newTrade),
      marginFees: big(a.marginFees),
    }),
  }),

  // ---------------- TradingStorage and PairInfos: the fees PnL needs
  variant({
    id: 'FeesCharged/TradingStorage-v1.5',
    kind: 'OpeningFeeCharged',
    contract: 'TradingStorage',
    signature: 'event FeesCharged(address _trader, uint256 _pairIndex, bool _buy, uint256 fee)',
    source: `${SDK_V15} and ${SDK_2024}; the opening (dev/gov) fee, nothing indexed`,
    fields: { _trader: 'trader', _pairIndex: 'pairIndex', _buy: 'buy', fee: 'fee' },
    map: (a) => ({
      kind: 'OpeningFeeCharged',
      trader: addr(a._trader),
      pairIndex: small(a._pairIndex),
      buy: bool(a._buy),
      fee: big(a.fee),
    }),
  }),
  variant({
    id: 'FeesCharged/PairInfos-v1.5',
    kind: 'ClosingFeesCharged',
    contract: 'PairInfos',
    signature:
      'event FeesCharged(bool buy, uint256 collateral, uint256 leverage, int256 percentProfit, uint256 r, ' +
      'uint256 closingFee, uint256 lossProtection)',
    source: `${SDK_V15}; emitted during close valuation; names no trader (join by txHash)`,
    fields: {
      buy: 'buy',
      collateral: 'collateral',
      leverage: 'leverage',
      percentProfit: 'percentProfit',
      r: 'rolloverFee',
      closingFee: 'closingFee',
      lossProtection: 'lossProtection',
    },
    map: (a) => ({
      kind: 'ClosingFeesCharged',
      buy: bool(a.buy),
      collateral: big(a.collateral),
      leverage: big(a.leverage),
      percentProfit: big(a.percentProfit),
      rolloverFee: big(a.r),
      closingFee: big(a.closingFee),
      lossProtection: big(a.lossProtection),
    }),
  }),

  // ---------------- v2 (from the upgrade block on). Changed layouts are inferred [I]; new families [local].
  variant({
    id: 'MarketOrderInitiated/v2-inferred',
    kind: 'MarketOrderInitiated',
    contract: 'Trading',
    signature:
      'event MarketOrderInitiated(address indexed trader, uint256 pairIndex, bool open, uint256 orderId, uint256 timestamp, ' +
      'bool isBuy, bool isPnl, uint256 initialPosToken, uint256 leverage, uint256 minLeverage, uint256 maxLeverage, ' +
      'uint256 coinExposure, bool isCoinExposureFixed, uint256 wantedPrice)',
    source: `${V2_DOC}: 9 -> 14 args (the doc counts 13 fields)`,
    inferred: true,
    fields: {
      trader: 'trader',
      pairIndex: 'pairIndex',
      open: 'open',
      orderId: 'orderId',
      timestamp: DROP_TS,
      isBuy: 'isBuy',
      isPnl: 'isPnl',
      initialPosToken: 'initialPosToken',
      leverage: 'leverage',
      minLeverage: 'minLeverage',
      maxLeverage: 'maxLeverage',
      coinExposure: DROP_COIN,
      isCoinExposureFixed: DROP_COIN,
      wantedPrice: 'wantedPrice',
    },
    map: (a) => ({
      kind: 'MarketOrderInitiated',
      trader: addr(a.trader),
      pairIndex: small(a.pairIndex),
      open: bool(a.open),
      orderId: big(a.orderId),
      isBuy: bool(a.isBuy),
      isPnl: bool(a.isPnl),
      initialPosToken: big(a.initialPosToken),
      leverage: big(a.leverage),
      minLeverage: big(a.minLeverage),
      maxLeverage: big(a.maxLeverage),
      wantedPrice: big(a.wantedPrice),
    }),
  }),
  variant({
    id: 'MarginUpdated/v2-inferred',
    kind: 'MarginUpdated',
    contract: 'Trading',
    signature:
      `event MarginUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint8 _type, ${TRADE} newTrade, ` +
      'uint256 marginFees, uint256 lossProtectionTier, uint256 timestamp, uint256 coinExposure)',
    source: `${V2_DOC}: +coinExposure; newTrade carries the collateral after the update and its fee`,
    inferred: true,
    fields: {
      ...slotFields,
      _type: 'updateType (0 DEPOSIT, 1 WITHDRAW)',
      newTrade: TRADE_FIELD,
      marginFees: 'marginFees',
      lossProtectionTier: { dropped: 'loss-protection tier: not used by copy-trading or PnL' },
      timestamp: DROP_TS,
      coinExposure: DROP_COIN,
    },
    map: (a) => ({
      kind: 'MarginUpdated',
      ...slot(a),
      updateType: marginUpdateType(a._type),
      trade: trade(a.newTrade),
      marginFees: big(a.marginFees),
    }),
  }),
  variant({
    id: 'OpenLimitPlaced/v2-inferred',
    kind: 'OpenLimitPlaced',
    contract: 'Trading',
    signature:
      'event OpenLimitPlaced(address indexed trader, uint256 pairIndex, uint256 index, bool isBuy, uint256 openPrice, ' +
      'uint256 executionFee, uint8 orderType, uint256 slippageP, uint256 collateral, uint256 leverage, ' +
      'uint256 coinExposure, uint256 timestamp)',
    source: `${V2_DOC}: 10 -> 12 fields (+coinExposure, timestamp)`,
    inferred: true,
    fields: {
      ...slotFields,
      isBuy: 'isBuy',
      openPrice: 'openPrice',
      executionFee: 'executionFee',
      orderType: 'orderType (raw OpenLimitOrderType)',
      slippageP: 'slippageP',
      collateral: 'collateral',
      leverage: 'leverage',
      coinExposure: DROP_COIN,
      timestamp: DROP_TS,
    },
    map: (a) => ({
      kind: 'OpenLimitPlaced',
      ...slot(a),
      isBuy: bool(a.isBuy),
      openPrice: big(a.openPrice),
      executionFee: big(a.executionFee),
      orderType: u8(a.orderType),
      slippageP: big(a.slippageP),
      collateral: big(a.collateral),
      leverage: big(a.leverage),
    }),
  }),
  variant({
    id: 'TpUpdated/v2-inferred',
    kind: 'TpUpdated',
    contract: 'Trading',
    signature:
      'event TpUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 timestamp, uint256 tradeOpenTimestamp)',
    source: `${V2_DOC}: +tradeOpenTimestamp`,
    inferred: true,
    fields: { ...slotFields, newTp: 'newTp', timestamp: DROP_TS, tradeOpenTimestamp: 'tradeOpenTimestamp' },
    map: (a) => ({
      kind: 'TpUpdated',
      ...slot(a),
      newTp: big(a.newTp),
      tradeOpenTimestamp: big(a.tradeOpenTimestamp),
    }),
  }),
  variant({
    id: 'SlUpdated/v2-inferred',
    kind: 'SlUpdated',
    contract: 'Trading',
    signature:
      'event SlUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp, uint256 tradeOpenTimestamp)',
    source: `${V2_DOC}: +tradeOpenTimestamp (Trading's synchronous SL update)`,
    inferred: true,
    fields: { ...slotFields, newSl: 'newSl', timestamp: DROP_TS, tradeOpenTimestamp: 'tradeOpenTimestamp' },
    map: (a) => ({
      kind: 'SlUpdated',
      ...slot(a),
      newSl: big(a.newSl),
      tradeOpenTimestamp: big(a.tradeOpenTimestamp),
    }),
  }),
  variant({
    id: 'SlUpdated/callbacks-v2-inferred',
    kind: 'SlUpdated',
    contract: 'TradingCallbacks',
    signature:
      'event SlUpdated(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 tradeOpenTimestamp)',
    source:
      `${V2_DOC}: v1.5 callbacks SlUpdated + tradeOpenTimestamp. Its topic0 equals the 2024-05 layout's ` +
      '(same types, last word means something else): decoded as this from the upgrade block on',
    inferred: true,
    era: 'v2',
    fields: { orderId: 'orderId', ...slotFields, newSl: 'newSl', tradeOpenTimestamp: 'tradeOpenTimestamp' },
    map: (a) => ({
      kind: 'SlUpdated',
      ...slot(a),
      newSl: big(a.newSl),
      orderId: big(a.orderId),
      tradeOpenTimestamp: big(a.tradeOpenTimestamp),
    }),
  }),
  variant({
    id: 'FeesCharged/PairInfos-v2-inferred',
    kind: 'ClosingFeesCharged',
    contract: 'PairInfos',
    signature:
      'event FeesCharged(bool buy, uint256 collateral, uint256 leverage, int256 percentProfit, uint256 r, ' +
      'uint256 closingFee, uint256 lossProtection, int256 fundingFee)',
    source: `${V2_DOC}: +int256 fundingFee; names no trader (join by txHash)`,
    inferred: true,
    fields: {
      buy: 'buy',
      collateral: 'collateral',
      leverage: 'leverage',
      percentProfit: 'percentProfit',
      r: 'rolloverFee',
      closingFee: 'closingFee',
      lossProtection: 'lossProtection',
      fundingFee: 'fundingFee',
    },
    map: (a) => ({
      kind: 'ClosingFeesCharged',
      buy: bool(a.buy),
      collateral: big(a.collateral),
      leverage: big(a.leverage),
      percentProfit: big(a.percentProfit),
      rolloverFee: big(a.r),
      closingFee: big(a.closingFee),
      lossProtection: big(a.lossProtection),
      fundingFee: big(a.fundingFee),
    }),
  }),
  variant({
    id: 'MarketCloseCanceled/solidity-2024-05',
    kind: 'MarketCloseCanceled',
    contract: 'TradingCallbacks',
    signature:
      'event MarketCloseCanceled(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp)',
    source: `${SOL_2024}; emitted by the local v2 callbacks (docs/local-avantis.md): a declined close`,
    fields: { orderId: 'orderId', ...slotFields, timestamp: DROP_TS },
    map: (a) => ({ kind: 'MarketCloseCanceled', orderId: big(a.orderId), ...slot(a) }),
  }),
  variant({
    id: 'SpreadCharged/v2-local',
    kind: 'SpreadCharged',
    contract: 'TradingCallbacks',
    signature:
      'event SpreadCharged(address indexed trader, uint256 pairIndex, uint256 index, bool open, uint256 price, uint256 spreadP, uint256 spreadUsdc)',
    source: `${V2_LOCAL}; docs/avantis.md v2 §7 names the family only`,
    fields: {
      ...slotFields,
      open: 'open',
      price: 'price',
      spreadP: 'spreadP',
      spreadUsdc: 'spreadUsdc',
    },
    map: (a) => ({
      kind: 'SpreadCharged',
      ...slot(a),
      open: bool(a.open),
      price: big(a.price),
      spreadP: big(a.spreadP),
      spreadUsdc: big(a.spreadUsdc),
    }),
  }),
  variant({
    id: 'IncreasePositionRequested/v2-local',
    kind: 'IncreasePositionRequested',
    contract: 'Trading',
    signature:
      'event IncreasePositionRequested(address indexed trader, uint256 pairIndex, uint256 index, uint256 orderId, bool isBuy, ' +
      'bool isPnl, uint256 addedCollateral, uint256 leverage, uint256 coinExposure, bool isCoinExposureFixed)',
    source: `${V2_LOCAL}; docs/avantis.md v2 §7 names the family only`,
    fields: {
      ...slotFields,
      orderId: 'orderId',
      isBuy: 'isBuy',
      isPnl: 'isPnl',
      addedCollateral: 'addedCollateral',
      leverage: 'leverage',
      coinExposure: DROP_COIN,
      isCoinExposureFixed: DROP_COIN,
    },
    map: (a) => ({
      kind: 'IncreasePositionRequested',
      ...slot(a),
      orderId: big(a.orderId),
      isBuy: bool(a.isBuy),
      isPnl: bool(a.isPnl),
      addedCollateral: big(a.addedCollateral),
      leverage: big(a.leverage),
    }),
  }),
  variant({
    id: 'PositionSizeIncreased/v2-local',
    kind: 'PositionSizeIncreased',
    contract: 'TradingCallbacks',
    signature:
      `event PositionSizeIncreased(uint256 orderId, ${TRADE} t, bool isPnl, uint256 price, uint256 addedCollateral, ` +
      'uint256 addedLeverage, uint256 openingFee, uint256 coinExposureAdded, bool isCoinExposureFixed)',
    source: `${V2_LOCAL}; docs/avantis.md v2 §7 names the family only; t is the blended position`,
    fields: {
      orderId: 'orderId',
      t: TRADE_FIELD,
      isPnl: 'isPnl',
      price: 'price',
      addedCollateral: 'addedCollateral',
      addedLeverage: 'addedLeverage',
      openingFee: 'openingFee',
      coinExposureAdded: DROP_COIN,
      isCoinExposureFixed: DROP_COIN,
    },
    map: (a) => ({
      kind: 'PositionSizeIncreased',
      orderId: big(a.orderId),
      trade: trade(a.t),
      isPnl: bool(a.isPnl),
      price: big(a.price),
      addedCollateral: big(a.addedCollateral),
      addedLeverage: big(a.addedLeverage),
      openingFee: big(a.openingFee),
    }),
  }),
  variant({
    id: 'IncreasePositionCanceled/v2-local',
    kind: 'IncreasePositionCanceled',
    contract: 'TradingCallbacks',
    signature:
      'event IncreasePositionCanceled(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index)',
    source: `${V2_LOCAL}; a declined increase changes no position`,
    fields: { orderId: 'orderId', ...slotFields },
    map: (a) => ({ kind: 'IncreasePositionCanceled', orderId: big(a.orderId), ...slot(a) }),
  }),
];

/** Every decoded topic0 (the v1 and v2 layouts together; the collided one once). */
export const WATCHED_TOPICS: readonly string[] = [...new Set(VARIANTS.map((v) => v.topic0))];

/**
 * The contracts whose addresses go into the eth_getLogs address filter: every contract a decoded
 * variant comes from, plus the v2 TradingRouter (docs/avantis.md v2 §1 [I]: not in the unchanged list; its
 * own events are known-but-not-decoded, and watching it shows drift there too).
 */
export const CONTRACTS_EMITTING: readonly AvantisContract[] = [
  ...new Set<AvantisContract>([...VARIANTS.map((v) => v.contract), 'TradingRouter']),
];

/** A known event we deliberately do not decode: seen, not counted as schema drift. */
export interface KnownEvent {
  readonly name: string;
  readonly signature: string;
  readonly topic0: string;
  readonly why: string;
  readonly inferred?: boolean;
}

const known = (name: string, params: string, why: string, inferred?: true): KnownEvent => {
  const signature = `event ${name}(${params})`;
  return {
    name,
    signature,
    topic0: EventFragment.from(signature).topicHash,
    why,
    ...(inferred ? { inferred } : {}),
  };
};

/**
 * Known events of the watched addresses that carry nothing positions, PnL or signals need, with why.
 * Layouts are the canonical ones of topics.json (docs/avantis.md "Data files"; ethers derives the topic0), the
 * EIP-1967 proxy events, and the local TradingRouter's delegate events [local].
 */
export const KNOWN_UNWATCHED: readonly KnownEvent[] = [
  known(
    'Upgraded',
    'address indexed implementation',
    'EIP-1967 proxy upgrade: read for the upgrade block, not a trade',
  ),
  known('AdminChanged', 'address previousAdmin, address newAdmin', 'EIP-1967 proxy admin change'),
  known(
    'DelegateSet',
    'address indexed trader, address indexed delegate, uint256 expiry',
    'TradingRouter delegation [local]: the copy side reads delegation directly',
  ),
  known(
    'DelegateRemoved',
    'address indexed trader, address indexed delegate',
    'TradingRouter delegation [local]',
  ),
  known(
    'NonceUsed',
    'address indexed signer, uint256 nonce',
    "TradingRouter [local]: an intent's nonce spent; the order itself shows as MarketOrderInitiated",
  ),
  known('KeeperSet', 'address keeper, bool enabled', 'TradingCallbacks [local]: keeper allow-list'),
  known(
    'LimitOrderInitiated',
    'address indexed trader, uint256 pairIndex, uint256 orderId, uint256 timestamp',
    'a limit trigger request; the fill arrives as LimitExecuted',
  ),
  known(
    'LimitOrderSameBlock',
    'address indexed trader, uint256 pairIndex, uint256 index',
    'keeper bookkeeping',
  ),
  known(
    'SlUpdateInitiated',
    'address indexed trader, uint256 pairIndex, uint256 index, uint256 orderId, uint256 newSl, uint256 timestamp',
    'request only; SlUpdated (callbacks) confirms it',
  ),
  known(
    'SlUpdateInitiated',
    'address indexed trader, uint256 pairIndex, uint256 index, uint256 orderId, uint256 newSl, uint256 timestamp, uint256 tradeOpenTimestamp',
    'v2 request only (docs/avantis.md v2 §7: +tradeOpenTimestamp)',
    true,
  ),
  known(
    'MarginUpdateInitiated',
    'address indexed trader, uint256 pairIndex, uint256 index, uint8 _type, uint256 amount, uint256 orderId, uint256 timestamp',
    'request only (2024-05 source); MarginUpdated confirms it',
  ),
  known(
    'SlCanceled',
    'uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp',
    'an SL update that did not happen (2024-05 source only)',
  ),
  known(
    'TradeReferred',
    'address indexed trader, address indexed referrer, uint256 leveragedPosition, uint256 referrerReward, uint256 rebate, uint256 timestamp, uint256 pairIndex',
    'referral accounting',
  ),
  known(
    'TradeReferred',
    'address indexed trader, address indexed referrer, uint256 leveragedPosition, uint256 referrerReward, uint256 rebate, uint256 timestamp',
    'referral accounting (2024-05)',
  ),
  known(
    'OIUpdated',
    'bool open, bool long, uint256 pairIndex, uint256 amount, uint256 timestamp',
    'open-interest accounting, no trader',
  ),
  known(
    'TradeInitialAccFeesStored',
    'address indexed trader, uint256 pairIndex, uint256 index, uint256 rollover',
    'fee accumulator snapshot',
  ),
  known(
    'PairAdded',
    'uint256 index, bytes32 feedId',
    'pair list: the pair catalog is domain/avantis/pairs.ts',
  ),
  known('PairAdded', 'uint256 index, string from, string to', 'pair list'),
  known(
    'PairDataUpdated',
    'uint256 index, string from, string to, uint256 feedId, uint256[] x, uint256[] y',
    'pair list',
  ),
  known('PairDelisted', 'uint256 index', 'pair list'),
  known('PairUpdated', 'uint256 index', 'pair list'),
  known('GroupAdded', 'uint256 index, string name', 'pair list'),
  known(
    'USDCSentToTrader',
    'address indexed trader, uint256 amount',
    'VaultManager transfer; executions already carry usdcSentToTrader',
  ),
  known('USDCReceivedFromTrader', 'address indexed trader, uint256 amount', 'VaultManager transfer'),
];

/** Known-but-not-decoded events by name, with why (abi-inspect and the tests read it). */
export const NOT_WATCHED: Readonly<Record<string, string>> = Object.fromEntries(
  KNOWN_UNWATCHED.map((k) => [k.name, k.why]),
);

// ---- schema drift: naming an unknown topic0

/** A guessed layout for an unknown topic0: its signature, and what it was built from. */
export interface CandidateLayout {
  readonly signature: string;
  readonly topic0: string;
  readonly basis: string;
}

/** Types docs/avantis.md v2 §7 says fields were appended with (amounts, prices, leverage; flags; signed funding). */
const APPENDED_TYPES = ['uint256', 'bool', 'int256'] as const;
const MAX_APPENDED = 5; // OIUpdated went 5 -> 9, the widest change docs/avantis.md lists (+4)

/**
 * New v2 families docs/avantis.md v2 §7 names without a layout: plausible guesses only [I], so that a
 * match names the family; every one must be checked against a real log.
 */
const NEW_FAMILY_GUESSES: readonly string[] = [
  'BuilderFeesCharged(address,address,bytes32,uint256)',
  'AccFundingFeesStored(uint256,int256,int256)',
  'AccFundingFeesStored(uint256,uint256,uint256)',
  'PositionIncreaseRegistered(address,uint256,uint256,uint256)',
  'PartialTpSlInitiated(address,uint256,uint256,uint8,uint256,uint256)',
  'TpSlExecuted(address,uint256,uint256,uint8,uint256,uint256,int256,uint256)',
];

let candidates: Map<string, CandidateLayout[]> | undefined;

/**
 * Candidate layouts by topic0: every known event (decoded or not) with up to five fields appended
 * from the types docs/avantis.md's field lists use (its rule for the v2 layouts: the v1 canonical signature
 * with the new fields appended), plus guesses for the new families. Built once, on first use.
 */
export function candidateLayouts(): ReadonlyMap<string, readonly CandidateLayout[]> {
  if (candidates) return candidates;
  const out = new Map<string, CandidateLayout[]>();
  const add = (signature: string, basis: string) => {
    const topic0 = EventFragment.from(`event ${signature}`).topicHash;
    const list = out.get(topic0) ?? [];
    if (!list.some((c) => c.signature === signature)) list.push({ signature, topic0, basis });
    out.set(topic0, list);
  };
  const bases = new Map<string, string>();
  for (const v of VARIANTS) bases.set(EventFragment.from(v.signature).format('sighash'), v.id);
  for (const k of KNOWN_UNWATCHED)
    bases.set(EventFragment.from(k.signature).format('sighash'), `${k.name} (known)`);
  for (const [base, from] of bases) {
    const name = base.slice(0, base.indexOf('('));
    const types = base.slice(name.length + 1, -1);
    let tails: string[][] = [[]];
    for (let n = 1; n <= MAX_APPENDED; n++) {
      tails = tails.flatMap((t) => APPENDED_TYPES.map((x) => [...t, x]));
      for (const tail of tails)
        add(`${name}(${[types, ...tail].filter(Boolean).join(',')})`, `${from} + (${tail.join(',')})`);
    }
  }
  for (const g of NEW_FAMILY_GUESSES) add(g, 'a docs/avantis.md v2 §7 new family, guessed types [I]');
  candidates = out;
  return out;
}
