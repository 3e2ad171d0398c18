// The batched-market service without its HTTP: the relayer (submits each accepted intent on chain
// with its own dev account, retrying failed attempts) and the keeper (fills or cancels every
// registered market order `keeperDelayBlocks` after the block it was registered in, and triggers
// TP/SL/liquidations each block), writing each order's lifecycle into the TrackingLog that the
// SSE streams and the replay endpoint read. docs/avantis.md v2 §4 is the behaviour it copies.
import { randomUUID } from 'node:crypto';
import {
  ChainRevert,
  type EarlierSubmission,
  type Initiation,
  type MarketChain,
  type Mined,
  type PendingOrder,
  type Settlement,
} from './chain.js';
import { Faults } from './faults.js';
import { REFUSED_BEFORE_STREAM, type ParsedOrder, type Refusal } from './requests.js';
import { TrackingLog, type TrackingLogOptions } from './tracking.js';
import { initiationWire, settlementWire } from './wire.js';

export interface MarketServiceOptions {
  readonly chain: MarketChain;
  /** Blocks between registration and fill; 1 = the next block (docs/local-avantis.md). */
  readonly keeperDelayBlocks?: number;
  /** Submission attempts per order before ATTEMPTS_EXHAUSTED. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  /** How often the keeper looks for a new block. */
  readonly keeperPollMs?: number;
  /** Keeper ticks an order may fail (other than OrderNotReady) before it is given up. */
  readonly maxKeeperFailures?: number;
  /** Whether the keeper also triggers TP/SL/liquidations (on by default). */
  readonly triggerLimits?: boolean;
  /** Retention of the replayable tracking log (an hour after the terminal, 10,000 ids). */
  readonly tracking?: TrackingLogOptions;
  readonly log?: (line: string) => void;
}

interface KeeperEntry {
  readonly trackingId: string;
  readonly trader: string;
  readonly block: number;
  readonly delay: number;
  readonly cancel: boolean;
  failures: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MarketService {
  readonly log: TrackingLog;
  readonly faults: Faults;
  private readonly chain: MarketChain;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly keeperPollMs: number;
  private readonly maxKeeperFailures: number;
  private readonly triggerLimits: boolean;
  private readonly say: (line: string) => void;
  /** Orders this service registered, by orderId. */
  private readonly tracked = new Map<bigint, KeeperEntry>();
  /** Orders being filled right now (one keeper transaction per order at a time). */
  private readonly inFlight = new Set<bigint>();
  private readonly jobs = new Set<Promise<unknown>>();
  private lastBlock = -1;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(opts: MarketServiceOptions) {
    this.chain = opts.chain;
    this.log = new TrackingLog(opts.tracking);
    this.faults = new Faults(opts.keeperDelayBlocks ?? 1);
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.keeperPollMs = opts.keeperPollMs ?? 200;
    this.maxKeeperFailures = opts.maxKeeperFailures ?? 5;
    this.triggerLimits = opts.triggerLimits ?? true;
    this.say = opts.log ?? (() => undefined);
  }

  get chainInfo(): Pick<MarketChain, 'chainId' | 'tradingRouter'> {
    return { chainId: this.chain.chainId, tradingRouter: this.chain.tradingRouter };
  }

  /** Runs the router's own checks by eth_call; a refusal here is a 400 and nothing is submitted. */
  async precheck(order: ParsedOrder): Promise<Refusal | undefined> {
    try {
      await this.chain.simulate(order.intent);
      return undefined;
    } catch (err) {
      if (err instanceof ChainRevert && REFUSED_BEFORE_STREAM.has(err.code)) {
        return { status: 400, code: err.code, message: err.message };
      }
      // Any other revert (WrongSl, BelowMinPosition, ...) or an RPC hiccup: accepted, and the
      // relayer's attempts report it in the stream, as the real service does.
      return undefined;
    }
  }

  /** Mints a trackingId, records MarketOrderAccepted (seq 0); `run` then starts the relayer. */
  accept(order: ParsedOrder): { trackingId: string; run: () => void } {
    const trackingId = randomUUID();
    this.log.create(trackingId);
    this.log.append(trackingId, 'MarketOrderAccepted', { trackingId });
    const cancel = this.faults.take('cancelNext', order.trader);
    return { trackingId, run: () => this.track(this.relay(trackingId, order, cancel)) };
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.keeperPollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.jobs]);
  }

  private track(p: Promise<unknown>): void {
    this.jobs.add(p);
    void p.finally(() => this.jobs.delete(p));
  }

  private fail(trackingId: string, code: string, message: string): void {
    this.say(`batched-market: ${trackingId} ended in Error ${code}: ${message}`);
    this.log.append(trackingId, 'Error', { status: 'failed', code, message, trackingId });
  }

  /**
   * Submits with up to maxAttempts attempts. An attempt that failed without a revert (RPC error,
   * receipt timeout, the loseReceiptNext fault) may still have registered the order: from then on
   * every attempt first looks for that earlier transaction (by the intent's signer and nonce), and
   * an InvalidNonce on resubmission means "look again", not a refusal, so a lost receipt never
   * turns a registered order into an Error.
   */
  private async relay(trackingId: string, order: ParsedOrder, cancel: boolean): Promise<void> {
    // The keeper's last seen block is at or before any block our transaction can land in.
    const since = Math.max(0, this.lastBlock - 1);
    let uncertain = false;
    let nonceTaken = false;
    const attemptFailed = async (attempt: number, code: string, message: string) => {
      const willRetry = attempt < this.maxAttempts;
      this.say(`batched-market: attempt ${attempt} of ${trackingId} failed: ${message}`);
      this.log.append(trackingId, 'AttemptFailed', { attempt, code, message, willRetry });
      if (willRetry) await sleep(this.retryDelayMs);
    };
    const earlier = async (): Promise<EarlierSubmission | undefined> =>
      this.chain.findSubmitted(order.intent, since).catch((err: unknown) => {
        this.say(`batched-market: looking up the earlier attempt of ${trackingId}: ${String(err)}`);
        return undefined;
      });
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.stopped) return this.fail(trackingId, 'SUBMISSION_FAILED', 'the service stopped');
      if (uncertain) {
        const found = await earlier();
        if (found) return this.recovered(trackingId, order, cancel, found);
      }
      if (this.faults.take('failAttempts', order.trader)) {
        await attemptFailed(attempt, 'SUBMISSION_FAILED', 'submission failed (injected fault)');
        continue;
      }
      try {
        const mined = await this.chain.submit(order.intent);
        if (this.faults.take('loseReceiptNext', order.trader)) {
          // Mined, but the relayer never learns it: it must find out the way it would for real.
          uncertain = true;
          await attemptFailed(
            attempt,
            'SUBMISSION_FAILED',
            `no receipt for ${mined.transactionHash} (injected fault)`,
          );
          continue;
        }
        return this.registered(trackingId, order, cancel, mined);
      } catch (err) {
        if (err instanceof ChainRevert) {
          if (uncertain && err.code === 'InvalidNonce') {
            // Our earlier transaction used the nonce but is not found mined yet (still pending).
            nonceTaken = true;
            await attemptFailed(
              attempt,
              'SUBMISSION_FAILED',
              'an earlier attempt of this intent is not mined yet',
            );
            continue;
          }
          // A contract refusal is the outcome, not a glitch: retrying cannot change it.
          return this.fail(trackingId, err.code, err.message);
        }
        uncertain = true;
        await attemptFailed(attempt, 'SUBMISSION_FAILED', err instanceof Error ? err.message : String(err));
      }
    }
    const found = uncertain ? await earlier() : undefined;
    if (found) return this.recovered(trackingId, order, cancel, found);
    // The nonce went to something that is not ours after all: that is the refusal it is.
    if (nonceTaken) return this.fail(trackingId, 'InvalidNonce', 'the intent nonce is used');
    this.fail(trackingId, 'ATTEMPTS_EXHAUSTED', `no submission succeeded in ${this.maxAttempts} attempts`);
  }

  /** Records the registration and hands the order to the keeper. */
  private registered(
    trackingId: string,
    order: ParsedOrder,
    cancel: boolean,
    mined: Mined<Initiation>,
  ): void {
    const initiation = mined.value;
    this.log.append(trackingId, initiation.type, initiationWire(initiation, mined.transactionHash));
    this.tracked.set(initiation.orderId, {
      trackingId,
      trader: order.trader,
      block: mined.block,
      delay: this.faults.keeperDelayBlocks(order.trader),
      cancel,
      failures: 0,
    });
    // Do not wait for the poll timer when the next block may already be there.
    void this.tick();
  }

  /**
   * An order found registered after the fact: until now the keeper saw it as nobody's and may
   * already have settled it. Tracking it first, then looking for that settlement, leaves no gap: a
   * fill mined later is logged by the keeper itself (settle reads the entry after mining).
   */
  private async recovered(
    trackingId: string,
    order: ParsedOrder,
    cancel: boolean,
    found: EarlierSubmission,
  ): Promise<void> {
    this.say(
      `batched-market: ${trackingId} was registered by an earlier attempt (${found.initiation.transactionHash})`,
    );
    this.registered(trackingId, order, cancel, found.initiation);
    const orderId = found.initiation.value.orderId;
    const settled =
      found.settlement ??
      (await this.chain.findSubmitted(order.intent, found.initiation.block).catch(() => undefined))
        ?.settlement;
    const entry = this.tracked.get(orderId);
    if (settled && entry?.trackingId === trackingId) {
      this.tracked.delete(orderId);
      this.log.append(trackingId, settled.value.type, settlementWire(settled.value, settled.transactionHash));
    }
  }

  /** One keeper pass per new block: due market orders, then TP/SL/liquidations. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const block = await this.chain.blockNumber();
      if (block === this.lastBlock) return;
      this.lastBlock = block;
      const known = new Map([...this.tracked].map(([orderId, e]) => [orderId, e.block]));
      const pending = await this.chain.pendingOrders(known).catch((err: unknown) => {
        this.say(`batched-market keeper: pending orders read failed: ${String(err)}`);
        return [] as PendingOrder[];
      });
      const due = new Map<bigint, PendingOrder>();
      for (const p of pending) due.set(p.orderId, p);
      for (const [orderId, e] of this.tracked) due.set(orderId, { orderId, block: e.block });
      const work: Promise<void>[] = [];
      for (const p of due.values()) {
        const delay = this.tracked.get(p.orderId)?.delay ?? this.faults.keeperDelayBlocks(undefined);
        // A transaction sent now lands in block + 1 or later, i.e. `delay` blocks after registration.
        if (block + 1 >= p.block + delay && !this.inFlight.has(p.orderId)) work.push(this.settle(p));
      }
      await Promise.all(work);
      if (this.triggerLimits) await this.runLimits();
    } catch (err) {
      this.say(`batched-market keeper: ${String(err)}`);
    } finally {
      this.ticking = false;
    }
  }

  private async settle(p: PendingOrder): Promise<void> {
    const entry = this.tracked.get(p.orderId);
    this.inFlight.add(p.orderId);
    try {
      const mined = entry?.cancel
        ? await this.chain.cancelMarketOrder(p.orderId)
        : await this.chain.executeMarketOrder(p.orderId);
      this.settled(p.orderId, mined);
    } catch (err) {
      if (err instanceof ChainRevert && err.code === 'OrderNotReady') return;
      if (err instanceof ChainRevert && err.code === 'UnknownOrder' && (await this.settledElsewhere(p)))
        return;
      this.say(`batched-market keeper: order ${p.orderId}: ${String(err)}`);
      if (!entry) return;
      entry.failures += 1;
      if (entry.failures >= this.maxKeeperFailures) {
        this.tracked.delete(p.orderId);
        this.fail(
          entry.trackingId,
          'TX_NOT_EXECUTED',
          `the keeper could not settle order ${p.orderId}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    } finally {
      this.inFlight.delete(p.orderId);
    }
  }

  /**
   * An order no longer pending was settled by a transaction this keeper did not see through (another
   * keeper, or an earlier attempt whose receipt was lost): its stream gets the settlement the chain
   * holds, as Avantis' service reports a fill whichever keeper made it. False when none is mined.
   */
  private async settledElsewhere(p: PendingOrder): Promise<boolean> {
    const settled = await this.chain.settlementOf(p.orderId, p.block).catch(() => undefined);
    if (!settled) return false;
    this.say(`batched-market keeper: order ${p.orderId} was settled by ${settled.transactionHash}`);
    this.settled(p.orderId, settled);
    return true;
  }

  /** Ends the tracking of a settled order and puts the settlement on its stream. */
  private settled(orderId: bigint, mined: Mined<Settlement>): void {
    // Read now, not before the settlement: a retry may have recognised the order as its own meanwhile.
    const owner = this.tracked.get(orderId);
    this.tracked.delete(orderId);
    if (owner)
      this.log.append(owner.trackingId, mined.value.type, settlementWire(mined.value, mined.transactionHash));
  }

  private async runLimits(): Promise<void> {
    const triggers = await this.chain.limitTriggers();
    await Promise.all(
      triggers.map((t) =>
        this.chain
          .executeLimit(t)
          .catch((err: unknown) =>
            this.say(
              `batched-market keeper: executeLimit ${t.trader}/${t.pairIndex}/${t.index}: ${String(err)}`,
            ),
          ),
      ),
    );
  }
}
