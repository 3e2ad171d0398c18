// Fault injection [local] for the batched-market service, like the Telegram stand-in's: tests arm
// counters through `POST {faultsUrl}` and the service consumes them. Each counter may be scoped to
// one trader (`"trader": "0x…"`), so a test on the shared stack does not trip over other traffic
// (the simulator's orders, another test's copies). Nothing here exists on Avantis' side.
import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';

export const COUNTED_FAULTS = [
  /** The next N submission attempts fail (AttemptFailed SUBMISSION_FAILED, then ATTEMPTS_EXHAUSTED). */
  'failAttempts',
  /** The next N accepted orders are cancelled by the keeper instead of filled (MarketOrderCanceled). */
  'cancelNext',
  /** The next N streams end with STREAM_TIMEOUT right after MarketOrderAccepted; the order goes on. */
  'streamTimeoutNext',
  /** The next N POSTs to /market/execute-batched are answered 503 before any stream. */
  'http5xx',
  /** The next N streams are cut after MarketOrderAccepted with no terminal and no STREAM_TIMEOUT. */
  'dropStreamNext',
  /**
   * The next N submissions are mined but the relayer never gets their receipt (as after an RPC
   * timeout): the attempt fails, and the retry must find the order the first one registered.
   */
  'loseReceiptNext',
] as const;
export type CountedFault = (typeof COUNTED_FAULTS)[number];

const count = z.number().int().min(0).max(1_000_000);
const address = z
  .string()
  .refine((s) => isAddress(s), 'an 0x address')
  .transform((s) => getAddress(s));

export const FaultsRequest = z
  .object({
    failAttempts: count.optional(),
    cancelNext: count.optional(),
    streamTimeoutNext: count.optional(),
    http5xx: count.optional(),
    dropStreamNext: count.optional(),
    loseReceiptNext: count.optional(),
    /** Blocks between an order's registration and its fill (default 1: the next block). */
    keeperDelayBlocks: z.number().int().min(1).max(10_000).optional(),
    /** Applies the faults above to this trader's orders only. */
    trader: address.optional(),
  })
  .strict();
export type FaultsRequest = z.infer<typeof FaultsRequest>;

interface Armed {
  readonly fault: CountedFault;
  remaining: number;
  readonly trader: string | undefined;
}

export interface FaultsView {
  readonly armed: readonly { fault: CountedFault; remaining: number; trader?: string }[];
  readonly keeperDelayBlocks: number;
  readonly keeperDelayBlocksByTrader: Readonly<Record<string, number>>;
}

export class Faults {
  private armed: Armed[] = [];
  private delay: number;
  private readonly delayByTrader = new Map<string, number>();

  constructor(private readonly defaultKeeperDelayBlocks: number) {
    this.delay = defaultKeeperDelayBlocks;
  }

  arm(req: FaultsRequest): void {
    const trader = req.trader?.toLowerCase();
    for (const fault of COUNTED_FAULTS) {
      const n = req[fault];
      if (n !== undefined && n > 0) this.armed.push({ fault, remaining: n, trader });
    }
    if (req.keeperDelayBlocks !== undefined) {
      if (trader) this.delayByTrader.set(trader, req.keeperDelayBlocks);
      else this.delay = req.keeperDelayBlocks;
    }
  }

  /** Takes one from the first matching counter; true when the fault applies to this request. */
  take(fault: CountedFault, trader: string | undefined): boolean {
    const t = trader?.toLowerCase();
    const hit = this.armed.find(
      (a) => a.fault === fault && a.remaining > 0 && (a.trader === undefined || a.trader === t),
    );
    if (!hit) return false;
    hit.remaining -= 1;
    this.armed = this.armed.filter((a) => a.remaining > 0);
    return true;
  }

  keeperDelayBlocks(trader: string | undefined): number {
    return (trader && this.delayByTrader.get(trader.toLowerCase())) || this.delay;
  }

  clear(): void {
    this.armed = [];
    this.delay = this.defaultKeeperDelayBlocks;
    this.delayByTrader.clear();
  }

  view(): FaultsView {
    return {
      armed: this.armed.map((a) => ({
        fault: a.fault,
        remaining: a.remaining,
        ...(a.trader ? { trader: a.trader } : {}),
      })),
      keeperDelayBlocks: this.delay,
      keeperDelayBlocksByTrader: Object.fromEntries(this.delayByTrader),
    };
  }
}
