// One page of logs -> trade events stored -> positions updated -> signals published. The order is
// the guarantee: a signal leaves only after its fill is stored, and the caller moves the cursor last.
// The page holds every log of the watched addresses (no topic0 filter), so schema drift is seen: a
// log with an unknown topic0, or a known one whose body does not fit, is counted by (address,
// topic0) and reason, and kept raw in quarantine before the cursor may pass it; known events we do
// not decode are skipped silently. None of them stops the page.
import { decodeLogs } from '../domain/avantis/decode.js';
import { isFill, recordsFromEvents, type Fill, type TradeEventRecord } from '../domain/fills.js';
import { applyFill, positionKey, slotOf, type Position } from '../domain/positions.js';
import { signalFromFill, type Signal } from '../domain/signals.js';
import { isExecution, type RawLog, type TradeEvent } from '../domain/trade-events.js';
import { applyFillToStats, emptyStats, type TraderStats } from '../domain/analytics/stats.js';
import type { LogPage } from '../ports/chain.js';
import type { SignalQueue } from '../ports/queues.js';
import type { PositionStore, QuarantinedLog, StatsStore, TradeEventStore } from '../ports/stores.js';
import { fixedUpgrade, type UpgradeTracker } from './upgrade.js';

export interface LiveSinks {
  readonly positions: PositionStore;
  readonly stats: Pick<StatsStore, 'getMany' | 'putMany' | 'putPrices'>;
  readonly signals: SignalQueue;
}

/** What one page could not decode, for metrics and logs. */
export interface DriftCounts {
  /** `address topic0` -> logs with that unknown topic0. */
  readonly unknownByAddressTopic: Readonly<Record<string, number>>;
  /** `reason` -> logs with a known topic0 whose body does not fit. */
  readonly undecodableByReason: Readonly<Record<string, number>>;
  readonly unknown: number;
  readonly undecodable: number;
  /** A few of each, to log. */
  readonly samples: readonly QuarantinedLog[];
}

export interface IngestDeps {
  readonly fills: TradeEventStore;
  /**
   * Positions, stats and signals follow the live cursor. Without them (range mode) only events are
   * stored: replaying history must never alert followers or count a fill twice in stats.
   */
  readonly live?: LiveSinks;
  /** Block timestamps (unix s) for the blocks that have logs. */
  readonly timestamps: (blockNumbers: readonly number[]) => Promise<Map<number, number>>;
  /** The upgrade block for era-dependent decoding; default: none known (all v1). */
  readonly upgrade?: UpgradeTracker;
  /** Called once per page that had undecodable logs, before the page's events are stored. */
  readonly onDrift?: (drift: DriftCounts, page: { fromBlock: number; toBlock: number }) => void;
}

export interface PageSummary {
  readonly logs: number;
  /** Unknown topic0 plus malformed known ones (both quarantined). */
  readonly undecodable: number;
  readonly unknownTopics: number;
  /** Known events deliberately not decoded (proxy upgrades, OI updates, ...). */
  readonly ignored: number;
  readonly unattributed: number;
  /** Every stored trade event of the page. */
  readonly records: readonly TradeEventRecord[];
  /** The executions among them. */
  readonly fills: readonly Fill[];
  readonly signals: readonly Signal[];
  readonly eventsByKind: Readonly<Record<string, number>>;
  readonly drift: DriftCounts;
  /** Traders with events in each block, for reorg rollback. */
  readonly tradersByBlock: ReadonlyMap<number, readonly string[]>;
  /** Addresses with quarantined logs in each block, for reorg rollback. */
  readonly quarantinedByBlock: ReadonlyMap<
    number,
    { readonly hash: string; readonly addresses: readonly string[] }
  >;
}

const pid = (trader: string, key: string) => `${trader}|${key}`;
const SAMPLES = 5;

export async function ingestPage(page: LogPage, deps: IngestDeps): Promise<PageSummary> {
  const upgrade = deps.upgrade ?? fixedUpgrade(undefined);
  upgrade.observe(page.logs);
  const events: TradeEvent[] = [];
  const quarantined: QuarantinedLog[] = [];
  const unknownByAddressTopic: Record<string, number> = {};
  const undecodableByReason: Record<string, number> = {};
  let unknown = 0;
  let ignored = 0;
  const results = decodeLogs(page.logs, upgrade.context());
  results.forEach((r, i) => {
    if (r.ok) {
      events.push(r.event);
      return;
    }
    if (r.reason === 'IGNORED') {
      ignored += 1;
      return;
    }
    const log = page.logs[i] as RawLog;
    if (r.reason === 'UNKNOWN_TOPIC') {
      unknown += 1;
      const key = `${log.address.toLowerCase()} ${r.topic0 ?? '(no topics)'}`;
      unknownByAddressTopic[key] = (unknownByAddressTopic[key] ?? 0) + 1;
    } else {
      const reason = r.detail ?? 'malformed';
      undecodableByReason[reason] = (undecodableByReason[reason] ?? 0) + 1;
    }
    quarantined.push({ log, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}) });
  });
  const drift: DriftCounts = {
    unknownByAddressTopic,
    undecodableByReason,
    unknown,
    undecodable: quarantined.length - unknown,
    samples: quarantined.slice(0, SAMPLES),
  };
  if (quarantined.length > 0) {
    deps.onDrift?.(drift, page);
    // Kept before the cursor can move past them: nothing the chain said is lost.
    await deps.fills.putQuarantined(quarantined);
  }

  const blocks = [...new Set(events.map((e) => e.blockNumber))];
  const timestamps = blocks.length > 0 ? await deps.timestamps(blocks) : new Map<number, number>();
  const { records, unattributed } = recordsFromEvents(events, (n) => timestamps.get(n) ?? 0);
  await deps.fills.putEvents(records);
  const fills = records.filter(isFill);

  const signals: Signal[] = [];
  const live = deps.live;
  if (live) {
    const touched = records.flatMap((f) => {
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
    if (records.length > 0) {
      await updateStats(records, live.stats);
      await live.stats.putPrices(latestPrices(events));
    }
    for (const f of fills) {
      const s = signalFromFill(f);
      if (s) signals.push(s);
    }
    await live.signals.publish(signals);
  }

  const eventsByKind: Record<string, number> = {};
  for (const e of events) eventsByKind[e.kind] = (eventsByKind[e.kind] ?? 0) + 1;
  const tradersByBlock = new Map<number, string[]>();
  for (const f of records) {
    const list = tradersByBlock.get(f.event.blockNumber) ?? [];
    if (!list.includes(f.trader)) list.push(f.trader);
    tradersByBlock.set(f.event.blockNumber, list);
  }
  const quarantinedByBlock = new Map<number, { hash: string; addresses: string[] }>();
  for (const { log } of quarantined) {
    const entry = quarantinedByBlock.get(log.blockNumber) ?? { hash: log.blockHash, addresses: [] };
    const address = log.address.toLowerCase();
    if (!entry.addresses.includes(address)) entry.addresses.push(address);
    quarantinedByBlock.set(log.blockNumber, entry);
  }
  return {
    logs: page.logs.length,
    undecodable: quarantined.length,
    unknownTopics: unknown,
    ignored,
    unattributed,
    records,
    fills,
    signals,
    eventsByKind,
    drift,
    tradersByBlock,
    quarantinedByBlock,
  };
}

/** Folds the page's events into each trader's stats (an event already absorbed is skipped). */
async function updateStats(records: readonly TradeEventRecord[], store: LiveSinks['stats']): Promise<void> {
  const current = await store.getMany([...new Set(records.map((f) => f.trader))]);
  const touched = new Map<string, TraderStats>();
  for (const fill of records) {
    const stats = touched.get(fill.trader) ?? current.get(fill.trader) ?? emptyStats(fill.trader);
    touched.set(fill.trader, stats);
    applyFillToStats(stats, fill);
  }
  await store.putMany([...touched.values()]);
}

/** The last execution price of each pair in the page (chain order, so the last one wins). */
function latestPrices(events: readonly TradeEvent[]): Map<number, bigint> {
  const prices = new Map<number, bigint>();
  for (const e of events) if (isExecution(e)) prices.set(e.trade.pairIndex, e.price);
  return prices;
}
