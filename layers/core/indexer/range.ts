// Range mode: index [fromBlock, toBlock] once and summarise. It stores trade events only (and
// quarantines what it cannot decode): positions and signals follow the live cursor, and replaying
// history must never alert followers.
import type { ChainReader } from '../ports/chain.js';
import type { AppLog } from '../ports/runtime.js';
import type { TradeEventStore } from '../ports/stores.js';
import { ingestPage } from './ingest.js';
import type { UpgradeTracker } from './upgrade.js';
import { progressReporter } from './progress.js';

export interface RangeSummary {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly lastBlock: number | null;
  readonly logs: number;
  readonly eventsByKind: Readonly<Record<string, number>>;
  readonly traders: number;
  /** Trade events stored, and the fills (executions) among them. */
  readonly eventsWritten: number;
  readonly fillsWritten: number;
  readonly undecodableLogs: number;
  readonly unknownTopicLogs: number;
  /** `address topic0` -> unknown-topic logs. */
  readonly unknownByAddressTopic: Readonly<Record<string, number>>;
  readonly undecodableByTopic0: Readonly<Record<string, number>>;
  readonly unattributedFeeEvents: number;
  readonly pages: number;
  readonly finalPageSize: number;
  readonly seconds: number;
}

export async function indexRange(
  range: { fromBlock: number; toBlock: number; pageSize: number },
  deps: {
    chain: ChainReader;
    fills: TradeEventStore;
    log: AppLog;
    now?: () => number;
    upgrade?: UpgradeTracker;
  },
): Promise<RangeSummary> {
  const now = deps.now ?? (() => Date.now());
  const started = now();
  const eventsByKind: Record<string, number> = {};
  const undecodableByTopic0: Record<string, number> = {};
  const traders = new Set<string>();
  let logs = 0;
  let fillsWritten = 0;
  let eventsWritten = 0;
  let unknownTopicLogs = 0;
  const unknownByAddressTopic: Record<string, number> = {};
  let undecodable = 0;
  let unattributed = 0;
  let pages = 0;
  let lastBlock: number | null = null;
  const progress = progressReporter(deps.log, 'range progress', 'RANGE_PROGRESS', now);
  await deps.upgrade?.ready?.({ deadline: Number.POSITIVE_INFINITY, now, log: deps.log });

  for await (const page of deps.chain.logPages(range)) {
    const summary = await ingestPage(page, {
      fills: deps.fills,
      timestamps: async (blocks) =>
        new Map(
          await Promise.all(blocks.map(async (n) => [n, (await deps.chain.header(n)).timestamp] as const)),
        ),
      ...(deps.upgrade ? { upgrade: deps.upgrade } : {}),
    });
    for (const [key, n] of Object.entries(summary.drift.unknownByAddressTopic)) {
      unknownByAddressTopic[key] = (unknownByAddressTopic[key] ?? 0) + n;
      const topic0 = key.split(' ')[1] ?? key;
      undecodableByTopic0[topic0] = (undecodableByTopic0[topic0] ?? 0) + n;
    }
    for (const [reason, n] of Object.entries(summary.drift.undecodableByReason)) {
      const key = `(malformed) ${reason}`;
      undecodableByTopic0[key] = (undecodableByTopic0[key] ?? 0) + n;
    }
    unknownTopicLogs += summary.unknownTopics;
    eventsWritten += summary.records.length;
    pages += 1;
    logs += summary.logs;
    fillsWritten += summary.fills.length;
    undecodable += summary.undecodable;
    unattributed += summary.unattributed;
    for (const [k, n] of Object.entries(summary.eventsByKind)) eventsByKind[k] = (eventsByKind[k] ?? 0) + n;
    for (const f of summary.records) traders.add(f.trader);
    lastBlock = page.toBlock;
    progress({
      fromBlock: range.fromBlock,
      toBlock: range.toBlock,
      block: page.toBlock,
      extra: { fills: fillsWritten },
    });
  }
  return {
    fromBlock: range.fromBlock,
    toBlock: range.toBlock,
    lastBlock,
    logs,
    eventsByKind,
    traders: traders.size,
    eventsWritten,
    fillsWritten,
    undecodableLogs: undecodable,
    unknownTopicLogs,
    unknownByAddressTopic,
    undecodableByTopic0,
    unattributedFeeEvents: unattributed,
    pages,
    finalPageSize: deps.chain.currentPageSize(),
    seconds: Math.round((now() - started) / 100) / 10,
  };
}
