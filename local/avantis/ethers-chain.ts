// The MarketChain port on the local Avantis v2 contracts (local/chain/contracts, behind their
// proxies), with ethers v6: the relayer sends the router's *WithSig calls from its own dev account,
// the keeper fills with TradingCallbacks.executeMarketOrder and triggers Trading.executeLimit from
// another, each through a NonceSender (no nonce races, explicit gas). Every call is simulated by
// eth_call first so a revert becomes a ChainRevert with the custom-error name and nothing is mined.
// For TP/SL/liquidations it keeps an index of open trades, refreshed from the Trading and
// TradingCallbacks logs of each new block (v1.5 and v2 layouts both: positions span the upgrade).
import {
  AbiCoder,
  Interface,
  LogDescription,
  isCallException,
  verifyTypedData,
  zeroPadValue,
  type BaseWallet,
  type EventFragment,
  type JsonRpcProvider,
  type Log,
  type Result,
  type TransactionReceipt,
} from 'ethers';
import { INTENT_TYPES, decodeIntent, tradingDomain, type IntentKind } from '#core/domain/avantis/intents.js';
import { contractInterface } from '../chain/abi.js';
import { isUpgradedToV2 } from '../chain/deploy.js';
import { NonceSender, waitReceipt } from '../chain/tx.js';
import {
  ChainRevert,
  type ChainTrade,
  type Delegation,
  type EarlierSubmission,
  type Initiation,
  type LimitTrigger,
  type MarketChain,
  type Mined,
  type OpenPosition,
  type PendingOrder,
  type Settlement,
  type SignedIntent,
} from './chain.js';

export interface EthersChainAddresses {
  readonly tradingRouter: string;
  readonly trading: string;
  readonly tradingCallbacks: string;
  readonly tradingStorage: string;
  readonly priceFeed: string;
}

export interface EthersChainOptions {
  readonly provider: JsonRpcProvider;
  readonly chainId: number;
  readonly addresses: EthersChainAddresses;
  /** Submits intents and delegate registrations (pays gas: gasless for traders). */
  readonly relayer: BaseWallet;
  /** A keeper registered on TradingCallbacks (setKeeper). */
  readonly keeper: BaseWallet;
  /** First block whose logs can hold a trade (the deployment). */
  readonly fromBlock: number;
  /** How long a send waits for its receipt before the attempt counts as failed (default 60 s). */
  readonly receiptTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

const GAS = { router: 1_500_000n, keeper: 2_000_000n, delegate: 300_000n } as const;
const INTENT_KIND: Readonly<Record<SignedIntent['action'], IntentKind>> = {
  open: 'OpenTradeReq',
  close: 'CloseTradeReq',
  increase: 'IncreasePositionSizeReq',
};
const ROUTER_FN = {
  open: 'openTradeWithSig',
  close: 'closeTradeWithSig',
  increase: 'increasePositionWithSig',
} as const;
/** Liquidation checks by eth_call only for trades that lost at least this share of collateral. */
const LIQ_PREFILTER_PCT = 50n;
const P10 = 10n ** 10n;

const big = (r: Result, k: string): bigint => BigInt(r.getValue(k) as bigint);
const bool = (r: Result, k: string): boolean => Boolean(r.getValue(k));

function toTrade(r: Result): ChainTrade {
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

export class EthersMarketChain implements MarketChain {
  readonly chainId: number;
  readonly tradingRouter: string;
  private readonly provider: JsonRpcProvider;
  private readonly a: EthersChainAddresses;
  private readonly relayer: NonceSender;
  private readonly keeper: NonceSender;
  private readonly say: (line: string) => void;
  private readonly receiptTimeoutMs: number;
  private readonly router = contractInterface('TradingRouter');
  private readonly trading = contractInterface('TradingV2');
  private readonly callbacks = contractInterface('TradingCallbacksV2');
  private readonly storage = contractInterface('TradingStorageV2');
  private readonly feed = contractInterface('PriceFeed');
  /** Every custom error any of them can revert with, for decoding. */
  private readonly errors: Interface;
  /** Decoders for the logs of Trading and TradingCallbacks in both eras. */
  private readonly logDecoders: readonly Interface[];
  private scannedTo: number;
  /** Open trades by `trader:pairIndex`, refreshed when a log touches that pair of the trader. */
  private readonly openTrades = new Map<string, readonly ChainTrade[]>();

  constructor(opts: EthersChainOptions) {
    this.provider = opts.provider;
    this.chainId = opts.chainId;
    this.a = opts.addresses;
    this.tradingRouter = opts.addresses.tradingRouter;
    this.relayer = new NonceSender(opts.relayer, opts.provider);
    this.keeper = new NonceSender(opts.keeper, opts.provider);
    this.scannedTo = opts.fromBlock - 1;
    this.say = opts.log ?? (() => undefined);
    this.receiptTimeoutMs = opts.receiptTimeoutMs ?? 60_000;
    const errorFragments = new Map<string, string>();
    for (const iface of [this.router, this.trading, this.callbacks, this.storage]) {
      iface.forEachError((e) => errorFragments.set(e.selector, e.format('full')));
    }
    this.errors = new Interface([...errorFragments.values()]);
    this.logDecoders = [
      this.trading,
      this.callbacks,
      contractInterface('Trading'),
      contractInterface('TradingCallbacks'),
    ];
  }

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async blockTimestamp(): Promise<bigint> {
    const b = await this.provider.getBlock('latest');
    return BigInt(b?.timestamp ?? Math.floor(Date.now() / 1000));
  }

  // ---- the relayer ----

  /** Calldata of intents seen lately: the precheck's simulation and the submission build the same. */
  private readonly calldata = new Map<string, string>();

  private routerCall(intent: SignedIntent): string {
    const key = `${intent.action}:${intent.userIntent}:${intent.signature}`;
    const hit = this.calldata.get(key);
    if (hit !== undefined) return hit;
    const fn = this.router.getFunction(ROUTER_FN[intent.action]);
    if (!fn) throw new Error(`TradingRouter has no ${ROUTER_FN[intent.action]}`);
    const [req] = AbiCoder.defaultAbiCoder().decode([fn.inputs[0]!], intent.userIntent);
    const data = this.router.encodeFunctionData(fn, [req, intent.signature]);
    // Bounded: a pure function of its key, so forgetting all of it only costs a re-encode.
    if (this.calldata.size >= 2_000) this.calldata.clear();
    this.calldata.set(key, data);
    return data;
  }

  async simulate(intent: SignedIntent): Promise<void> {
    await this.call(this.relayer.address, this.a.tradingRouter, this.routerCall(intent));
  }

  async submit(intent: SignedIntent): Promise<Mined<Initiation>> {
    const data = this.routerCall(intent);
    await this.call(this.relayer.address, this.a.tradingRouter, data);
    const receipt = await this.send(this.relayer, this.a.tradingRouter, data, GAS.router);
    return this.initiationIn(receipt);
  }

  private initiationIn(receipt: TransactionReceipt): Mined<Initiation> {
    const initiation = this.decode(receipt.logs, this.a.trading, this.trading)
      .map((d) => initiationOf(d))
      .find((x) => x !== undefined);
    if (!initiation) throw new ChainRevert('TX_NOT_EXECUTED', `no order registered in ${receipt.hash}`);
    return { value: initiation, transactionHash: receipt.hash, block: receipt.blockNumber };
  }

  async findSubmitted(intent: SignedIntent, fromBlock: number): Promise<EarlierSubmission | undefined> {
    const kind = INTENT_KIND[intent.action];
    const message = decodeIntent(kind, intent.userIntent);
    let signer: string;
    try {
      signer = verifyTypedData(
        tradingDomain(this.chainId, this.a.tradingRouter),
        INTENT_TYPES[kind],
        message,
        intent.signature,
      );
    } catch {
      return undefined; // a signature that recovers to nobody was never registered
    }
    const nonce = BigInt(message._nonce as bigint);
    const topic = this.router.getEvent('NonceUsed')?.topicHash;
    if (!topic) throw new Error('TradingRouter has no NonceUsed event');
    const logs = await this.provider.getLogs({
      address: this.a.tradingRouter,
      topics: [topic, zeroPadValue(signer, 32)],
      fromBlock: Math.max(0, fromBlock),
      toBlock: 'latest',
    });
    const used = logs.find((l) => {
      const d = parse(this.router, l);
      return d !== null && BigInt(d.args.getValue('nonce') as bigint) === nonce;
    });
    if (!used) return undefined;
    const [tx, receipt] = await Promise.all([
      this.provider.getTransaction(used.transactionHash),
      this.provider.getTransactionReceipt(used.transactionHash),
    ]);
    // Only this relayer's transaction carrying this very intent is an earlier attempt of it; a nonce
    // used by anything else stays the InvalidNonce it is.
    const ours =
      tx !== null &&
      tx.from.toLowerCase() === this.relayer.address.toLowerCase() &&
      tx.data.toLowerCase() === this.routerCall(intent).toLowerCase();
    if (!ours || receipt?.status !== 1) return undefined;
    const initiation = this.initiationIn(receipt);
    const settlement = await this.settlementOf(initiation.value.orderId, initiation.block);
    return { initiation, ...(settlement ? { settlement } : {}) };
  }

  async settlementOf(orderId: bigint, fromBlock: number): Promise<Mined<Settlement> | undefined> {
    const logs = await this.provider.getLogs({
      address: this.a.tradingCallbacks,
      fromBlock,
      toBlock: 'latest',
    });
    for (const log of logs) {
      const d = parse(this.callbacks, log);
      const settlement = d ? settlementOf(d) : undefined;
      if (settlement?.orderId === orderId) {
        return { value: settlement, transactionHash: log.transactionHash, block: log.blockNumber };
      }
    }
    return undefined;
  }

  async simulateSetDelegate(signature: string, encodedIntent: string): Promise<void> {
    const data = this.router.encodeFunctionData('setDelegateWithSig', [signature, encodedIntent]);
    await this.call(this.relayer.address, this.a.tradingRouter, data);
  }

  async setDelegateWithSig(signature: string, encodedIntent: string): Promise<string> {
    const data = this.router.encodeFunctionData('setDelegateWithSig', [signature, encodedIntent]);
    await this.call(this.relayer.address, this.a.tradingRouter, data);
    return (await this.send(this.relayer, this.a.tradingRouter, data, GAS.delegate)).hash;
  }

  // ---- the keeper ----

  async pendingOrders(known?: ReadonlyMap<bigint, number>): Promise<readonly PendingOrder[]> {
    if (!(await this.isV2())) return []; // v1.5 fills in the trader's own transaction
    let ids: bigint[];
    try {
      const out = await this.view(this.storage, this.a.tradingStorage, 'pendingOrderIds', []);
      ids = (out[0] as bigint[]).map((x) => BigInt(x));
    } catch {
      return []; // v1.5 storage: nothing is ever pending
    }
    // One eth_call per order the service did not register itself: in a burst of copies hundreds
    // are pending, and reading each one back every block cost anvil hundreds of eth_calls a block.
    const orders = await Promise.all(
      ids.map(async (orderId) => {
        const block = known?.get(orderId);
        if (block !== undefined) return { orderId, block };
        const [o] = await this.view(this.storage, this.a.tradingStorage, 'pendingOrder', [orderId]);
        return { orderId, block: Number((o as Result).getValue('blockNumber') as bigint) };
      }),
    );
    return orders;
  }

  async executeMarketOrder(orderId: bigint): Promise<Mined<Settlement>> {
    return this.settle('executeMarketOrder', orderId);
  }

  async cancelMarketOrder(orderId: bigint): Promise<Mined<Settlement>> {
    if (!this.callbacks.getFunction('cancelMarketOrder')) {
      throw new ChainRevert(
        'NOT_SUPPORTED',
        'TradingCallbacks has no cancelMarketOrder (docs/local-avantis.md)',
      );
    }
    return this.settle('cancelMarketOrder', orderId);
  }

  private async settle(fn: string, orderId: bigint): Promise<Mined<Settlement>> {
    const data = this.callbacks.encodeFunctionData(fn, [orderId]);
    await this.call(this.keeper.address, this.a.tradingCallbacks, data);
    const receipt = await this.send(this.keeper, this.a.tradingCallbacks, data, GAS.keeper);
    const settlement = this.decode(receipt.logs, this.a.tradingCallbacks, this.callbacks)
      .map((d) => settlementOf(d))
      .find((x) => x !== undefined && x.orderId === orderId);
    if (!settlement)
      throw new ChainRevert('TX_NOT_EXECUTED', `order ${orderId} not settled in ${receipt.hash}`);
    return { value: settlement, transactionHash: receipt.hash, block: receipt.blockNumber };
  }

  async limitTriggers(): Promise<readonly LimitTrigger[]> {
    // Before the upgrade the v1.5 era has its own keeper (the simulator's): stay out of its way.
    if (!(await this.isV2())) return [];
    await this.refreshOpenTrades();
    const trades = [...this.openTrades.values()].flat();
    if (trades.length === 0) return [];
    const prices = new Map<bigint, bigint | undefined>();
    await Promise.all(
      [...new Set(trades.map((t) => t.pairIndex))].map(async (p) => prices.set(p, await this.price(p))),
    );
    const candidates: LimitTrigger[] = [];
    for (const t of trades) {
      const price = prices.get(t.pairIndex);
      if (price === undefined || t.openPrice === 0n) continue;
      const base = { trader: t.trader, pairIndex: t.pairIndex, index: t.index };
      if (t.tp > 0n && (t.buy ? price >= t.tp : price <= t.tp)) candidates.push({ ...base, orderType: 0 });
      else if (t.sl > 0n && (t.buy ? price <= t.sl : price >= t.sl))
        candidates.push({ ...base, orderType: 1 });
      else {
        // Loss in percent of collateral from the price move alone; the contract adds the fees.
        const move =
          ((t.buy ? price - t.openPrice : t.openPrice - price) * 100n * t.leverage) / (t.openPrice * P10);
        if (move <= -LIQ_PREFILTER_PCT) candidates.push({ ...base, orderType: 2 });
      }
    }
    // The contract's own check decides (fees, funding, the max-gain cap).
    const confirmed = await Promise.all(
      candidates.map(async (c) => {
        try {
          const [ok] = await this.view(this.callbacks, this.a.tradingCallbacks, 'canExecute', [
            c.trader,
            c.pairIndex,
            c.index,
            c.orderType,
          ]);
          return ok ? c : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return confirmed.filter((c): c is LimitTrigger => c !== undefined);
  }

  async executeLimit(t: LimitTrigger): Promise<string> {
    const data = this.trading.encodeFunctionData('executeLimit', [
      t.trader,
      t.pairIndex,
      t.index,
      t.orderType,
    ]);
    await this.call(this.keeper.address, this.a.trading, data);
    const receipt = await this.send(this.keeper, this.a.trading, data, GAS.keeper);
    this.openTrades.delete(`${t.trader.toLowerCase()}:${t.pairIndex}`);
    return receipt.hash;
  }

  private v2 = false;
  private async isV2(): Promise<boolean> {
    this.v2 ||= await isUpgradedToV2(this.provider, this.a);
    return this.v2;
  }

  private refreshing: Promise<void> | undefined;
  /** One scan at a time: callers arriving during a scan wait for the next one, which covers them. */
  private refreshOpenTrades(): Promise<void> {
    const run = (): Promise<void> =>
      (this.refreshing = this.scanOpenTrades().finally(() => {
        this.refreshing = undefined;
      }));
    return this.refreshing
      ? this.refreshing.catch(() => undefined).then(() => this.refreshing ?? run())
      : run();
  }

  /** Re-reads the trades of every (trader, pair) a log touched since the last scan. */
  private async scanOpenTrades(): Promise<void> {
    const latest = await this.provider.getBlockNumber();
    if (latest <= this.scannedTo) return;
    const logs = await this.provider.getLogs({
      address: [this.a.trading, this.a.tradingCallbacks],
      fromBlock: this.scannedTo + 1,
      toBlock: latest,
    });
    this.scannedTo = latest;
    const touched = new Map<string, { trader: string; pairIndex: bigint }>();
    for (const log of logs) {
      for (const iface of this.logDecoders) {
        const d = parse(iface, log);
        if (!d) continue;
        const t = d.args.getValue('t') as Result | undefined;
        const trader = (
          d.fragment.inputs.some((i) => i.name === 'trader') ? d.args.getValue('trader') : t?.[0]
        ) as string | undefined;
        const pairIndex = (
          d.fragment.inputs.some((i) => i.name === 'pairIndex') ? d.args.getValue('pairIndex') : t?.[1]
        ) as bigint | undefined;
        if (trader && pairIndex !== undefined) {
          touched.set(`${trader.toLowerCase()}:${pairIndex}`, { trader, pairIndex: BigInt(pairIndex) });
        }
        break;
      }
    }
    await Promise.all(
      [...touched].map(async ([key, { trader, pairIndex }]) => {
        const trades = await this.tradesOf(trader, pairIndex);
        if (trades.length) this.openTrades.set(key, trades);
        else this.openTrades.delete(key);
      }),
    );
  }

  // ---- reads ----

  async price(pairIndex: bigint): Promise<bigint | undefined> {
    try {
      const [p] = await this.view(this.feed, this.a.priceFeed, 'getPrice', [pairIndex]);
      const price = BigInt(p as bigint);
      return price > 0n ? price : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Avantis' /user-data answers from its indexer, not with one chain read per pair: so does ours,
   * from the open-trade index the keeper keeps (brought to the head first, so a fill mined before
   * the call is in the answer). One read per pair per call made a burst of copies time out.
   */
  async openPositions(trader: string): Promise<readonly OpenPosition[]> {
    await this.refreshOpenTrades();
    const prefix = `${trader.toLowerCase()}:`;
    const all = [...this.openTrades].filter(([key]) => key.startsWith(prefix)).map(([, trades]) => trades);
    return all.flat().map((t) => ({
      trader: t.trader,
      pairIndex: t.pairIndex,
      index: t.index,
      buy: t.buy,
      collateral: t.initialPosToken,
      leverage: t.leverage,
      openPrice: t.openPrice,
      tp: t.tp,
      sl: t.sl,
      timestamp: t.timestamp,
    }));
  }

  /** Open trades of one trader on one pair: slots are filled lowest first, so stop at the count. */
  private async tradesOf(trader: string, pairIndex: bigint): Promise<ChainTrade[]> {
    const [countRaw] = await this.view(this.storage, this.a.tradingStorage, 'openTradesCount', [
      trader,
      pairIndex,
    ]);
    const count = Number(countRaw as bigint);
    if (count === 0) return [];
    const max = await this.maxTradesPerPair();
    const out: ChainTrade[] = [];
    // Read as many slots as trades are still missing (usually exactly the first `count`): a burst
    // of copies touches hundreds of traders' pairs per block, and eight reads each cost a core.
    for (let i = 0; i < max && out.length < count;) {
      const n = Math.min(count - out.length, max - i);
      const from = i;
      i += n;
      const slots = await Promise.all(
        Array.from({ length: n }, (_, k) =>
          this.view(this.storage, this.a.tradingStorage, 'openTrades', [trader, pairIndex, from + k]),
        ),
      );
      for (const [t] of slots) {
        const trade = toTrade(t as Result);
        if (trade.leverage > 0n) out.push(trade);
      }
    }
    return out;
  }

  private maxTrades: Promise<number> | undefined;
  /** A protocol constant (the upgrade keeps it): read once. */
  private maxTradesPerPair(): Promise<number> {
    this.maxTrades ??= this.view(this.storage, this.a.tradingStorage, 'maxTradesPerPair', []).then(([raw]) =>
      Number(raw as bigint),
    );
    this.maxTrades.catch(() => (this.maxTrades = undefined));
    return this.maxTrades;
  }

  async delegation(trader: string, delegate: string): Promise<Delegation> {
    const r = await this.view(this.router, this.a.tradingRouter, 'delegation', [trader, delegate]);
    return { isEnabled: Boolean(r[0]), expiry: BigInt(r[1] as bigint) };
  }

  // ---- plumbing ----

  private async view(iface: Interface, to: string, fn: string, args: unknown[]): Promise<Result> {
    const data = iface.encodeFunctionData(fn, args);
    return iface.decodeFunctionResult(fn, await this.call(undefined, to, data));
  }

  /**
   * eth_call against the pending block (where a transaction sent now lands, so the keeper's
   * "not in the registration block" check passes from the next block on); a revert becomes a
   * ChainRevert named after the custom error (or the reason text).
   */
  private async call(from: string | undefined, to: string, data: string): Promise<string> {
    try {
      return await this.provider.call({ ...(from ? { from } : {}), to, data, blockTag: 'pending' });
    } catch (err) {
      throw this.revertOf(err);
    }
  }

  private revertOf(err: unknown): unknown {
    if (!isCallException(err)) return err;
    if (err.revert?.name === 'Error' && typeof err.revert.args[0] === 'string') {
      return new ChainRevert(err.revert.args[0], err.revert.args[0]);
    }
    if (err.data && err.data !== '0x') {
      try {
        const parsed = this.errors.parseError(err.data);
        if (parsed) return new ChainRevert(parsed.name, `${parsed.name}()`);
      } catch {
        // unknown selector: fall through
      }
    }
    // An unknown selector is named by its 4 bytes, so that a revert nobody expected can be looked up.
    const selector = err.data && err.data !== '0x' ? ` (selector ${err.data.slice(0, 10)})` : '';
    return new ChainRevert('TX_NOT_EXECUTED', `${err.shortMessage}${selector}`);
  }

  private async send(
    sender: NonceSender,
    to: string,
    data: string,
    gasLimit: bigint,
  ): Promise<TransactionReceipt> {
    const receipt = await waitReceipt(
      this.provider,
      await sender.send({ to, data, gasLimit }),
      this.receiptTimeoutMs,
    );
    if (receipt.status !== 1) {
      this.say(`batched-market: ${receipt.hash} reverted after a clean simulation`);
      throw new ChainRevert('TX_NOT_EXECUTED', `transaction ${receipt.hash} reverted`);
    }
    return receipt;
  }

  private decode(logs: readonly Log[], address: string, iface: Interface): LogDescription[] {
    const out: LogDescription[] = [];
    for (const log of logs) {
      if (log.address.toLowerCase() !== address.toLowerCase()) continue;
      const d = parse(iface, log);
      if (d) out.push(d);
    }
    return out;
  }
}

/**
 * Each interface's events by topic hash. ethers' parseLog finds the event by hashing every event
 * signature of the ABI again on each call (topicHash is not cached): with several decoders tried
 * per log of every block that was about a sixth of this service's CPU in a burst of copies.
 */
const eventsByTopic = new WeakMap<Interface, ReadonlyMap<string, EventFragment>>();
function eventsOf(iface: Interface): ReadonlyMap<string, EventFragment> {
  let events = eventsByTopic.get(iface);
  if (!events) {
    const byTopic = new Map<string, EventFragment>();
    iface.forEachEvent((e) => {
      if (!e.anonymous && !byTopic.has(e.topicHash)) byTopic.set(e.topicHash, e);
    });
    eventsByTopic.set(iface, (events = byTopic));
  }
  return events;
}

/** What iface.parseLog answers (null for a log none of its events match or that does not decode). */
function parse(iface: Interface, log: Log): LogDescription | null {
  const topic = log.topics[0]?.toLowerCase();
  const fragment = topic === undefined ? undefined : eventsOf(iface).get(topic);
  if (!fragment || topic === undefined) return null;
  try {
    return new LogDescription(fragment, topic, iface.decodeEventLog(fragment, log.data, [...log.topics]));
  } catch {
    return null;
  }
}

function initiationOf(d: LogDescription): Initiation | undefined {
  const a = d.args;
  if (d.name === 'MarketOrderInitiated') {
    return {
      type: 'MarketOrderInitiated',
      orderId: big(a, 'orderId'),
      trader: String(a.getValue('trader')),
      pairIndex: big(a, 'pairIndex'),
      open: bool(a, 'open'),
      isBuy: bool(a, 'isBuy'),
      isPnl: bool(a, 'isPnl'),
    };
  }
  if (d.name === 'IncreasePositionRequested') {
    return {
      type: 'IncreasePositionRequested',
      orderId: big(a, 'orderId'),
      trader: String(a.getValue('trader')),
      pairIndex: big(a, 'pairIndex'),
      index: big(a, 'index'),
      isBuy: bool(a, 'isBuy'),
      isPnl: bool(a, 'isPnl'),
      addedCollateral: big(a, 'addedCollateral'),
      coinExposure: big(a, 'coinExposure'),
      isCoinExposureFixed: bool(a, 'isCoinExposureFixed'),
    };
  }
  return undefined;
}

function settlementOf(d: LogDescription): Settlement | undefined {
  const a = d.args;
  switch (d.name) {
    case 'MarketExecuted':
      return {
        type: 'MarketOrderExecuted',
        orderId: big(a, 'orderId'),
        open: bool(a, 'open'),
        price: big(a, 'price'),
        positionSizeUSDC: big(a, 'positionSizeUSDC'),
        percentProfit: big(a, 'percentProfit'),
        usdcSentToTrader: big(a, 'usdcSentToTrader'),
        isPnl: bool(a, 'isPnl'),
        coinExposure: big(a, 'coinExposure'),
        isCoinExposureFixed: bool(a, 'isCoinExposureFixed'),
        t: toTrade(a.getValue('t') as Result),
      };
    case 'PositionSizeIncreased':
      return {
        type: 'PositionSizeIncreased',
        orderId: big(a, 'orderId'),
        isPnl: bool(a, 'isPnl'),
        coinExposureAdded: big(a, 'coinExposureAdded'),
        isCoinExposureFixed: bool(a, 'isCoinExposureFixed'),
        t: toTrade(a.getValue('t') as Result),
      };
    // An increase the protocol declined ends the same way for the client (docs/avantis.md v2 §4: either flow).
    case 'MarketOpenCanceled':
    case 'MarketCloseCanceled':
    case 'IncreasePositionCanceled':
      return {
        type: 'MarketOrderCanceled',
        orderId: big(a, 'orderId'),
        trader: String(a.getValue('trader')),
        pairIndex: big(a, 'pairIndex'),
      };
    default:
      return undefined;
  }
}
