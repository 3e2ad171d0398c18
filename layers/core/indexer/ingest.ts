// One page of logs -> fills stored -> positions updated -> signals published. The order is the
// guarantee: a signal leaves only after its fill is stored, and the caller moves the cursor last.
import { decodeLogs } from '../domain/avantis/decode.js';
import { fillsFromEvents, type Fill } from '../domain/fills.js';
import { applyFill, positionKey, slotOf, type Position } from '../domain/positions.js';
import { signalFromFill, type Signal } from '../domain/signals.js';
import type { TradeEvent } from '../domain/trade-events.js';
import { applyFillToStats, emptyStats, type TraderStats } from '../domain/analytics/stats.js';
import { settleCopies } from '../copy/settle.js';
import type {
  FanoutQueue,
  FillStore,
  IntentStore,
  LogPage,
  PositionStore,
  SignalQueue,
  StatsStore,
} from '../ports.js';

export interface LiveSinks {
  readonly positions: PositionStore;
  readonly stats: Pick<StatsStore, 'getMany' | 'putMany' | 'putPrices'>;
  readonly signals: SignalQueue;
  /** Copy intents whose transactions this page mined become MINED, and their users are told. */
  readonly copies?: { readonly intents: IntentStore; readonly notices: FanoutQueue };
}

export interface IngestDeps {
  readonly fills: FillStore;
  /**
   * Positions, stats and signals follow the live cursor. Without them (range mode) only fills are
   * stored: replaying history must never alert followers or count a fill twice in stats.
   */
  readonly live?: LiveSinks;
  /** Block timestamps (unix s) for the blocks that have logs. */
  readonly timestamps: (blockNumbers: readonly number[]) => Promise<Map<number, number>>;
  readonly onUndecodable: (
    topic0: string | undefined,
    reason: string,
    log: { blockNumber: number; logIndex: number },
  ) => void;
}

export interface PageSummary {
  readonly logs: number;
  readonly undecodable: number;
  readonly unattributed: number;
  readonly fills: readonly Fill[];
  readonly signals: readonly Signal[];
  readonly eventsByKind: Readonly<Record<string, number>>;
  /** Traders with fills in each block, for reorg rollback. */
  readonly tradersByBlock: ReadonlyMap<number, readonly string[]>;
}

const pid = (trader: string, key: string) => `${trader}|${key}`;

export async function ingestPage(page: LogPage, deps: IngestDeps): Promise<PageSummary> {
  const events: TradeEvent[] = [];
  let undecodable = 0;
  const results = decodeLogs(page.logs);
  results.forEach((r, i) => {
    if (r.ok) events.push(r.event);
    else {
      undecodable += 1;
      const log = page.logs[i] as LogPage['logs'][number];
      deps.onUndecodable(r.topic0, r.reason, log);
    }
  });

  const blocks = [...new Set(events.map((e) => e.blockNumber))];
  const timestamps = blocks.length > 0 ? await deps.timestamps(blocks) : new Map<number, number>();
  const { fills, unattributed } = fillsFromEvents(events, (n) => timestamps.get(n) ?? 0);
  await deps.fills.putFills(fills);

  const signals: Signal[] = [];
  const live = deps.live;
  if (live) {
    const touched = fills.flatMap((f) => {
      const slot = slotOf(f);
      return slot ? [{ fill: f, id: pid(f.trader, positionKey(slot.pairIndex, slot.tradeIndex)) }] : [];
    });
    if (touched.length > 0) {
      const current = await live.positions.getMany(
        touched.map(({ id }) => {
          const [trader, positionKey] = id.split('|') as [string, string];
          return { trader, positionKey };
        }),
      );
      const next = new Map<string, Position | undefined>();
      for (const { fill, id } of touched) {
        const before = next.has(id) ? next.get(id) : current.get(id);
        next.set(id, applyFill(before, fill));
      }
      await live.positions.apply(next);
    }
    if (fills.length > 0) {
      await updateStats(fills, live.stats);
      await live.stats.putPrices(latestPrices(events));
    }
    if (live.copies) await settleCopies(fills, live.copies);
    for (const f of fills) {
      const s = signalFromFill(f);
      if (s) signals.push(s);
    }
    await live.signals.publish(signals);
  }

  const eventsByKind: Record<string, number> = {};
  for (const e of events) eventsByKind[e.kind] = (eventsByKind[e.kind] ?? 0) + 1;
  const tradersByBlock = new Map<number, string[]>();
  for (const f of fills) {
    const list = tradersByBlock.get(f.event.blockNumber) ?? [];
    if (!list.includes(f.trader)) list.push(f.trader);
    tradersByBlock.set(f.event.blockNumber, list);
  }
  return { logs: page.logs.length, undecodable, unattributed, fills, signals, eventsByKind, tradersByBlock };
}

/** Folds the page's fills into each trader's stats (a fill already absorbed is skipped). */
async function updateStats(fills: readonly Fill[], store: LiveSinks['stats']): Promise<void> {
  const current = await store.getMany([...new Set(fills.map((f) => f.trader))]);
  const touched = new Map<string, TraderStats>();
  for (const fill of fills) {
    const stats = touched.get(fill.trader) ?? current.get(fill.trader) ?? emptyStats(fill.trader);
    touched.set(fill.trader, stats);
    applyFillToStats(stats, fill);
  }
  await store.putMany([...touched.values()]);
}

/** The last execution price of each pair in the page (chain order, so the last one wins). */
function latestPrices(events: readonly TradeEvent[]): Map<number, bigint> {
  const prices = new Map<number, bigint>();
  for (const e of events) {
    if (e.kind === 'MarketExecuted' || e.kind === 'LimitExecuted') prices.set(e.trade.pairIndex, e.price);
  }
  return prices;
}
