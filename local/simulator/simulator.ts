// The deterministic market simulator: each tick it pushes the random-walk prices to PriceFeed, lets
// the keeper close trades whose TP/SL/liquidation is hit, and lets ~32 traders with distinct styles
// open, partially close, close and move TP/SL on the local Avantis contracts. Same seed, same
// sequence of actions and fills. One wallet per trader, one transaction per wallet per tick, each
// phase awaited before the next, so it works with anvil's automine and with `--block-time 1`.
//
// Once the chain runs v2 (the in-place upgrade, detected each tick) it trades the v2 way: every
// open, close and increase is an EIP-712 intent signed by the trader or, for a third of them, by
// a delegate registered at the switch (setDelegate or a relayed DelegateReq), handed to an injected
// `submit` (the batched-market service, or straight to the router), filled by a keeper a block later;
// margin updates are direct (delegates through delegatedAction). What happened is read back from
// the chain's logs, so an external keeper (the service's) works as well as the simulator's own.
import type { HDNodeWallet, JsonRpcProvider, Log, Result, TransactionReceipt } from 'ethers';
import { BATCHED_ORDER_TYPES, TNC_STRING } from '#core/domain/avantis/intents.js';
import {
  contractInterface,
  decodeAvantisLogs,
  eventsOf,
  LIMIT_ORDER,
  openTradeInput,
  toTrade,
  PRECISION,
  USDC_UNIT,
  type AvantisAddresses,
  type AvantisEvent,
} from '../chain/abi.js';
import {
  DEV_ACCOUNTS,
  LOCAL_PAIRS,
  devWallet,
  isUpgradedToV2,
  localProvider,
  type LocalPair,
} from '../chain/deploy.js';
import { v2Pair } from '../chain/pairs-v2.js';
import { NonceSender, setBalance, waitReceipt, type TxRequest } from '../chain/tx.js';
import {
  canExecuteLimit,
  decodeV2Logs,
  delegatedMarginCalldata,
  keeperCalldata,
  pendingOrders,
  routerCalldata,
  setDelegateWithSigCalldata,
  signIntent,
  type AvantisV2Event,
} from '../chain/v2.js';
import { findTriggers, type Trigger } from './keeper.js';
import { percentProfit, slHit, tpHit } from './math.js';
import { IntentRefused, routerSubmitter, type SubmitIntent } from './submit.js';
import { PriceWalk } from './prices.js';
import { rngFor } from './prng.js';
import {
  decide,
  paramsFor,
  styleFor,
  type Action,
  type Market,
  type OpenTrade,
  type TraderState,
} from './traders.js';

/** Trader i is dev account SIMULATOR_FIRST_TRADER_ACCOUNT + i (clear of the deployer, keepers, executor). */
export const SIMULATOR_FIRST_TRADER_ACCOUNT = 100;
/** Delegate of trader i (when it has one) is dev account SIMULATOR_FIRST_DELEGATE_ACCOUNT + i. */
export const SIMULATOR_FIRST_DELEGATE_ACCOUNT = 500;
/** Sends the simulator's own router submissions (gasless for traders) when no service is plugged in. */
export const SIMULATOR_RELAYER_ACCOUNT = 30;
/** A delegate's registration lasts this long (seconds). */
const DELEGATE_TTL = 30n * 24n * 3600n;
/** An intent is valid this long (ms), the SDK default. */
const INTENT_TTL_MS = 120_000n;
/** An order the chain never registered is forgotten after this many ticks. */
const INFLIGHT_TICKS = 30;
const DEFAULT_TRADERS = 32;
/** What the Avantis SDK sends when it cannot price the execution fee (docs/avantis.md v1 §7.3). */
const EXECUTION_FEE = 350_000_000_000_000n;
const TRADER_ETH = 1_000n * 10n ** 18n;
const KEEPER_ETH = 10_000n * 10n ** 18n;
/** About 1.5x the gas measured on anvil; explicit so a revert is mined, not thrown at estimate time. */
const GAS = {
  prices: 400_000n,
  open: 800_000n,
  close: 400_000n,
  limit: 400_000n,
  tpsl: 200_000n,
  mint: 120_000n,
  approve: 100_000n,
  fill: 900_000n,
  tpslV2: 400_000n,
  margin: 400_000n,
  delegate: 200_000n,
} as const;
const SLIPPAGE = PRECISION; // 1%
const SUMMARY_EVERY = 10;

export interface SimulatorV2Options {
  /** Where signed intents go after the upgrade; default: the router, from the simulator's relayer. */
  readonly submit?: SubmitIntent;
  /**
   * 'internal' (default): the simulator fills pending orders and triggers TP/SL/liquidations itself.
   * 'external': another keeper does (the batched-market service); the simulator only reads the logs.
   */
  readonly keeper?: 'internal' | 'external';
}

export interface SimulatorOptions {
  readonly rpcUrl: string;
  /** How the simulator trades once the chain runs v2. */
  readonly v2?: SimulatorV2Options;
  /** Runs before each tick (tests: upgrade the chain at a chosen tick). */
  readonly beforeTick?: (tick: number) => Promise<void>;
  /** deployAvantis' result, or just its addresses (and pairs if not the default ones). */
  readonly deployment: { readonly addresses: AvantisAddresses; readonly pairs?: readonly LocalPair[] };
  readonly seed?: number;
  /** Milliseconds between tick starts (startSimulator only). Default 1000. */
  readonly tickMs?: number;
  readonly traders?: number;
  readonly firstTraderAccount?: number;
  readonly log?: (line: string) => void;
}

export interface SimulatorStats {
  readonly ticks: number;
  readonly txs: number;
  readonly opens: number;
  readonly canceledOpens: number;
  readonly partialCloses: number;
  readonly fullCloses: number;
  readonly tp: number;
  readonly sl: number;
  readonly liq: number;
  readonly tpSlUpdates: number;
  readonly topUps: number;
  readonly reverted: number;
  readonly errors: number;
  readonly openTrades: number;
  /** v2 only */
  readonly increases: number;
  readonly marginUpdates: number;
  readonly canceledCloses: number;
  readonly canceledIncreases: number;
  /** Intents the router or the service refused (a stale timestamp, a closed trade, ...). */
  readonly refused: number;
  readonly delegates: number;
  /** The tick the simulator first saw v2, 0 while the chain runs v1.5. */
  readonly upgradedAtTick: number;
}

export interface SimulatorHandle {
  stop(): Promise<void>;
  stats(): SimulatorStats;
}

type Counters = { -readonly [K in keyof SimulatorStats]: SimulatorStats[K] };

/** A v2 order between its submission and the chain's answer. */
interface Inflight {
  readonly action: Action;
  readonly tick: number;
  orderId?: bigint;
}

interface Job {
  readonly describe: string;
  readonly sender: NonceSender;
  readonly req: TxRequest;
  readonly apply: (events: AvantisEvent[]) => string;
}

const iface = {
  trading: contractInterface('Trading'),
  tradingV2: contractInterface('TradingV2'),
  router: contractInterface('TradingRouter'),
  storage: contractInterface('TradingStorage'),
  priceFeed: contractInterface('PriceFeed'),
  usdc: contractInterface('MockUSDC'),
};
const fmtUsdc = (x: bigint): string => `${x / USDC_UNIT}.${(x % USDC_UNIT).toString().padStart(6, '0')}`;
const ORDER_NAMES = ['TP', 'SL', 'LIQ'] as const;

class Simulator {
  readonly counters: Counters = {
    ticks: 0,
    txs: 0,
    opens: 0,
    canceledOpens: 0,
    partialCloses: 0,
    fullCloses: 0,
    tp: 0,
    sl: 0,
    liq: 0,
    tpSlUpdates: 0,
    topUps: 0,
    reverted: 0,
    errors: 0,
    openTrades: 0,
    increases: 0,
    marginUpdates: 0,
    canceledCloses: 0,
    canceledIncreases: 0,
    refused: 0,
    delegates: 0,
    upgradedAtTick: 0,
  };
  /** Decisions and their outcomes, in a deterministic order (kept only when recording). */
  readonly actions: string[] = [];
  private readonly provider: JsonRpcProvider;
  private readonly addresses: AvantisAddresses;
  private readonly pairs: ReadonlyMap<number, LocalPair>;
  private readonly walk: PriceWalk;
  private readonly traders: TraderState[];
  private readonly senders: NonceSender[];
  private readonly priceSender: NonceSender;
  private readonly keeperSender: NonceSender;
  private readonly log: (line: string) => void;
  // ---- v2 ----
  private era: 'v1' | 'v2' = 'v1';
  private readonly v2Pairs: ReadonlyMap<number, LocalPair>;
  private readonly relayer: NonceSender;
  private readonly submit: SubmitIntent;
  private readonly externalKeeper: boolean;
  private readonly beforeTick: ((tick: number) => Promise<void>) | undefined;
  /** Trader id -> its delegate's key (a third of the traders). */
  private readonly delegateOf = new Map<number, HDNodeWallet>();
  private readonly delegateSenders = new Map<number, NonceSender>();
  private readonly byAddress = new Map<string, TraderState>();
  /** One order at a time per trader, from submission until its fill, cancel or refusal. */
  private readonly inflight = new Map<number, Inflight>();
  private readonly orderOwner = new Map<bigint, number>();
  private scannedTo = 0;
  private chainId = 0;
  private nonceCounter = 0n;

  constructor(
    opts: SimulatorOptions,
    private readonly record: boolean,
  ) {
    const seed = opts.seed ?? 1;
    this.provider = localProvider(opts.rpcUrl);
    this.addresses = opts.deployment.addresses;
    const pairs = opts.deployment.pairs ?? LOCAL_PAIRS;
    this.pairs = new Map(pairs.map((p) => [p.index, p]));
    this.walk = new PriceWalk(pairs, rngFor(seed, 'prices'));
    this.log = opts.log ?? (() => undefined);
    const first = opts.firstTraderAccount ?? SIMULATOR_FIRST_TRADER_ACCOUNT;
    this.traders = [];
    this.senders = [];
    for (let i = 0; i < (opts.traders ?? DEFAULT_TRADERS); i++) {
      const style = styleFor(i);
      const rng = rngFor(seed, `trader:${i}`);
      this.traders.push({ id: i, style, params: paramsFor(style, rng), rng, trades: [], usdc: 0n });
      this.senders.push(new NonceSender(devWallet(first + i), this.provider));
    }
    this.priceSender = new NonceSender(devWallet(DEV_ACCOUNTS.priceKeeper), this.provider);
    this.keeperSender = new NonceSender(devWallet(DEV_ACCOUNTS.keeper), this.provider);
    // The v2 catalog's limits (DOGE 20x, fees) once the upgrade wrote them; prices stay the walk's.
    this.v2Pairs = new Map(
      pairs.map((p) => {
        const c = v2Pair(p.index);
        return [
          p.index,
          c
            ? {
                ...p,
                minLeverage: c.minLeverage,
                maxLeverage: c.maxLeverage,
                openFeeP: c.openFeeP,
                closeFeeP: c.closeFeeP,
                minLevPosUSDC: c.minLevPosUSDC,
              }
            : p,
        ];
      }),
    );
    this.relayer = new NonceSender(devWallet(SIMULATOR_RELAYER_ACCOUNT), this.provider);
    this.submit = opts.v2?.submit ?? routerSubmitter(this.addresses, this.relayer);
    this.externalKeeper = opts.v2?.keeper === 'external';
    this.beforeTick = opts.beforeTick;
    for (const t of this.traders) {
      this.byAddress.set(this.sender(t.id).address.toLowerCase(), t);
      if (t.id % 3 === 1) {
        const key = devWallet(
          (opts.firstTraderAccount ?? SIMULATOR_FIRST_TRADER_ACCOUNT) -
            SIMULATOR_FIRST_TRADER_ACCOUNT +
            SIMULATOR_FIRST_DELEGATE_ACCOUNT +
            t.id,
        );
        this.delegateOf.set(t.id, key);
        this.delegateSenders.set(t.id, new NonceSender(key, this.provider));
      }
    }
  }

  /** Gas money for everyone, USDC and the TradingStorage approval for each trader. */
  async setup(): Promise<void> {
    await Promise.all([
      ...this.senders.map((s) => setBalance(this.provider, s.address, TRADER_ETH)),
      setBalance(this.provider, this.priceSender.address, KEEPER_ETH),
      setBalance(this.provider, this.keeperSender.address, KEEPER_ETH),
      setBalance(this.provider, this.relayer.address, KEEPER_ETH),
      ...[...this.delegateSenders.values()].map((s) => setBalance(this.provider, s.address, TRADER_ETH)),
    ]);
    const hashes: Promise<string>[] = [];
    for (const [i, t] of this.traders.entries()) {
      const s = this.sender(i);
      t.usdc = BigInt(t.params.funding) * USDC_UNIT;
      hashes.push(s.send(this.mint(s.address, t.usdc)));
      hashes.push(
        s.send({
          to: this.addresses.usdc,
          data: iface.usdc.encodeFunctionData('approve', [this.addresses.tradingStorage, 2n ** 256n - 1n]),
          gasLimit: GAS.approve,
        }),
      );
    }
    const receipts = await Promise.all(hashes.map(async (h) => waitReceipt(this.provider, await h)));
    if (receipts.some((r) => r.status !== 1)) throw new Error('simulator setup: a mint or approve reverted');
    this.counters.txs += receipts.length;
    const styles = [...new Set(this.traders.map((t) => t.style))].join(', ');
    this.log(`simulator: ${this.traders.length} traders funded (${styles})`);
  }

  async step(): Promise<void> {
    const tick = this.counters.ticks + 1;
    await this.beforeTick?.(tick);
    if (this.era === 'v1' && (await isUpgradedToV2(this.provider, this.addresses)))
      await this.switchToV2(tick);
    this.counters.ticks = tick;
    if (this.era === 'v2') return this.stepV2(tick);
    this.walk.step();
    const prices = this.walk.prices();

    // Prices first, mined before anything trades on them: every fill this tick sees the same price.
    const pushed = await this.priceSender.sendAndWait({
      to: this.addresses.priceFeed,
      data: iface.priceFeed.encodeFunctionData('setPrices', [[...prices.keys()], [...prices.values()]]),
      gasLimit: GAS.prices,
    });
    this.counters.txs += 1;
    if (pushed.status !== 1) throw new Error(`simulator tick ${tick}: setPrices reverted`);

    const triggers = findTriggers(this.traders, prices, this.pairs);
    // A trader whose trade the keeper closes sits this tick out: with `--block-time` both would land
    // in one block in any order, and an open could take the slot before or after the close frees it.
    const busy = new Set(triggers.map((t) => t.trader));
    const market: Market = { tick, prices, pairs: this.pairs, trend: (i) => this.walk.trend(i) };
    const jobs: Job[] = triggers.map((t) => this.triggerJob(t));
    for (const [i, trader] of this.traders.entries()) {
      if (busy.has(trader)) continue;
      const action = decide(trader, market);
      if (action) jobs.push(this.actionJob(i, trader, action, tick));
    }

    // Send everything at once (nonces are per wallet), then apply outcomes in decision order.
    const outcomes = await Promise.all(
      jobs.map((j) =>
        j.sender.sendAndWait(j.req).then(
          (receipt): TransactionReceipt | Error => receipt,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        ),
      ),
    );
    for (const [k, job] of jobs.entries()) {
      const outcome = outcomes[k];
      let line: string;
      if (outcome === undefined || outcome instanceof Error) {
        this.counters.errors += 1;
        line = `${job.describe} -> error ${outcome?.message ?? 'missing'}`;
        this.log(`simulator: ${line}`);
      } else {
        this.counters.txs += 1;
        if (outcome.status !== 1) {
          this.counters.reverted += 1;
          line = `${job.describe} -> reverted`;
        } else {
          line = `${job.describe} -> ${job.apply(decodeAvantisLogs(outcome.logs, this.addresses))}`;
        }
      }
      if (this.record) this.actions.push(`${tick} ${line}`);
    }
    this.counters.openTrades = this.traders.reduce((n, t) => n + t.trades.length, 0);
    if (tick % SUMMARY_EVERY === 0) this.log(`simulator: ${summary(this.counters)}`);
  }

  // ---- v2 ----

  /** Reads what the last tick's own transactions did (margin updates land at once), so counts match the chain. */
  async flush(): Promise<void> {
    if (this.era === 'v2') await this.reconcile(this.counters.ticks);
  }

  /** The chain runs v2 now: read the open timestamps v2 closes bind, register the delegates. */
  private async switchToV2(tick: number): Promise<void> {
    this.era = 'v2';
    this.counters.upgradedAtTick = tick;
    this.chainId = Number((await this.provider.getNetwork()).chainId);
    // Read from here on next tick: the keeper may already fill or trigger while delegates register,
    // and a missed close would leave a stale slot whose open timestamp every later close would sign.
    const from = await this.provider.getBlockNumber();
    await this.refreshTrades(this.traders.flatMap((t) => t.trades.map((trade) => [t, trade] as const)));
    const now = await this.chainNow();
    const receipts: Promise<TransactionReceipt>[] = [];
    for (const [id, key] of this.delegateOf) {
      const trader = this.sender(id);
      const expiry = now + DELEGATE_TTL;
      if (id % 2 === 1) {
        // Directly, from the trader's wallet.
        receipts.push(
          trader.sendAndWait({
            to: this.addresses.tradingRouter,
            data: iface.router.encodeFunctionData('setDelegate', [key.address, expiry]),
            gasLimit: GAS.delegate,
          }),
        );
      } else {
        // Gaslessly, the SDK way: the trader signs a DelegateReq, the relayer submits it.
        const signed = signIntent(trader.wallet, 'DelegateReq', this.domain(), {
          trader: trader.address,
          delegate: key.address,
          expiry,
          deadline: now * 1000n + INTENT_TTL_MS,
          tnc: TNC_STRING,
          nonce: this.nextNonce(id),
        });
        receipts.push(
          this.relayer.sendAndWait({
            to: this.addresses.tradingRouter,
            data: setDelegateWithSigCalldata(signed.signature, signed.userIntent),
            gasLimit: GAS.delegate,
          }),
        );
      }
    }
    const done = await Promise.all(receipts);
    this.counters.txs += done.length;
    this.counters.delegates = done.filter((r) => r.status === 1).length;
    if (this.counters.delegates !== done.length)
      throw new Error('simulator: a delegate registration reverted');
    this.scannedTo = from;
    this.log(
      `simulator: the chain runs v2 from tick ${tick}: signed intents, ${this.counters.delegates} traders through delegates, ` +
        `${this.externalKeeper ? 'an external' : 'its own'} keeper`,
    );
  }

  private async stepV2(tick: number): Promise<void> {
    this.walk.step();
    const prices = this.walk.prices();
    const pushed = await this.priceSender.sendAndWait({
      to: this.addresses.priceFeed,
      data: iface.priceFeed.encodeFunctionData('setPrices', [[...prices.keys()], [...prices.values()]]),
      gasLimit: GAS.prices,
    });
    this.counters.txs += 1;
    if (pushed.status !== 1) throw new Error(`simulator tick ${tick}: setPrices reverted`);

    if (!this.externalKeeper) await this.keeperV2(tick, prices);
    await this.reconcile(tick);

    const now = await this.chainNow();
    const market: Market = { tick, prices, pairs: this.v2Pairs, trend: (i) => this.walk.trend(i), era: 'v2' };
    const jobs: Promise<string>[] = [];
    const described: string[] = [];
    for (const trader of this.traders) {
      const stuck = this.inflight.get(trader.id);
      if (stuck) {
        // Never registered, or registered and never settled (a keeper that stopped): give up on it.
        const age = tick - stuck.tick;
        if ((stuck.orderId === undefined && age > INFLIGHT_TICKS) || age > 4 * INFLIGHT_TICKS) {
          this.inflight.delete(trader.id);
          if (stuck.orderId !== undefined) this.orderOwner.delete(stuck.orderId);
        }
        continue;
      }
      const action = decide(trader, market);
      if (!action) continue;
      const [describe, run] = this.v2Job(trader, action, now, tick);
      described.push(describe);
      jobs.push(run);
    }
    const outcomes = await Promise.all(jobs);
    if (this.record)
      for (const [k, d] of described.entries()) this.actions.push(`${tick} ${d} -> ${outcomes[k]}`);
    this.counters.openTrades = this.traders.reduce((n, t) => n + t.trades.length, 0);
    if (tick % SUMMARY_EVERY === 0) this.log(`simulator: ${summary(this.counters)}`);
  }

  /** The simulator's own keeper: fill every registered order, then TP/SL/liquidations the contract confirms. */
  private async keeperV2(tick: number, prices: ReadonlyMap<number, bigint>): Promise<void> {
    const orders = await pendingOrders(this.provider, this.addresses);
    const fills = await Promise.all(
      orders.map((o) =>
        this.keeperSender.sendAndWait({
          to: this.addresses.tradingCallbacks,
          data: keeperCalldata.executeMarketOrder(o.orderId),
          gasLimit: GAS.fill,
        }),
      ),
    );
    this.counters.txs += fills.length;
    this.counters.reverted += fills.filter((r) => r.status !== 1).length;

    const candidates: { trader: TraderState; trade: OpenTrade; orderType: number }[] = [];
    for (const trader of this.traders) {
      for (const trade of trader.trades) {
        const price = prices.get(trade.pairIndex);
        if (price === undefined) continue;
        const orderType = tpHit(trade, price)
          ? LIMIT_ORDER.TP
          : slHit(trade, price)
            ? LIMIT_ORDER.SL
            : // Fees and funding move the threshold; the contract's canExecute decides.
              percentProfit(trade.openPrice, price, trade.buy, trade.leverage) <= -70n * PRECISION
              ? LIMIT_ORDER.LIQ
              : undefined;
        if (orderType !== undefined) candidates.push({ trader, trade, orderType });
      }
    }
    const confirmed = await Promise.all(
      candidates.map(async (c) =>
        (await canExecuteLimit(
          this.provider,
          this.addresses,
          { trader: this.sender(c.trader.id).address, pairIndex: c.trade.pairIndex, index: c.trade.index },
          c.orderType,
        ))
          ? c
          : undefined,
      ),
    );
    const triggers = await Promise.all(
      confirmed
        .filter((c) => c !== undefined)
        .map((c) =>
          this.keeperSender.sendAndWait({
            to: this.addresses.trading,
            data: keeperCalldata.executeLimit(
              this.sender(c.trader.id).address,
              c.trade.pairIndex,
              c.trade.index,
              c.orderType,
            ),
            gasLimit: GAS.limit,
          }),
        ),
    );
    this.counters.txs += triggers.length;
    this.counters.reverted += triggers.filter((r) => r.status !== 1).length;
    void tick;
  }

  /** Applies what the chain did since the last look: registrations, fills, cancels, triggers, margins. */
  private async reconcile(tick: number): Promise<void> {
    const latest = await this.provider.getBlockNumber();
    if (latest <= this.scannedTo) return;
    const logs: Log[] = await this.provider.getLogs({
      address: [this.addresses.trading, this.addresses.tradingCallbacks, this.addresses.tradingStorage],
      fromBlock: this.scannedTo + 1,
      toBlock: latest,
    });
    const events = decodeV2Logs(logs, this.addresses);
    const lines: [number, string][] = [];
    const refresh: (readonly [TraderState, OpenTrade])[] = [];
    const feeOf = (tx: string, trader: string): bigint =>
      events.find(
        (e): e is Extract<AvantisV2Event, { kind: 'TradingStorage.FeesCharged' }> =>
          e.kind === 'TradingStorage.FeesCharged' &&
          e.transactionHash === tx &&
          e.trader.toLowerCase() === trader.toLowerCase(),
      )?.fee ?? 0n;
    const settle = (orderId: bigint): [TraderState, Inflight] | undefined => {
      const id = this.orderOwner.get(orderId);
      const trader = id === undefined ? undefined : this.traders[id];
      const inf = id === undefined ? undefined : this.inflight.get(id);
      if (id === undefined || !trader || !inf || inf.orderId !== orderId) return undefined;
      this.orderOwner.delete(orderId);
      this.inflight.delete(id);
      return [trader, inf];
    };
    const find = (trader: TraderState, pairIndex: bigint, index: bigint) =>
      trader.trades.find((t) => BigInt(t.pairIndex) === pairIndex && t.index === index);

    for (const e of events) {
      switch (e.kind) {
        case 'Trading.MarketOrderInitiated':
        case 'Trading.IncreasePositionRequested': {
          const trader = this.byAddress.get(e.trader.toLowerCase());
          const inf = trader && this.inflight.get(trader.id);
          if (trader && inf && inf.orderId === undefined && inf.action.kind !== 'margin') {
            inf.orderId = e.orderId;
            this.orderOwner.set(e.orderId, trader.id);
          }
          break;
        }
        case 'TradingCallbacks.MarketExecuted': {
          const hit = settle(e.orderId);
          if (!hit) break;
          const [trader, inf] = hit;
          if (e.open && inf.action.kind === 'open') {
            const a = inf.action;
            trader.trades.push({
              pairIndex: a.pairIndex,
              index: e.t.index,
              buy: a.buy,
              openPrice: e.price,
              leverage: e.t.leverage,
              timestamp: e.t.timestamp,
              collateral: e.positionSizeUSDC,
              tp: e.t.tp,
              sl: e.t.sl,
              openedTick: tick,
              holdTicks: a.holdTicks,
              twoStep: a.twoStep,
              partialDone: false,
            });
            this.counters.opens += 1;
            lines.push([
              trader.id,
              `#${trader.id} opened p${a.pairIndex} i${e.t.index} @${e.price} collateral ${fmtUsdc(e.positionSizeUSDC)}`,
            ]);
          } else if (!e.open) {
            const t = find(trader, e.t.pairIndex, e.t.index);
            trader.usdc += e.usdcSentToTrader;
            if (!t) break;
            t.collateral -= e.positionSizeUSDC;
            if (t.collateral <= 0n) {
              trader.trades.splice(trader.trades.indexOf(t), 1);
              this.counters.fullCloses += 1;
            } else {
              t.partialDone = true;
              this.counters.partialCloses += 1;
              refresh.push([trader, t]); // a partial close re-timestamps the trade
            }
            // Not the amount sent: rollover and funding depend on block times, which vary run to run.
            lines.push([
              trader.id,
              `#${trader.id} closed p${t.pairIndex} i${t.index} ${fmtUsdc(e.positionSizeUSDC)} @${e.price}`,
            ]);
          }
          break;
        }
        case 'TradingCallbacks.MarketOpenCanceled': {
          const hit = settle(e.orderId);
          if (!hit || hit[1].action.kind !== 'open') break;
          const [trader, inf] = hit;
          const a = inf.action as Extract<Action, { kind: 'open' }>;
          trader.usdc += a.collateral - feeOf(e.transactionHash, e.trader);
          this.counters.canceledOpens += 1;
          lines.push([trader.id, `#${trader.id} open p${a.pairIndex} canceled`]);
          break;
        }
        case 'TradingCallbacks.MarketCloseCanceled': {
          const hit = settle(e.orderId);
          if (!hit) break;
          this.counters.canceledCloses += 1;
          lines.push([hit[0].id, `#${hit[0].id} close p${e.pairIndex} i${e.index} canceled`]);
          break;
        }
        case 'TradingCallbacks.IncreasePositionCanceled': {
          const hit = settle(e.orderId);
          if (!hit || hit[1].action.kind !== 'increase') break;
          const [trader, inf] = hit;
          const a = inf.action as Extract<Action, { kind: 'increase' }>;
          trader.usdc += a.collateral - feeOf(e.transactionHash, e.trader);
          this.counters.canceledIncreases += 1;
          lines.push([trader.id, `#${trader.id} increase p${e.pairIndex} i${e.index} canceled`]);
          break;
        }
        case 'TradingCallbacks.PositionSizeIncreased': {
          const hit = settle(e.orderId);
          if (!hit) break;
          const [trader] = hit;
          const t = find(trader, e.t.pairIndex, e.t.index);
          if (t) {
            t.collateral = e.t.initialPosToken;
            t.leverage = e.t.leverage;
            t.openPrice = e.t.openPrice;
            t.timestamp = e.t.timestamp;
          }
          this.counters.increases += 1;
          lines.push([
            trader.id,
            `#${trader.id} increased p${e.t.pairIndex} i${e.t.index} +${fmtUsdc(e.addedCollateral)} @${e.price}`,
          ]);
          break;
        }
        case 'TradingCallbacks.LimitExecuted': {
          const trader = this.byAddress.get(e.t.trader.toLowerCase());
          const t = trader && find(trader, e.t.pairIndex, e.t.index);
          if (!trader || !t) break;
          trader.trades.splice(trader.trades.indexOf(t), 1);
          trader.usdc += e.usdcSentToTrader;
          if (e.orderType === LIMIT_ORDER.TP) this.counters.tp += 1;
          else if (e.orderType === LIMIT_ORDER.SL) this.counters.sl += 1;
          else this.counters.liq += 1;
          lines.push([
            trader.id,
            `#${trader.id} ${ORDER_NAMES[e.orderType] ?? e.orderType} p${t.pairIndex} i${t.index} @${e.price}`,
          ]);
          break;
        }
        case 'Trading.MarginUpdated': {
          const trader = this.byAddress.get(e.trader.toLowerCase());
          const t = trader && find(trader, e.pairIndex, e.index);
          if (!trader) break;
          if (this.inflight.get(trader.id)?.action.kind === 'margin') this.inflight.delete(trader.id);
          if (!t) break;
          t.collateral = e.newTrade.initialPosToken;
          t.leverage = e.newTrade.leverage;
          t.timestamp = e.newTrade.timestamp;
          this.counters.marginUpdates += 1;
          lines.push([
            trader.id,
            `#${trader.id} margin ${e.type === 0 ? 'deposit' : 'withdraw'} p${t.pairIndex} i${t.index}`,
          ]);
          break;
        }
        default:
          break;
      }
    }
    // Only now: a failure before this line leaves the range to be read again next tick.
    this.scannedTo = latest;
    await this.refreshTrades(refresh);
    // Fills of one tick may land in any order across wallets; record them per trader.
    if (this.record) {
      for (const [, line] of lines.sort((a, b) => a[0] - b[0])) this.actions.push(`${tick} ${line}`);
    }
  }

  /** Re-reads Trade.timestamp (and collateral) of trades the chain re-timestamped. */
  private async refreshTrades(list: readonly (readonly [TraderState, OpenTrade])[]): Promise<void> {
    await Promise.all(
      list.map(async ([trader, t]) => {
        const out = await this.provider.call({
          to: this.addresses.tradingStorage,
          data: iface.storage.encodeFunctionData('openTrades', [
            this.sender(trader.id).address,
            t.pairIndex,
            t.index,
          ]),
        });
        const [raw] = iface.storage.decodeFunctionResult('openTrades', out);
        const chain = toTrade(raw as Result);
        if (chain.leverage === 0n) {
          // Closed before the switch (a keeper trigger this side never saw): forget the slot.
          const at = trader.trades.indexOf(t);
          if (at >= 0) trader.trades.splice(at, 1);
          return;
        }
        t.timestamp = chain.timestamp;
        t.collateral = chain.initialPosToken;
        t.leverage = chain.leverage;
      }),
    );
  }

  /** One v2 action: a signed intent through `submit`, or a direct transaction (margin, top-up). */
  private v2Job(trader: TraderState, a: Action, now: bigint, tick: number): [string, Promise<string>] {
    const id = trader.id;
    const wallet = this.sender(id);
    const delegate = this.delegateOf.get(id);
    const signer = delegate ?? wallet.wallet;
    const who = `#${id} ${trader.style}${delegate ? ' (delegate)' : ''}`;
    const deadline = now * 1000n + INTENT_TTL_MS;
    const sendIntent = async (
      orderType: number,
      kind: 'OpenTradeReq' | 'CloseTradeReq' | 'IncreasePositionSizeReq',
      message: object,
      debit: bigint,
    ): Promise<string> => {
      const signed = signIntent(signer, kind, this.domain(), message as never);
      this.inflight.set(id, { action: a, tick });
      trader.usdc -= debit;
      try {
        await this.submit(orderType, signed.userIntent, signed.signature);
        return 'submitted';
      } catch (err) {
        this.inflight.delete(id);
        trader.usdc += debit;
        this.counters.refused += 1;
        return `refused ${err instanceof IntentRefused ? err.code : err instanceof Error ? err.message.slice(0, 80) : String(err)}`;
      }
    };
    const direct = async (s: NonceSender, req: TxRequest, onOk: () => void): Promise<string> => {
      try {
        const r = await s.sendAndWait(req);
        this.counters.txs += 1;
        if (r.status !== 1) {
          this.counters.reverted += 1;
          return 'reverted';
        }
        onOk();
        return 'ok';
      } catch (err) {
        this.counters.errors += 1;
        return `error ${err instanceof Error ? err.message.slice(0, 80) : String(err)}`;
      }
    };
    switch (a.kind) {
      case 'topup':
        return [
          `${who} topup ${fmtUsdc(a.amount)}`,
          direct(wallet, this.mint(wallet.address, a.amount), () => {
            trader.usdc += a.amount;
            this.counters.topUps += 1;
          }),
        ];
      case 'open': {
        const input = openTradeInput({
          trader: wallet.address,
          pairIndex: a.pairIndex,
          collateral: a.collateral,
          wantedPrice: a.price,
          buy: a.buy,
          leverage: a.leverage,
          tp: a.tp,
          sl: a.sl,
        });
        const message = {
          _t: input,
          _type: 0,
          _slippageP: trader.params.slippageP ?? SLIPPAGE,
          _deadline: deadline,
          _nonce: this.nextNonce(id),
        };
        return [
          `${who} open p${a.pairIndex} ${a.buy ? 'long' : 'short'} ${fmtUsdc(a.collateral)} x${a.leverage / PRECISION} tp ${a.tp} sl ${a.sl}`,
          sendIntent(BATCHED_ORDER_TYPES.MARKET_OPEN, 'OpenTradeReq', message, a.collateral),
        ];
      }
      case 'close': {
        const t = a.trade;
        const message = {
          _trader: wallet.address,
          _pairIndex: BigInt(t.pairIndex),
          _index: t.index,
          _openTimestamp: t.timestamp,
          _amount: a.amount,
          _wantedPrice: this.walk.prices().get(t.pairIndex) ?? t.openPrice,
          _deadline: deadline,
          _nonce: this.nextNonce(id),
        };
        return [
          `${who} close p${t.pairIndex} i${t.index} ${fmtUsdc(a.amount)} of ${fmtUsdc(t.collateral)}`,
          sendIntent(BATCHED_ORDER_TYPES.MARKET_CLOSE, 'CloseTradeReq', message, 0n),
        ];
      }
      case 'increase': {
        const t = a.trade;
        const message = {
          _updateInfo: {
            trader: wallet.address,
            pairIndex: BigInt(t.pairIndex),
            index: t.index,
            openPrice: a.price,
            initialPosToken: a.collateral,
            leverage: a.leverage,
          },
          _slippageP: SLIPPAGE,
          _deadline: deadline,
          _nonce: this.nextNonce(id),
        };
        return [
          `${who} increase p${t.pairIndex} i${t.index} +${fmtUsdc(a.collateral)} x${a.leverage / PRECISION}`,
          sendIntent(BATCHED_ORDER_TYPES.INCREASE_SIZE, 'IncreasePositionSizeReq', message, a.collateral),
        ];
      }
      case 'margin': {
        const t = a.trade;
        const m = { pairIndex: t.pairIndex, index: t.index, type: a.type, amount: a.amount };
        const viaDelegate = this.delegateSenders.get(id);
        const req: TxRequest = viaDelegate
          ? {
              to: this.addresses.tradingRouter,
              data: delegatedMarginCalldata(wallet.address, m),
              gasLimit: GAS.margin,
            }
          : {
              to: this.addresses.trading,
              data: iface.tradingV2.encodeFunctionData('updateMargin', [
                m.pairIndex,
                m.index,
                m.type,
                m.amount,
              ]),
              gasLimit: GAS.margin,
            };
        this.inflight.set(id, { action: a, tick });
        return [
          `${who} margin ${a.type === 0 ? 'deposit' : 'withdraw'} p${t.pairIndex} i${t.index} ${fmtUsdc(a.amount)}`,
          direct(viaDelegate ?? wallet, req, () => {
            trader.usdc += a.type === 0 ? -a.amount : a.amount;
          }).then((out) => {
            if (out !== 'ok') this.inflight.delete(id);
            return out;
          }),
        ];
      }
      case 'tpsl': {
        // No batched-market order type for it: signed like the others, sent to the router directly.
        const t = a.trade;
        const signed = signIntent(signer, 'UpdateTpSlReq', this.domain(), {
          trader: wallet.address,
          _pairIndex: BigInt(t.pairIndex),
          _index: t.index,
          _newTp: a.tp,
          _newSl: a.sl,
          _deadline: deadline,
          _nonce: this.nextNonce(id),
        });
        const req: TxRequest = {
          to: this.addresses.tradingRouter,
          data: routerCalldata('UpdateTpSlReq', signed.userIntent, signed.signature),
          gasLimit: GAS.tpslV2,
        };
        return [
          `${who} tpsl p${t.pairIndex} i${t.index} tp ${a.tp} sl ${a.sl}`,
          direct(this.relayer, req, () => {
            t.tp = a.tp;
            t.sl = a.sl;
            this.counters.tpSlUpdates += 1;
          }),
        ];
      }
    }
  }

  private domain(): { chainId: number; tradingRouter: string } {
    return { chainId: this.chainId, tradingRouter: this.addresses.tradingRouter };
  }

  /** Unordered nonces, unique per signer (a delegate signs for one trader) and replayable. */
  private nextNonce(traderId: number): bigint {
    this.nonceCounter += 1n;
    return (BigInt(traderId + 1) << 128n) | this.nonceCounter;
  }

  private async chainNow(): Promise<bigint> {
    const b = await this.provider.getBlock('latest');
    return BigInt(b?.timestamp ?? Math.floor(Date.now() / 1000));
  }

  private sender(i: number): NonceSender {
    const s = this.senders[i];
    if (!s) throw new Error(`no wallet for trader ${i}`);
    return s;
  }

  private mint(to: string, amount: bigint): TxRequest {
    return {
      to: this.addresses.usdc,
      data: iface.usdc.encodeFunctionData('mint', [to, amount]),
      gasLimit: GAS.mint,
    };
  }

  private trading(fn: string, args: unknown[], gasLimit: bigint, value = 0n): TxRequest {
    return { to: this.addresses.trading, data: iface.trading.encodeFunctionData(fn, args), gasLimit, value };
  }

  private triggerJob({ trader, trade, orderType }: Trigger): Job {
    const name = ORDER_NAMES[orderType] ?? String(orderType);
    return {
      describe: `keeper ${name} #${trader.id} p${trade.pairIndex} i${trade.index}`,
      sender: this.keeperSender,
      req: this.trading(
        'executeLimit',
        [this.sender(trader.id).address, trade.pairIndex, trade.index, orderType],
        GAS.limit,
      ),
      apply: (events) => {
        const done = eventsOf(events, 'TradingCallbacks.LimitExecuted')[0];
        if (!done) return 'no LimitExecuted';
        trader.trades.splice(trader.trades.indexOf(trade), 1);
        trader.usdc += done.usdcSentToTrader;
        if (done.orderType === 0) this.counters.tp += 1;
        else if (done.orderType === 1) this.counters.sl += 1;
        else this.counters.liq += 1;
        return `@${done.price} sent ${fmtUsdc(done.usdcSentToTrader)}`;
      },
    };
  }

  private actionJob(i: number, trader: TraderState, a: Action, tick: number): Job {
    const who = `#${i} ${trader.style}`;
    const address = this.sender(i).address;
    const base = { sender: this.sender(i) };
    switch (a.kind) {
      case 'topup':
        return {
          ...base,
          describe: `${who} topup ${fmtUsdc(a.amount)}`,
          req: this.mint(address, a.amount),
          apply: () => {
            trader.usdc += a.amount;
            this.counters.topUps += 1;
            return 'ok';
          },
        };
      case 'open': {
        const input = openTradeInput({
          trader: address,
          pairIndex: a.pairIndex,
          collateral: a.collateral,
          wantedPrice: a.price,
          buy: a.buy,
          leverage: a.leverage,
          tp: a.tp,
          sl: a.sl,
        });
        return {
          ...base,
          describe: `${who} open p${a.pairIndex} ${a.buy ? 'long' : 'short'} ${fmtUsdc(a.collateral)} x${a.leverage / PRECISION} tp ${a.tp} sl ${a.sl}`,
          req: this.trading('openTrade', [input, 0, SLIPPAGE], GAS.open, EXECUTION_FEE),
          apply: (events) => {
            trader.usdc -= a.collateral;
            const filled = eventsOf(events, 'TradingCallbacks.MarketExecuted')[0];
            if (!filled) {
              const fee = eventsOf(events, 'TradingStorage.FeesCharged')[0]?.fee ?? 0n;
              trader.usdc += a.collateral - fee;
              this.counters.canceledOpens += 1;
              return 'canceled';
            }
            trader.trades.push({
              pairIndex: a.pairIndex,
              index: filled.t.index,
              buy: a.buy,
              openPrice: filled.price,
              leverage: filled.t.leverage,
              timestamp: filled.t.timestamp,
              collateral: filled.positionSizeUSDC,
              tp: filled.t.tp,
              sl: filled.t.sl,
              openedTick: tick,
              holdTicks: a.holdTicks,
              twoStep: a.twoStep,
              partialDone: false,
            });
            this.counters.opens += 1;
            return `i${filled.t.index} @${filled.price} collateral ${fmtUsdc(filled.positionSizeUSDC)}`;
          },
        };
      }
      case 'close': {
        const t = a.trade;
        return {
          ...base,
          describe: `${who} close p${t.pairIndex} i${t.index} ${fmtUsdc(a.amount)} of ${fmtUsdc(t.collateral)}`,
          req: this.trading('closeTradeMarket', [t.pairIndex, t.index, a.amount], GAS.close, EXECUTION_FEE),
          apply: (events) => {
            const closed = eventsOf(events, 'TradingCallbacks.MarketExecuted')[0];
            if (!closed) return 'no MarketExecuted';
            t.collateral -= closed.positionSizeUSDC;
            trader.usdc += closed.usdcSentToTrader;
            if (t.collateral === 0n) {
              trader.trades.splice(trader.trades.indexOf(t), 1);
              this.counters.fullCloses += 1;
            } else {
              t.partialDone = true;
              this.counters.partialCloses += 1;
            }
            return `@${closed.price} pnl% ${closed.percentProfit} sent ${fmtUsdc(closed.usdcSentToTrader)}`;
          },
        };
      }
      case 'tpsl': {
        const t = a.trade;
        return {
          ...base,
          describe: `${who} tpsl p${t.pairIndex} i${t.index} tp ${a.tp} sl ${a.sl}`,
          // SL before TP: Avantis' argument order.
          req: this.trading('updateTpAndSl', [t.pairIndex, t.index, a.sl, a.tp, [], 0], GAS.tpsl, 1n),
          apply: () => {
            t.tp = a.tp;
            t.sl = a.sl;
            this.counters.tpSlUpdates += 1;
            return 'ok';
          },
        };
      }
      case 'increase':
      case 'margin':
        // decide() only offers these in v2, which stepV2 runs.
        throw new Error(`simulator: ${a.kind} is a v2 action`);
    }
  }
}

function summary(s: SimulatorStats): string {
  return (
    `tick ${s.ticks}: ${s.opens} opens (${s.canceledOpens} canceled), ${s.partialCloses} partial and ${s.fullCloses} full closes, ` +
    `TP ${s.tp} / SL ${s.sl} / LIQ ${s.liq}, ${s.tpSlUpdates} TP/SL updates, ${s.increases} increases, ` +
    `${s.marginUpdates} margin updates, ${s.openTrades} open, ${s.refused} refused, ${s.reverted} reverted, ${s.errors} errors`
  );
}

/** Funds the traders, then ticks every `tickMs` until stopped. Resolves once setup is done. */
export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const sim = new Simulator(opts, false);
  await sim.setup();
  const log = opts.log ?? (() => undefined);
  const tickMs = opts.tickMs ?? 1000;
  let running = true;
  let wake: () => void = () => undefined;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        await sim.step();
      } catch (err) {
        // The chain may be restarting or busy: count it, keep the rhythm, try again next tick.
        sim.counters.errors += 1;
        log(`simulator: tick failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const wait = tickMs - (Date.now() - started);
      if (running && wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      wake();
      await loop;
    },
    stats: () => ({ ...sim.counters }),
  };
}

/** Setup then `steps` ticks back to back; `actions` is the replayable record (same seed, same list). */
export async function runSimulatorSteps(
  opts: SimulatorOptions,
  steps: number,
): Promise<{ stats: SimulatorStats; actions: string[] }> {
  const sim = new Simulator(opts, true);
  await sim.setup();
  for (let i = 0; i < steps; i++) await sim.step();
  await sim.flush();
  return { stats: { ...sim.counters }, actions: sim.actions };
}
