// Avantis v2 EIP-712 intents, as data: every type the TradingRouter verifies, the domain, and the
// three things an intent needs (its struct hash, its digest, its abi-encoded `userIntent`). Pure:
// ethers' TypedDataEncoder and AbiCoder only, no provider. Facts: docs/avantis.md "Intents"
// (docs/avantis.md v2 §3). The field names are the contracts' own, `_` prefixes and all: they
// are mixed on purpose upstream, and "normalising" them breaks signature recovery.
import { AbiCoder, TypedDataEncoder, concat, getAddress, keccak256, type TypedDataField } from 'ethers';

/** The ToS text a DelegateReq signs, byte for byte (docs/avantis.md v2 §2: 250 ASCII bytes, no space after "tos."). */
export const TNC_STRING =
  'I accept the Avantis Terms of Service: https://www.avantisfi.com/docs/tos.' +
  'I confirm that I am not a resident of any of the following countries/regions: ' +
  'Belarus, Cuba, Iran, North Korea, Russia, Syria, Crimea, United Kingdom, ' +
  'United States of America.';

const f = (name: string, type: string): TypedDataField => ({ name, type });

const TRADE: TypedDataField[] = [
  f('trader', 'address'),
  f('pairIndex', 'uint256'),
  f('index', 'uint256'),
  f('initialPosToken', 'uint256'),
  f('positionSizeUSDC', 'uint256'),
  f('openPrice', 'uint256'),
  f('buy', 'bool'),
  f('leverage', 'uint256'),
  f('tp', 'uint256'),
  f('sl', 'uint256'),
  f('timestamp', 'uint256'),
];

const UPDATE_POSITION_SIZE: TypedDataField[] = [
  f('trader', 'address'),
  f('pairIndex', 'uint256'),
  f('index', 'uint256'),
  f('openPrice', 'uint256'),
  f('initialPosToken', 'uint256'),
  f('leverage', 'uint256'),
];

const u = (...names: string[]) => names.map((n) => f(n, 'uint256'));

/** Typed-data definitions by primary type (typehash order). */
export const INTENT_TYPES = {
  OpenTradeReq: {
    OpenTradeReq: [f('_t', 'Trade'), f('_type', 'uint8'), ...u('_slippageP', '_deadline', '_nonce')],
    Trade: TRADE,
  },
  OpenTradeCoinExposureReq: {
    OpenTradeCoinExposureReq: [
      f('_t', 'Trade'),
      f('_type', 'uint8'),
      ...u('_coinExposure', '_minLeverage', '_maxLeverage', '_slippageP', '_deadline', '_nonce'),
    ],
    Trade: TRADE,
  },
  CloseTradeReq: {
    CloseTradeReq: [
      f('_trader', 'address'),
      ...u('_pairIndex', '_index', '_openTimestamp', '_amount', '_wantedPrice', '_deadline', '_nonce'),
    ],
  },
  CloseTradeCoinExposureReq: {
    CloseTradeCoinExposureReq: [
      f('_trader', 'address'),
      ...u('_pairIndex', '_index', '_openTimestamp', '_coinExposure', '_wantedPrice', '_deadline', '_nonce'),
    ],
  },
  IncreasePositionSizeReq: {
    IncreasePositionSizeReq: [
      f('_updateInfo', 'UpdatePositionSize'),
      ...u('_slippageP', '_deadline', '_nonce'),
    ],
    UpdatePositionSize: UPDATE_POSITION_SIZE,
  },
  IncreasePositionSizeWithCoinExposureReq: {
    IncreasePositionSizeWithCoinExposureReq: [
      f('_updateInfo', 'UpdatePositionSize'),
      ...u('_coinExposure', '_minLeverage', '_maxLeverage', '_slippageP', '_deadline', '_nonce'),
    ],
    UpdatePositionSize: UPDATE_POSITION_SIZE,
  },
  // `trader` is unprefixed while every other field is prefixed (upstream quirk).
  UpdateTpSlReq: {
    UpdateTpSlReq: [
      f('trader', 'address'),
      ...u('_pairIndex', '_index', '_newTp', '_newSl', '_deadline', '_nonce'),
    ],
  },
  // No deadline: freshness comes from signTimestamp (ms).
  TpSlReq: {
    TpSlReq: [
      f('trader', 'address'),
      ...u('pairIndex', 'index'),
      f('triggerType', 'uint8'),
      f('coinSize', 'uint256'),
      f('buy', 'bool'),
      f('price', 'uint256'),
      f('percentage', 'int256'),
      ...u('timestamp', 'signTimestamp'),
      f('orderType', 'uint8'),
      f('nonce', 'uint256'),
    ],
  },
  // Typehash order (expiry, deadline, tnc); the ABI encoding uses the struct order (expiry, tnc, deadline).
  DelegateReq: {
    DelegateReq: [
      f('trader', 'address'),
      f('delegate', 'address'),
      ...u('expiry', 'deadline'),
      f('tnc', 'string'),
      f('nonce', 'uint256'),
    ],
  },
} as const satisfies Record<string, Record<string, TypedDataField[]>>;

export type IntentKind = keyof typeof INTENT_TYPES;
export const INTENT_KINDS = Object.keys(INTENT_TYPES) as IntentKind[];

export function isIntentKind(s: string): s is IntentKind {
  return Object.hasOwn(INTENT_TYPES, s);
}

export interface TradingDomain {
  readonly name: 'AvantisTrading';
  readonly version: '1';
  readonly chainId: number;
  /** The TradingRouter proxy. */
  readonly verifyingContract: string;
}

export function tradingDomain(chainId: number, tradingRouter: string): TradingDomain {
  return { name: 'AvantisTrading', version: '1', chainId, verifyingContract: getAddress(tradingRouter) };
}

// ---- the message shapes (amounts bigint in chain units: USDC 1e6; prices, leverage, slippage 1e10)

export interface TradeInput {
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly initialPosToken: bigint;
  /** On an open: the collateral, USDC 1e6 (docs/avantis.md v2 §3). */
  readonly positionSizeUSDC: bigint;
  /** On an open: the reference price the fill must stay within ± slippage. */
  readonly openPrice: bigint;
  readonly buy: boolean;
  readonly leverage: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  readonly timestamp: bigint;
}

export interface OpenTradeReq {
  readonly _t: TradeInput;
  /** Open-order enum: 0 market, 1 stop limit, 2 limit, 3 market PnL. Not the batched orderType. */
  readonly _type: number;
  readonly _slippageP: bigint;
  /** Unix milliseconds. */
  readonly _deadline: bigint;
  readonly _nonce: bigint;
}

export interface CloseTradeReq {
  readonly _trader: string;
  readonly _pairIndex: bigint;
  readonly _index: bigint;
  /** Must equal the on-chain Trade.timestamp, or the close reverts PositionMismatch(). */
  readonly _openTimestamp: bigint;
  /** Collateral to close, USDC 1e6. */
  readonly _amount: bigint;
  readonly _wantedPrice: bigint;
  readonly _deadline: bigint;
  readonly _nonce: bigint;
}

export interface UpdatePositionSizeInput {
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly openPrice: bigint;
  /** The added collateral, USDC 1e6. */
  readonly initialPosToken: bigint;
  /** Leverage of the added part. */
  readonly leverage: bigint;
}

export interface IncreasePositionSizeReq {
  readonly _updateInfo: UpdatePositionSizeInput;
  readonly _slippageP: bigint;
  readonly _deadline: bigint;
  readonly _nonce: bigint;
}

export interface DelegateReq {
  readonly trader: string;
  readonly delegate: string;
  /** Unix seconds; must be in the future. */
  readonly expiry: bigint;
  /** Unix milliseconds. */
  readonly deadline: bigint;
  readonly tnc: string;
  readonly nonce: bigint;
}

export interface UpdateTpSlReq {
  readonly trader: string;
  readonly _pairIndex: bigint;
  readonly _index: bigint;
  readonly _newTp: bigint;
  readonly _newSl: bigint;
  readonly _deadline: bigint;
  readonly _nonce: bigint;
}

export interface IntentMessages {
  OpenTradeReq: OpenTradeReq;
  CloseTradeReq: CloseTradeReq;
  IncreasePositionSizeReq: IncreasePositionSizeReq;
  DelegateReq: DelegateReq;
  UpdateTpSlReq: UpdateTpSlReq;
}

// ---- ABI encoding of `userIntent`: one tuple in Solidity order, nested structs as inner tuples.

const TRADE_TUPLE =
  'tuple(address,uint256,uint256,uint256,uint256,uint256,bool,uint256,uint256,uint256,uint256)';
const UPS_TUPLE = 'tuple(address,uint256,uint256,uint256,uint256,uint256)';

type Msg = Record<string, unknown>;
const obj = (v: unknown): Msg => (v && typeof v === 'object' ? (v as Msg) : {});
const pick = (m: Msg, fields: readonly TypedDataField[]): unknown[] => fields.map((x) => m[x.name]);

/** The Solidity tuple type and values of each kind, for AbiCoder. */
const ABI_LAYOUT: Record<IntentKind, { type: string; values: (m: Msg) => unknown[] }> = {
  OpenTradeReq: {
    type: `tuple(${TRADE_TUPLE},uint8,uint256,uint256,uint256)`,
    values: (m) => [pick(obj(m._t), TRADE), m._type, m._slippageP, m._deadline, m._nonce],
  },
  OpenTradeCoinExposureReq: {
    type: `tuple(${TRADE_TUPLE},uint8,uint256,uint256,uint256,uint256,uint256,uint256)`,
    values: (m) => [
      pick(obj(m._t), TRADE),
      m._type,
      m._coinExposure,
      m._minLeverage,
      m._maxLeverage,
      m._slippageP,
      m._deadline,
      m._nonce,
    ],
  },
  CloseTradeReq: {
    type: 'tuple(address,uint256,uint256,uint256,uint256,uint256,uint256,uint256)',
    values: (m) => pick(m, INTENT_TYPES.CloseTradeReq.CloseTradeReq),
  },
  CloseTradeCoinExposureReq: {
    type: 'tuple(address,uint256,uint256,uint256,uint256,uint256,uint256,uint256)',
    values: (m) => pick(m, INTENT_TYPES.CloseTradeCoinExposureReq.CloseTradeCoinExposureReq),
  },
  IncreasePositionSizeReq: {
    type: `tuple(${UPS_TUPLE},uint256,uint256,uint256)`,
    values: (m) => [pick(obj(m._updateInfo), UPDATE_POSITION_SIZE), m._slippageP, m._deadline, m._nonce],
  },
  IncreasePositionSizeWithCoinExposureReq: {
    type: `tuple(${UPS_TUPLE},uint256,uint256,uint256,uint256,uint256,uint256)`,
    values: (m) => [
      pick(obj(m._updateInfo), UPDATE_POSITION_SIZE),
      m._coinExposure,
      m._minLeverage,
      m._maxLeverage,
      m._slippageP,
      m._deadline,
      m._nonce,
    ],
  },
  UpdateTpSlReq: {
    type: 'tuple(address,uint256,uint256,uint256,uint256,uint256,uint256)',
    values: (m) => pick(m, INTENT_TYPES.UpdateTpSlReq.UpdateTpSlReq),
  },
  TpSlReq: {
    type: 'tuple(address,uint256,uint256,uint8,uint256,bool,uint256,int256,uint256,uint256,uint8,uint256)',
    values: (m) => pick(m, INTENT_TYPES.TpSlReq.TpSlReq),
  },
  // Struct order differs from the typehash order (docs/avantis.md v2 §2).
  DelegateReq: {
    type: 'tuple(address,address,uint256,string,uint256,uint256)',
    values: (m) => [m.trader, m.delegate, m.expiry, m.tnc, m.deadline, m.nonce],
  },
};

const coder = AbiCoder.defaultAbiCoder();

// One encoder per kind: building one parses the types again, which was a sixth of a copy's signing
// time in a 100-copy burst.
const encoders = new Map<IntentKind, TypedDataEncoder>();
const encoderOf = (kind: IntentKind): TypedDataEncoder => {
  let encoder = encoders.get(kind);
  if (!encoder) encoders.set(kind, (encoder = TypedDataEncoder.from(INTENT_TYPES[kind])));
  return encoder;
};

export function intentStructHash(kind: IntentKind, message: object): string {
  return encoderOf(kind).hash(message as Msg);
}

/** EIP-712: keccak256(0x1901 ‖ domainSeparator ‖ structHash), as TypedDataEncoder.hash computes it. */
export function intentDigest(kind: IntentKind, domain: TradingDomain, message: object): string {
  return keccak256(concat(['0x1901', TypedDataEncoder.hashDomain(domain), intentStructHash(kind, message)]));
}

/** `erc712.userIntent` of the batched-market body: `abi.encode(struct)`. */
export function encodeIntent(kind: IntentKind, message: object): string {
  const layout = ABI_LAYOUT[kind];
  return coder.encode([layout.type], [layout.values(message as Msg)]);
}

const TRADE_NAMES = TRADE.map((x) => x.name);
const UPS_NAMES = UPDATE_POSITION_SIZE.map((x) => x.name);
const zip = (names: readonly string[], values: readonly unknown[]): Msg =>
  Object.fromEntries(names.map((n, i) => [n, normalise(values[i])]));
function normalise(v: unknown): unknown {
  return typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v) ? getAddress(v) : v;
}

/**
 * The message back from a `userIntent` (the service's view of a POST body). uint8 fields come
 * back as numbers, every other integer as bigint. Throws on bytes that do not decode as `kind`.
 */
export function decodeIntent(kind: IntentKind, encoded: string): Msg {
  const [tuple] = coder.decode([ABI_LAYOUT[kind].type], encoded) as unknown as [unknown[]];
  const t = [...tuple];
  const fields = INTENT_TYPES[kind][
    kind as keyof (typeof INTENT_TYPES)[typeof kind]
  ] as readonly TypedDataField[];
  const u8 = (x: unknown) => Number(x);
  switch (kind) {
    case 'OpenTradeReq':
    case 'OpenTradeCoinExposureReq': {
      const [trade, type, ...rest] = t;
      return {
        _t: zip(TRADE_NAMES, trade as unknown[]),
        _type: u8(type),
        ...zip(
          fields.slice(2).map((x) => x.name),
          rest,
        ),
      };
    }
    case 'IncreasePositionSizeReq':
    case 'IncreasePositionSizeWithCoinExposureReq': {
      const [info, ...rest] = t;
      return {
        _updateInfo: zip(UPS_NAMES, info as unknown[]),
        ...zip(
          fields.slice(1).map((x) => x.name),
          rest,
        ),
      };
    }
    case 'DelegateReq': {
      const [trader, delegate, expiry, tnc, deadline, nonce] = t;
      return zip(
        ['trader', 'delegate', 'expiry', 'tnc', 'deadline', 'nonce'],
        [trader, delegate, expiry, tnc, deadline, nonce],
      );
    }
    case 'TpSlReq': {
      const m = zip(
        fields.map((x) => x.name),
        t,
      );
      return { ...m, triggerType: u8(m.triggerType), orderType: u8(m.orderType) };
    }
    default:
      return zip(
        fields.map((x) => x.name),
        t,
      );
  }
}

/** Batched-market `orderType` values (docs/avantis.md v2 §3 OrderType enum) and the intent each one carries. */
export const BATCHED_ORDER_TYPES = {
  MARKET_OPEN: 0,
  MARKET_CLOSE: 1,
  MARKET_OPEN_PNL: 6,
  MARKET_CLOSE_PNL: 7,
  INCREASE_SIZE: 9,
  MARKET_OPEN_WITH_COIN_EXPOSURE: 12,
  MARKET_OPEN_PNL_WITH_COIN_EXPOSURE: 13,
  INCREASE_SIZE_WITH_COIN_EXPOSURE: 14,
  MARKET_CLOSE_WITH_COIN_EXPOSURE: 15,
  MARKET_CLOSE_PNL_WITH_COIN_EXPOSURE: 16,
} as const;

/** What the batched-market service accepts (docs/avantis.md v2 §4); any other orderType is a 400. */
export const INTENT_OF_ORDER_TYPE: Readonly<Record<number, IntentKind>> = {
  0: 'OpenTradeReq',
  6: 'OpenTradeReq',
  12: 'OpenTradeCoinExposureReq',
  13: 'OpenTradeCoinExposureReq',
  1: 'CloseTradeReq',
  7: 'CloseTradeReq',
  15: 'CloseTradeCoinExposureReq',
  16: 'CloseTradeCoinExposureReq',
  9: 'IncreasePositionSizeReq',
  14: 'IncreasePositionSizeWithCoinExposureReq',
};

/** Open-order `_type` inside OpenTradeReq (not the batched orderType). */
export const OPEN_ORDER_TYPE = { MARKET: 0, STOP_LIMIT: 1, LIMIT: 2, MARKET_PNL: 3 } as const;

/** Permit2-style bitmap position of an unordered nonce: word = nonce >> 8, bit = nonce & 0xff. */
export function noncePosition(nonce: bigint): { readonly wordPos: bigint; readonly bit: number } {
  return { wordPos: nonce >> 8n, bit: Number(nonce & 0xffn) };
}
