// Range mode: index [fromBlock, toBlock] once and summarise. It stores fills only: positions and
// signals follow the live cursor, and replaying history must never alert followers.
import type { AppLog, ChainReader, FillStore } from '../ports.js';
import { ingestPage } from './ingest.js';
import { progressReporter } from './progress.js';

export interface RangeSummary {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly lastBlock: number | null;
  readonly logs: number;
  readonly eventsByKind: Readonly<Record<string, number>>;
  readonly traders: number;
  readonly fillsWritten: number;
  readonly undecodableLogs: number;
  readonly undecodableByTopic0: Readonly<Record<string, number>>;
  readonly unattributedFeeEvents: number;
  readonly pages: number;
  readonly finalPageSize: number;
  readonly seconds: number;
}

export async function indexRange(
  range: { fromBlock: number; toBlock: number; pageSize: number },
  deps: { chain: ChainReader; fills: FillStore; log: AppLog; now?: () => number },
): Promise<RangeSummary> {
  const now = deps.now ?? (() => Date.now());
  const started = now();
  const eventsByKind: Record<string, number> = {};
  const undecodableByTopic0: Record<string, number> = {};
  const traders = new Set<string>();
  let logs = 0;
  let fillsWritten = 0;
  let undecodable = 0;
  let unattributed = 0;
  let pages = 0;
  let lastBlock: number | null = null;
  const progress = progressReporter(deps.log, 'range progress', 'RANGE_PROGRESS', now);

  for await (const page of deps.chain.logPages(range)) {
    const summary = await ingestPage(page, {
      fills: deps.fills,
      timestamps: async (blocks) =>
        new Map(
          await Promise.all(blocks.map(async (n) => [n, (await deps.chain.header(n)).timestamp] as const)),
        ),
      onUndecodable: (topic0) => {
        const key = topic0 ?? '(no topics)';
        undecodableByTopic0[key] = (undecodableByTopic0[key] ?? 0) + 1;
      },
    });
    pages += 1;
    logs += summary.logs;
    fillsWritten += summary.fills.length;
    undecodable += summary.undecodable;
    unattributed += summary.unattributed;
    for (const [k, n] of Object.entries(summary.eventsByKind)) eventsByKind[k] = (eventsByKind[k] ?? 0) + n;
    for (const f of summary.fills) traders.add(f.trader);
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
    fillsWritten,
    undecodableLogs: undecodable,
    undecodableByTopic0,
    unattributedFeeEvents: unattributed,
    pages,
    finalPageSize: deps.chain.currentPageSize(),
    seconds: Math.round((now() - started) / 100) / 10,
  };
}
