// ABIs of the local Avantis-compatible contracts (from the compile output) and the typed helpers
// the deployer, simulator and tests share: the Trade struct, scales and enums, and a decoder that
// turns receipt logs into typed events, checking each comes from the contract Avantis emits it from.
import { Interface, type Log, type Result } from 'ethers';
import type { TradeInput } from '#core/domain/avantis/intents.js';
import { compileContracts, type CompiledContract, type ContractName } from './compile.js';

/** Price, leverage and percent scale (Avantis PRECISION). */
export const PRECISION = 10n ** 10n;
/** USDC has 6 decimals. */
export const USDC_UNIT = 10n ** 6n;

/** LimitExecuted.orderType and executeLimit's orderType. */
export const LIMIT_ORDER = { TP: 0, SL: 1, LIQ: 2 } as const;

/** Avantis' Trade struct, field order as on Base: the one definition the signed intents use. */
export type Trade = TradeInput;

/** Where each local contract lives. */
export interface AvantisAddresses {
  readonly usdc: string;
  readonly pairStorage: string;
  readonly priceFeed: string;
  readonly tradingStorage: string;
  readonly pairInfos: string;
  readonly tradingCallbacks: string;
  readonly trading: string;
  /** The v2 TradingRouter proxy: the EIP-712 verifyingContract; reverts NotLive() before the upgrade. */
  readonly tradingRouter: string;
  /** Admin of every proxy; upgradeAll moves them all to v2 in one transaction. */
  readonly proxyAdmin: string;
}

let compiled: Readonly<Record<ContractName, CompiledContract>> | undefined;
const interfaces = new Map<ContractName, Interface>();

export function artifacts(): Readonly<Record<ContractName, CompiledContract>> {
  compiled ??= compileContracts().contracts;
  return compiled;
}

export function contractInterface(name: ContractName): Interface {
  let iface = interfaces.get(name);
  if (!iface) {
    iface = new Interface(artifacts()[name].abi);
    interfaces.set(name, iface);
  }
  return iface;
}

/** A Trade from an ethers Result (a decoded tuple or a view's return value). */
export function toTrade(r: Result): Trade {
  return {
    trader: String(r[0]),
    pairIndex: BigInt(r[1] as bigint),
    index: BigInt(r[2] as bigint),
    initialPosToken: BigInt(r[3] as bigint),
    positionSizeUSDC: BigInt(r[4] as bigint),
    openPrice: BigInt(r[5] as bigint),
    buy: Boolean(r[6]),
    leverage: BigInt(r[7] as bigint),
    tp: BigInt(r[8] as bigint),
    sl: BigInt(r[9] as bigint),
    timestamp: BigInt(r[10] as bigint),
  };
}

/** The openTrade argument in the SDK convention: collateral in positionSizeUSDC, wanted price in openPrice. */
export function openTradeInput(o: {
  trader: string;
  pairIndex: number | bigint;
  collateral: bigint;
  wantedPrice: bigint;
  buy: boolean;
  leverage: bigint;
  tp?: bigint;
  sl?: bigint;
}): Trade {
  return {
    trader: o.trader,
    pairIndex: BigInt(o.pairIndex),
    index: 0n,
    initialPosToken: 0n,
    positionSizeUSDC: o.collateral,
    openPrice: o.wantedPrice,
    buy: o.buy,
    leverage: o.leverage,
    tp: o.tp ?? 0n,
    sl: o.sl ?? 0n,
    timestamp: 0n,
  };
}

interface EventBase {
  readonly address: string;
  readonly logIndex: number;
  readonly transactionHash: string;
  readonly blockNumber: number;
}

export type AvantisEvent = EventBase &
  (
    | {
        readonly kind: 'Trading.MarketOrderInitiated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly open: boolean;
        readonly orderId: bigint;
        readonly timestamp: bigint;
        readonly isBuy: boolean;
        readonly isPnl: boolean;
        readonly initialPosToken: bigint;
        readonly leverage: bigint;
      }
    | {
        readonly kind: 'Trading.LimitOrderInitiated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly orderId: bigint;
        readonly timestamp: bigint;
      }
    | {
        readonly kind: 'Trading.TpUpdated' | 'Trading.SlUpdated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        /** newTp or newSl. */
        readonly price: bigint;
        readonly timestamp: bigint;
      }
    | {
        readonly kind: 'Trading.MarginUpdated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        readonly type: number;
        readonly newTrade: Trade;
        readonly marginFees: bigint;
      }
    | {
        readonly kind: 'TradingCallbacks.MarketExecuted';
        readonly orderId: bigint;
        readonly t: Trade;
        readonly open: boolean;
        readonly price: bigint;
        readonly positionSizeUSDC: bigint;
        readonly percentProfit: bigint;
        readonly usdcSentToTrader: bigint;
        readonly isPnl: boolean;
      }
    | {
        readonly kind: 'TradingCallbacks.LimitExecuted';
        readonly orderId: bigint;
        readonly limitIndex: bigint;
        readonly t: Trade;
        readonly orderType: number;
        readonly price: bigint;
        readonly positionSizeUSDC: bigint;
        readonly percentProfit: bigint;
        readonly usdcSentToTrader: bigint;
        readonly isPnl: boolean;
      }
    | {
        readonly kind: 'TradingCallbacks.MarketOpenCanceled';
        readonly orderId: bigint;
        readonly trader: string;
        readonly pairIndex: bigint;
      }
    | {
        readonly kind: 'TradingStorage.FeesCharged';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly buy: boolean;
        readonly fee: bigint;
      }
    | {
        readonly kind: 'PairInfos.FeesCharged';
        readonly buy: boolean;
        readonly collateral: bigint;
        readonly leverage: bigint;
        readonly percentProfit: bigint;
        readonly rolloverFee: bigint;
        readonly closingFee: bigint;
        readonly lossProtection: bigint;
      }
  );

export type AvantisEventKind = AvantisEvent['kind'];
type EventOf<K extends AvantisEventKind> = Extract<AvantisEvent, { kind: K }>;

/** Which ABI decodes the logs at each address, and the label the event kinds are named with. */
export type Emitters = readonly (readonly [keyof AvantisAddresses, string, ContractName])[];

const EMITTERS: Emitters = [
  ['trading', 'Trading', 'Trading'],
  ['tradingCallbacks', 'TradingCallbacks', 'TradingCallbacks'],
  ['tradingStorage', 'TradingStorage', 'TradingStorage'],
  ['pairInfos', 'PairInfos', 'PairInfos'],
];

export const big = (r: Result, k: string): bigint => BigInt(r.getValue(k) as bigint);
export const bool = (r: Result, k: string): boolean => Boolean(r.getValue(k));
export const str = (r: Result, k: string): string => String(r.getValue(k));

function typed(kind: string, a: Result): Record<string, unknown> | undefined {
  switch (kind) {
    case 'Trading.MarketOrderInitiated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        open: bool(a, 'open'),
        orderId: big(a, 'orderId'),
        timestamp: big(a, 'timestamp'),
        isBuy: bool(a, 'isBuy'),
        isPnl: bool(a, 'isPnl'),
        initialPosToken: big(a, 'initialPosToken'),
        leverage: big(a, 'leverage'),
      };
    case 'Trading.LimitOrderInitiated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        orderId: big(a, 'orderId'),
        timestamp: big(a, 'timestamp'),
      };
    case 'Trading.TpUpdated':
    case 'Trading.SlUpdated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        price: big(a, kind === 'Trading.TpUpdated' ? 'newTp' : 'newSl'),
        timestamp: big(a, 'timestamp'),
      };
    case 'Trading.MarginUpdated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        type: Number(a.getValue('_type')),
        newTrade: toTrade(a.getValue('newTrade') as Result),
        marginFees: big(a, 'marginFees'),
      };
    case 'TradingCallbacks.MarketExecuted':
      return {
        orderId: big(a, 'orderId'),
        t: toTrade(a.getValue('t') as Result),
        open: bool(a, 'open'),
        price: big(a, 'price'),
        positionSizeUSDC: big(a, 'positionSizeUSDC'),
        percentProfit: big(a, 'percentProfit'),
        usdcSentToTrader: big(a, 'usdcSentToTrader'),
        isPnl: bool(a, 'isPnl'),
      };
    case 'TradingCallbacks.LimitExecuted':
      return {
        orderId: big(a, 'orderId'),
        limitIndex: big(a, 'limitIndex'),
        t: toTrade(a.getValue('t') as Result),
        orderType: Number(a.getValue('orderType')),
        price: big(a, 'price'),
        positionSizeUSDC: big(a, 'positionSizeUSDC'),
        percentProfit: big(a, 'percentProfit'),
        usdcSentToTrader: big(a, 'usdcSentToTrader'),
        isPnl: bool(a, 'isPnl'),
      };
    case 'TradingCallbacks.MarketOpenCanceled':
      return { orderId: big(a, 'orderId'), trader: str(a, 'trader'), pairIndex: big(a, 'pairIndex') };
    case 'TradingStorage.FeesCharged':
      return {
        trader: str(a, '_trader'),
        pairIndex: big(a, '_pairIndex'),
        buy: bool(a, '_buy'),
        fee: big(a, 'fee'),
      };
    case 'PairInfos.FeesCharged':
      return {
        buy: bool(a, 'buy'),
        collateral: big(a, 'collateral'),
        leverage: big(a, 'leverage'),
        percentProfit: big(a, 'percentProfit'),
        rolloverFee: big(a, 'r'),
        closingFee: big(a, 'closingFee'),
        lossProtection: big(a, 'lossProtection'),
      };
    default:
      return undefined;
  }
}

/**
 * The Avantis events among `logs`, typed, in log order. A log is decoded only with the ABI of the
 * contract at its address, so an event from the wrong contract is simply not found.
 */
export function decodeAvantisLogs(logs: readonly Log[], addresses: AvantisAddresses): AvantisEvent[] {
  return decodeLogsWith<AvantisEvent>(logs, addresses, EMITTERS, typed);
}

/**
 * The decode loop both layouts share (v1 here, v2 in v2.ts): each log parsed with the ABI of its
 * address, named `<label>.<event>`, and kept when `typed` knows the kind. `E` is the caller's union
 * of event shapes, which `typed` is written to produce.
 */
export function decodeLogsWith<E>(
  logs: readonly Log[],
  addresses: AvantisAddresses,
  emitters: Emitters,
  typed: (kind: string, args: Result) => Record<string, unknown> | undefined,
): E[] {
  const byAddress = new Map(
    emitters.map(([key, label, name]) => [addresses[key].toLowerCase(), [label, name] as const]),
  );
  const events: E[] = [];
  for (const log of logs) {
    const emitter = byAddress.get(log.address.toLowerCase());
    if (!emitter) continue;
    const parsed = contractInterface(emitter[1]).parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) continue;
    const kind = `${emitter[0]}.${parsed.name}`;
    const fields = typed(kind, parsed.args);
    if (!fields) continue;
    events.push({
      kind,
      address: log.address.toLowerCase(),
      logIndex: log.index,
      transactionHash: log.transactionHash,
      blockNumber: log.blockNumber,
      ...fields,
    } as E);
  }
  return events;
}

/** The events of one kind, typed. */
export function eventsOf<K extends AvantisEventKind>(events: readonly AvantisEvent[], kind: K): EventOf<K>[] {
  return events.filter((e): e is EventOf<K> => e.kind === kind);
}
