// The deterministic market simulator: each tick it pushes the random-walk prices to PriceFeed, lets
// the keeper close trades whose TP/SL/liquidation is hit, and lets ~32 traders with distinct styles
// open, partially close, close and move TP/SL on the local Avantis contracts. Same seed, same
// sequence of actions and fills. One wallet per trader, one transaction per wallet per tick, each
// phase awaited before the next, so it works with anvil's automine and with `--block-time 1`.
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import {
  contractInterface,
  decodeAvantisLogs,
  eventsOf,
  openTradeInput,
  PRECISION,
  USDC_UNIT,
  type AvantisAddresses,
  type AvantisEvent,
} from '../chain/abi.js';
import { DEV_ACCOUNTS, LOCAL_PAIRS, devWallet, localProvider, type LocalPair } from '../chain/deploy.js';
import { NonceSender, setBalance, waitReceipt, type TxRequest } from '../chain/tx.js';
import { findTriggers, type Trigger } from './keeper.js';
import { PriceWalk } from './prices.js';
import { rngFor } from './prng.js';
import { decide, paramsFor, styleFor, type Action, type Market, type TraderState } from './traders.js';

/** Trader i is dev account SIMULATOR_FIRST_TRADER_ACCOUNT + i (clear of the deployer, keepers, executor). */
export const SIMULATOR_FIRST_TRADER_ACCOUNT = 100;
const DEFAULT_TRADERS = 32;
/** What the Avantis SDK sends when it cannot price the execution fee (FACTS 7.3). */
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
} as const;
const SLIPPAGE = PRECISION; // 1%
const SUMMARY_EVERY = 10;

export interface SimulatorOptions {
  readonly rpcUrl: string;
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
}

export interface SimulatorHandle {
  stop(): Promise<void>;
  stats(): SimulatorStats;
}

type Counters = { -readonly [K in keyof SimulatorStats]: SimulatorStats[K] };

interface Job {
  readonly describe: string;
  readonly sender: NonceSender;
  readonly req: TxRequest;
  readonly apply: (events: AvantisEvent[]) => string;
}

const iface = {
  trading: contractInterface('Trading'),
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
  }

  /** Gas money for everyone, USDC and the TradingStorage approval for each trader. */
  async setup(): Promise<void> {
    await Promise.all([
      ...this.senders.map((s) => setBalance(this.provider, s.address, TRADER_ETH)),
      setBalance(this.provider, this.priceSender.address, KEEPER_ETH),
      setBalance(this.provider, this.keeperSender.address, KEEPER_ETH),
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
    const tick = ++this.counters.ticks;
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
    }
  }
}

function summary(s: SimulatorStats): string {
  return (
    `tick ${s.ticks}: ${s.opens} opens, ${s.partialCloses} partial and ${s.fullCloses} full closes, ` +
    `TP ${s.tp} / SL ${s.sl} / LIQ ${s.liq}, ${s.tpSlUpdates} TP/SL updates, ${s.openTrades} open, ` +
    `${s.reverted} reverted, ${s.errors} errors`
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
  return { stats: { ...sim.counters }, actions: sim.actions };
}
