// Typed helpers for the local Avantis v2 contracts, for the batched-market service, the keeper, the
// simulator and the tests: router calldata from a `userIntent`, signing intents, decoding v2 receipt
// logs (orderId from MarketOrderInitiated, MarketExecuted, MarketOpenCanceled, ...), reading a
// trader's open trades, the latest oracle price and the pending market orders, and turning a revert
// into its custom-error name. Addresses are the proxies (docs/local-avantis.md).
import {
  AbiCoder,
  Interface,
  type BaseWallet,
  type JsonRpcProvider,
  type Log,
  type ParamType,
  type Result,
} from 'ethers';
import {
  encodeIntent,
  intentDigest,
  tradingDomain,
  type IntentKind,
  type IntentMessages,
} from '#core/domain/avantis/intents.js';
import {
  big,
  bool,
  contractInterface,
  decodeLogsWith,
  str,
  toTrade,
  type AvantisAddresses,
  type Emitters,
  type Trade,
} from './abi.js';
import type { ContractName } from './compile.js';
import { V2_PAIRS } from './pairs-v2.js';

/** TradingRouter.digestOf kinds. */
export const DIGEST_KIND = {
  OpenTradeReq: 0,
  CloseTradeReq: 1,
  IncreasePositionSizeReq: 2,
  DelegateReq: 3,
  UpdateTpSlReq: 4,
} as const;
/** PendingOrder.kind */
export const PENDING_KIND = { OPEN: 1, CLOSE: 2, INCREASE: 3 } as const;
/** Trading.updateMargin _type */
export const MARGIN = { DEPOSIT: 0, WITHDRAW: 1 } as const;

const coder = AbiCoder.defaultAbiCoder();

// ---- writes ----

/** The router function each signed intent kind goes to. */
const ROUTER_FN = {
  OpenTradeReq: 'openTradeWithSig',
  CloseTradeReq: 'closeTradeWithSig',
  IncreasePositionSizeReq: 'increasePositionWithSig',
  // [local] upstream this intent goes to the core API's price triggers.
  UpdateTpSlReq: 'updateTpSlWithSig',
} as const;
export type RoutedKind = keyof typeof ROUTER_FN;

/**
 * TradingRouter calldata for a batched-market body: `userIntent` is abi.encode(struct), exactly the
 * router function's first parameter, so it is decoded with that parameter's type and re-encoded.
 */
export function routerCalldata(kind: RoutedKind, userIntent: string, signature: string): string {
  const iface = contractInterface('TradingRouter');
  const fn = iface.getFunction(ROUTER_FN[kind]);
  const param = fn?.inputs[0];
  if (!fn || !param) throw new Error(`TradingRouter ABI without ${ROUTER_FN[kind]}`);
  const [req] = coder.decode([param as ParamType], userIntent);
  return iface.encodeFunctionData(fn, [req, signature]);
}

/** TradingRouter.setDelegateWithSig calldata (the SDK's gasless delegate registration). */
export function setDelegateWithSigCalldata(signature: string, encodedIntent: string): string {
  return contractInterface('TradingRouter').encodeFunctionData('setDelegateWithSig', [
    signature,
    encodedIntent,
  ]);
}

/** TradingRouter.delegatedAction(trader, Trading.updateMargin(...)) calldata, for a delegate in direct mode. */
export function delegatedMarginCalldata(
  trader: string,
  m: { pairIndex: number | bigint; index: number | bigint; type: number; amount: bigint },
): string {
  const inner = contractInterface('TradingV2').encodeFunctionData('updateMargin', [
    m.pairIndex,
    m.index,
    m.type,
    m.amount,
  ]);
  return contractInterface('TradingRouter').encodeFunctionData('delegatedAction', [trader, inner]);
}

export interface SignedIntent {
  readonly userIntent: string;
  readonly signature: string;
  readonly digest: string;
}

/** Signs an intent the way the SDK does: EIP-712 digest over the router domain, 65-byte r||s||v. */
export function signIntent<K extends keyof IntentMessages>(
  signer: BaseWallet,
  kind: K,
  domain: { chainId: number; tradingRouter: string },
  message: IntentMessages[K],
): SignedIntent {
  const d = tradingDomain(domain.chainId, domain.tradingRouter);
  const digest = intentDigest(kind as IntentKind, d, message);
  const signature = signer.signingKey.sign(digest).serialized;
  return { userIntent: encodeIntent(kind as IntentKind, message), signature, digest };
}

// ---- logs ----

interface EventBase {
  readonly address: string;
  readonly logIndex: number;
  readonly transactionHash: string;
  readonly blockNumber: number;
}

export type AvantisV2Event = EventBase &
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
        readonly wantedPrice: bigint;
      }
    | {
        readonly kind: 'Trading.IncreasePositionRequested';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        readonly orderId: bigint;
        readonly isBuy: boolean;
        readonly addedCollateral: bigint;
        readonly leverage: bigint;
      }
    | {
        readonly kind: 'Trading.TpUpdated' | 'Trading.SlUpdated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        /** newTp or newSl. */
        readonly price: bigint;
        readonly timestamp: bigint;
        readonly tradeOpenTimestamp: bigint;
      }
    | {
        readonly kind: 'Trading.LimitOrderInitiated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly orderId: bigint;
      }
    | {
        readonly kind: 'Trading.MarginUpdated';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        readonly type: number;
        readonly newTrade: Trade;
        readonly marginFees: bigint;
        readonly timestamp: bigint;
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
      }
    | {
        readonly kind: 'TradingCallbacks.MarketOpenCanceled';
        readonly orderId: bigint;
        readonly trader: string;
        readonly pairIndex: bigint;
      }
    | {
        readonly kind: 'TradingCallbacks.MarketCloseCanceled';
        readonly orderId: bigint;
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        readonly timestamp: bigint;
      }
    | {
        readonly kind: 'TradingCallbacks.IncreasePositionCanceled';
        readonly orderId: bigint;
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
      }
    | {
        readonly kind: 'TradingCallbacks.SpreadCharged';
        readonly trader: string;
        readonly pairIndex: bigint;
        readonly index: bigint;
        readonly open: boolean;
        readonly price: bigint;
        readonly spreadP: bigint;
        readonly spreadUsdc: bigint;
      }
    | {
        readonly kind: 'TradingCallbacks.PositionSizeIncreased';
        readonly orderId: bigint;
        readonly t: Trade;
        readonly price: bigint;
        readonly addedCollateral: bigint;
        readonly addedLeverage: bigint;
        readonly openingFee: bigint;
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
        readonly fundingFee: bigint;
      }
    | {
        readonly kind: 'TradingRouter.DelegateSet';
        readonly trader: string;
        readonly delegate: string;
        readonly expiry: bigint;
      }
    | { readonly kind: 'TradingRouter.DelegateRemoved'; readonly trader: string; readonly delegate: string }
    | { readonly kind: 'TradingRouter.NonceUsed'; readonly signer: string; readonly nonce: bigint }
  );

export type AvantisV2EventKind = AvantisV2Event['kind'];
export type V2EventOf<K extends AvantisV2EventKind> = Extract<AvantisV2Event, { kind: K }>;

const EMITTERS_V2: Emitters = [
  ['trading', 'Trading', 'TradingV2'],
  ['tradingCallbacks', 'TradingCallbacks', 'TradingCallbacksV2'],
  ['tradingStorage', 'TradingStorage', 'TradingStorageV2'],
  ['pairInfos', 'PairInfos', 'PairInfosV2'],
  ['tradingRouter', 'TradingRouter', 'TradingRouter'],
];

function typedV2(kind: string, a: Result): Record<string, unknown> | undefined {
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
        wantedPrice: big(a, 'wantedPrice'),
      };
    case 'Trading.IncreasePositionRequested':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        orderId: big(a, 'orderId'),
        isBuy: bool(a, 'isBuy'),
        addedCollateral: big(a, 'addedCollateral'),
        leverage: big(a, 'leverage'),
      };
    case 'Trading.TpUpdated':
    case 'Trading.SlUpdated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        price: big(a, kind === 'Trading.TpUpdated' ? 'newTp' : 'newSl'),
        timestamp: big(a, 'timestamp'),
        tradeOpenTimestamp: big(a, 'tradeOpenTimestamp'),
      };
    case 'Trading.LimitOrderInitiated':
      return { trader: str(a, 'trader'), pairIndex: big(a, 'pairIndex'), orderId: big(a, 'orderId') };
    case 'Trading.MarginUpdated':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        type: Number(a.getValue('_type')),
        newTrade: toTrade(a.getValue('newTrade') as Result),
        marginFees: big(a, 'marginFees'),
        timestamp: big(a, 'timestamp'),
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
      };
    case 'TradingCallbacks.MarketOpenCanceled':
      return { orderId: big(a, 'orderId'), trader: str(a, 'trader'), pairIndex: big(a, 'pairIndex') };
    case 'TradingCallbacks.MarketCloseCanceled':
      return {
        orderId: big(a, 'orderId'),
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        timestamp: big(a, 'timestamp'),
      };
    case 'TradingCallbacks.IncreasePositionCanceled':
      return {
        orderId: big(a, 'orderId'),
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
      };
    case 'TradingCallbacks.SpreadCharged':
      return {
        trader: str(a, 'trader'),
        pairIndex: big(a, 'pairIndex'),
        index: big(a, 'index'),
        open: bool(a, 'open'),
        price: big(a, 'price'),
        spreadP: big(a, 'spreadP'),
        spreadUsdc: big(a, 'spreadUsdc'),
      };
    case 'TradingCallbacks.PositionSizeIncreased':
      return {
        orderId: big(a, 'orderId'),
        t: toTrade(a.getValue('t') as Result),
        price: big(a, 'price'),
        addedCollateral: big(a, 'addedCollateral'),
        addedLeverage: big(a, 'addedLeverage'),
        openingFee: big(a, 'openingFee'),
      };
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
        fundingFee: big(a, 'fundingFee'),
      };
    case 'TradingRouter.DelegateSet':
      return { trader: str(a, 'trader'), delegate: str(a, 'delegate'), expiry: big(a, 'expiry') };
    case 'TradingRouter.DelegateRemoved':
      return { trader: str(a, 'trader'), delegate: str(a, 'delegate') };
    case 'TradingRouter.NonceUsed':
      return { signer: str(a, 'signer'), nonce: big(a, 'nonce') };
    default:
      return undefined;
  }
}

/** The v2 Avantis events among `logs`, typed, in log order; decoded only with the ABI of their address. */
export function decodeV2Logs(logs: readonly Log[], addresses: AvantisAddresses): AvantisV2Event[] {
  return decodeLogsWith<AvantisV2Event>(logs, addresses, EMITTERS_V2, typedV2);
}

export function v2EventsOf<K extends AvantisV2EventKind>(
  events: readonly AvantisV2Event[],
  kind: K,
): V2EventOf<K>[] {
  return events.filter((e): e is V2EventOf<K> => e.kind === kind);
}

/** The orderId a registration receipt carries (MarketOrderInitiated or IncreasePositionRequested). */
export function orderIdOf(logs: readonly Log[], addresses: AvantisAddresses): bigint | undefined {
  for (const e of decodeV2Logs(logs, addresses)) {
    if (e.kind === 'Trading.MarketOrderInitiated' || e.kind === 'Trading.IncreasePositionRequested')
      return e.orderId;
  }
  return undefined;
}

// ---- reverts ----

let errorsIface: Interface | undefined;
/** Every custom error of the v2 contracts, from their ABIs. */
function errorInterface(): Interface {
  if (!errorsIface) {
    const names: ContractName[] = [
      'TradingRouter',
      'TradingV2',
      'TradingCallbacksV2',
      'TradingStorageV2',
      'PairStorageV2',
      'NotLiveRouter',
    ];
    const seen = new Set<string>();
    const fragments = names.flatMap((n) =>
      contractInterface(n).fragments.filter((f) => {
        if (f.type !== 'error') return false;
        const sig = f.format('sighash');
        if (seen.has(sig)) return false;
        seen.add(sig);
        return true;
      }),
    );
    errorsIface = new Interface(fragments);
  }
  return errorsIface;
}

/** Finds revert data in an ethers error (call exception), a JSON-RPC error or a raw hex string. */
function revertData(err: unknown): string | undefined {
  if (typeof err === 'string') return /^0x[0-9a-fA-F]*$/.test(err) ? err : undefined;
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { data?: unknown; error?: unknown; info?: { error?: unknown } };
  for (const candidate of [e.data, e.error, e.info?.error]) {
    if (typeof candidate === 'string' && candidate.startsWith('0x')) return candidate;
    if (candidate && typeof candidate === 'object') {
      const inner = revertData(candidate);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * The name of a revert: a v2 custom error ('InvalidNonce', 'PositionMismatch', ...), the reason of
 * an Error(string) ('NOT_OWNER'), or undefined when the error carries no revert data.
 */
export function revertName(err: unknown): string | undefined {
  const data = revertData(err);
  if (!data || data === '0x') return undefined;
  const parsed = errorInterface().parseError(data);
  if (parsed) return parsed.name;
  if (data.startsWith('0x08c379a0')) {
    const [reason] = coder.decode(['string'], `0x${data.slice(10)}`);
    return String(reason);
  }
  return undefined;
}

// ---- reads ----

async function view(
  provider: JsonRpcProvider,
  name: ContractName,
  to: string,
  fn: string,
  args: unknown[],
): Promise<Result> {
  const iface = contractInterface(name);
  const out = await provider.call({ to, data: iface.encodeFunctionData(fn, args) });
  return iface.decodeFunctionResult(fn, out);
}

/** The latest oracle price of a pair (1e10); reverts NO_PRICE for a pair never priced. */
export async function latestPrice(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'priceFeed'>,
  pairIndex: number | bigint,
): Promise<bigint> {
  const [price] = await view(provider, 'PriceFeed', addresses.priceFeed, 'getPrice', [pairIndex]);
  return BigInt(price as bigint);
}

/** One open trade, in the shape of the core API's `/user-data` positions. */
export interface OpenPosition {
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly buy: boolean;
  /** USDC 1e6 */
  readonly collateral: bigint;
  /** 1e10 */
  readonly leverage: bigint;
  readonly openPrice: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  /** Trade.timestamp: the open timestamp a close must bind (refreshed by margin updates, increases, partial closes). */
  readonly timestamp: bigint;
}

/**
 * Every open trade of `trader` on the catalog's pairs (or `pairIndexes`): one openTradesCount per
 * pair, then the slots until that many were found (slots are reused, so there may be gaps).
 */
export async function openTradesOf(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingStorage'>,
  trader: string,
  pairIndexes: readonly number[] = V2_PAIRS.map((p) => p.index),
): Promise<OpenPosition[]> {
  const [maxRaw] = await view(provider, 'TradingStorage', addresses.tradingStorage, 'maxTradesPerPair', []);
  const max = Number(maxRaw as bigint);
  const counts = await Promise.all(
    pairIndexes.map(async (p) => {
      const [n] = await view(provider, 'TradingStorage', addresses.tradingStorage, 'openTradesCount', [
        trader,
        p,
      ]);
      return Number(n as bigint);
    }),
  );
  const out: OpenPosition[] = [];
  await Promise.all(
    pairIndexes.map(async (pairIndex, i) => {
      const want = counts[i] ?? 0;
      const found: OpenPosition[] = [];
      for (let index = 0; index < max && found.length < want; index += 4) {
        // Four slots per round trip; ethers batches concurrent calls into one HTTP request.
        const slots = [index, index + 1, index + 2, index + 3].filter((s) => s < max);
        const trades = await Promise.all(
          slots.map(async (s) => {
            const [t] = await view(provider, 'TradingStorage', addresses.tradingStorage, 'openTrades', [
              trader,
              pairIndex,
              s,
            ]);
            return toTrade(t as Result);
          }),
        );
        for (const t of trades) {
          if (t.leverage === 0n || found.length >= want) continue;
          found.push({
            trader: t.trader.toLowerCase(),
            pairIndex,
            index: Number(t.index),
            buy: t.buy,
            collateral: t.initialPosToken,
            leverage: t.leverage,
            openPrice: t.openPrice,
            tp: t.tp,
            sl: t.sl,
            timestamp: t.timestamp,
          });
        }
      }
      out.push(...found);
    }),
  );
  return out.sort((a, b) => a.pairIndex - b.pairIndex || a.index - b.index);
}

/** A registered market order the keeper has not filled or cancelled yet. */
export interface PendingMarketOrder {
  readonly orderId: bigint;
  /** PENDING_KIND: 1 open, 2 close, 3 increase. */
  readonly kind: number;
  readonly buy: boolean;
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly collateral: bigint;
  readonly leverage: bigint;
  readonly wantedPrice: bigint;
  readonly slippageP: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  readonly openTimestamp: bigint;
  /** Registered in this block; fillable from the next one. */
  readonly blockNumber: bigint;
}

/** Every pending market order, oldest registration first, so a keeper that (re)starts finds them all. */
export async function pendingOrders(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingStorage'>,
): Promise<PendingMarketOrder[]> {
  const [ids] = await view(provider, 'TradingStorageV2', addresses.tradingStorage, 'pendingOrderIds', []);
  const orders = await Promise.all(
    [...(ids as bigint[])].map(async (id) => {
      const [o] = await view(provider, 'TradingStorageV2', addresses.tradingStorage, 'pendingOrder', [id]);
      const r = o as Result;
      return {
        orderId: BigInt(id),
        kind: Number(r[0]),
        buy: Boolean(r[1]),
        trader: String(r[2]),
        pairIndex: BigInt(r[3] as bigint),
        index: BigInt(r[4] as bigint),
        collateral: BigInt(r[5] as bigint),
        leverage: BigInt(r[6] as bigint),
        wantedPrice: BigInt(r[7] as bigint),
        slippageP: BigInt(r[8] as bigint),
        tp: BigInt(r[9] as bigint),
        sl: BigInt(r[10] as bigint),
        openTimestamp: BigInt(r[11] as bigint),
        blockNumber: BigInt(r[12] as bigint),
      };
    }),
  );
  return orders.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
}

/** TradingRouter.delegation(trader, delegate). */
export async function delegationOf(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingRouter'>,
  trader: string,
  delegate: string,
): Promise<{ isEnabled: boolean; expiry: bigint }> {
  const r = await view(provider, 'TradingRouter', addresses.tradingRouter, 'delegation', [trader, delegate]);
  return { isEnabled: Boolean(r[0]), expiry: BigInt(r[1] as bigint) };
}

/** Whether `nonce` is used in `signer`'s bitmap. */
export async function isNonceUsed(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingRouter'>,
  signer: string,
  nonce: bigint,
): Promise<boolean> {
  const [used] = await view(provider, 'TradingRouter', addresses.tradingRouter, 'isNonceUsed', [
    signer,
    nonce,
  ]);
  return Boolean(used);
}

/** Whether a keeper may trigger TP (0), SL (1) or liquidation (2) on this trade now (v2 fees included). */
export async function canExecuteLimit(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingCallbacks'>,
  trade: { trader: string; pairIndex: number | bigint; index: number | bigint },
  orderType: number,
): Promise<boolean> {
  const [ok] = await view(provider, 'TradingCallbacksV2', addresses.tradingCallbacks, 'canExecute', [
    trade.trader,
    trade.pairIndex,
    trade.index,
    orderType,
  ]);
  return Boolean(ok);
}

/** Calldata of the keeper's two entries. */
export const keeperCalldata = {
  executeMarketOrder: (orderId: bigint): string =>
    contractInterface('TradingCallbacksV2').encodeFunctionData('executeMarketOrder', [orderId]),
  executeLimit: (
    trader: string,
    pairIndex: number | bigint,
    index: number | bigint,
    orderType: number,
  ): string =>
    contractInterface('TradingV2').encodeFunctionData('executeLimit', [trader, pairIndex, index, orderType]),
};
