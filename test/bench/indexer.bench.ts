// Indexer benchmarks on the local stack: decode + persist fills into DynamoDB Local (events/s), and
// block mined -> signal enqueued on anvil with 1 s blocks (p50/p95 over real trades).
import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { ingestPage } from '#core/indexer/ingest.js';
import type { RawLog } from '#core/domain/trade-events.js';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { createTables } from '../../local/provision.js';
import type { LocalStack } from '../../local/stack.js';
import { fixedUpgrade } from '#core/indexer/upgrade.js';
import { BENCH_UPGRADE, buildLogs } from './decode.bench.js';
import { summarize, type LatencySummary } from './stats.js';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

/**
 * CPU seconds (user + system) a process has used so far, from /proc (USER_HZ is 100 on Linux);
 * undefined where that cannot be read.
 */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Pages of `pageLogs` decoded and written, as the backfill does with the unfiltered fetch: trade
 * events stored, skipped events dropped, unknown ones quarantined; no positions or signals. Also
 * reports this process's CPU and DynamoDB Local's in that time, and each per item written: on 2
 * cores the two share the machine, so their sum per item bounds the rate (measured 2026-12: about
 * 270 us of DynamoDB Local's CPU per item whatever the item's size, most of it in its one SQLite
 * thread; the rest of the wall time is waiting for a core).
 */
export async function persistBench(stack: LocalStack, total = 20_000, pageLogs = 2_000) {
  const dynamo = new DynamoDBClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.dynamodb,
    credentials,
  });
  const tables = await createTables(dynamo, `bench${Date.now() % 100_000}`);
  const fills = new DynamoFillStore(DynamoDBDocumentClient.from(dynamo), tables.fills);
  // Synthetic logs spread over blocks; unique (block, logIndex) so every fill is a new item.
  const logs = buildLogs(total).map((l, i): RawLog => ({
    ...l,
    blockNumber: 1_000 + Math.floor(i / 50),
    logIndex: i % 50,
  }));
  const dynamodbPid = stack.processes().dynamodb;
  const dynamodbCpu = processCpuSeconds(dynamodbPid);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let written = 0;
  for (let i = 0; i < logs.length; i += pageLogs) {
    const page = logs.slice(i, i + pageLogs);
    const summary = await ingestPage(
      { fromBlock: page[0]?.blockNumber ?? 0, toBlock: page.at(-1)?.blockNumber ?? 0, logs: page },
      {
        fills,
        timestamps: async (blocks) => new Map(blocks.map((b) => [b, 1_700_000_000 + b])),
        upgrade: fixedUpgrade(BENCH_UPGRADE.upgradeBlock),
      },
    );
    written += summary.records.length + summary.undecodable;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const dynamodbCpuAfter = processCpuSeconds(dynamodbPid);
  dynamo.destroy();
  const nodeCpuSeconds = (used.user + used.system) / 1e6;
  const dynamodbCpuSeconds =
    dynamodbCpu !== undefined && dynamodbCpuAfter !== undefined ? dynamodbCpuAfter - dynamodbCpu : undefined;
  const perItem = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / Math.max(1, written));
  return {
    events: total,
    /** Items written: trade events plus quarantined logs. */
    itemsWritten: written,
    seconds: Math.round(seconds * 100) / 100,
    /** CPU of this process (decode, records, the SDK's requests) within `seconds`. */
    nodeCpuSeconds: Math.round(nodeCpuSeconds * 100) / 100,
    nodeCpuMicrosPerItem: perItem(nodeCpuSeconds),
    ...(dynamodbCpuSeconds !== undefined
      ? {
          /** DynamoDB Local's CPU within `seconds` (its JVM, all threads). */
          dynamodbCpuSeconds: Math.round(dynamodbCpuSeconds * 100) / 100,
          dynamodbCpuMicrosPerItem: perItem(dynamodbCpuSeconds),
        }
      : {}),
    eventsPerSecond: Math.round(total / seconds),
  };
}

/**
 * The backfill's steady state: a backfill of Base's history writes millions of events, so what
 * counts is the rate once both JITs (this process's V8 and DynamoDB Local's JVM, which DynamoDB
 * itself does not have) have compiled the hot path. Measured 2026-12-03 on an idle machine: a cold
 * first pass about 3,000 events/s, then 4,500, 5,700, 6,500, 9,300 as the JITs warm. Reported: the
 * cold pass, every warm pass, and the median of the last three as the steady rate.
 */
export async function persistSteadyBench(stack: LocalStack, passes = 4) {
  const cold = await persistBench(stack, 10_000);
  const warm = [];
  for (let i = 0; i < passes; i++) warm.push(await persistBench(stack));
  const last = warm
    .slice(-3)
    .map((w) => w.eventsPerSecond)
    .sort((a, b) => a - b);
  return {
    cold,
    warmEventsPerSecond: warm.map((w) => w.eventsPerSecond),
    steady: warm.at(-1),
    steadyEventsPerSecond: last[Math.floor(last.length / 2)] ?? 0,
  };
}

async function drain(
  sqs: SQSClient,
  queueUrl: string,
  onSignal: (trader: string, sentAt: number, kind: string) => void,
) {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['SentTimestamp'],
    }),
  );
  const messages = out.Messages ?? [];
  for (const m of messages) {
    const s = JSON.parse(m.Body ?? '{}') as { trader: string; kind: string };
    onSignal(s.trader, Number(m.Attributes?.SentTimestamp), s.kind);
  }
  if (messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
}

/**
 * Opens `trades` positions, one per block, and measures from the moment the block is first served
 * by the node (polled every 10 ms) to the moment SQS stamped the signal as sent.
 */
export async function signalLatencyBench(
  stack: LocalStack,
  sqs: SQSClient,
  trades = 30,
): Promise<LatencySummary> {
  const chain = stack.info.chain;
  if (chain.mode !== 'local') throw new Error('the latency bench needs the local chain');
  const rpc = stack.info.endpoints.rpc;
  const blockSeenAt = new Map<number, number>();
  let polling = true;
  const poller = (async () => {
    let last = -1;
    while (polling) {
      const res = await fetch(rpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      });
      const n = Number(((await res.json()) as { result: string }).result);
      for (let b = last + 1; b <= n; b++) if (!blockSeenAt.has(b)) blockSeenAt.set(b, Date.now());
      last = n;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const traders = await Promise.all(
    Array.from({ length: trades }, (_, i) => LocalTrader.create(rpc, chain.addresses, 300 + i)),
  );
  const openedIn = new Map<string, number>();
  const sentAt = new Map<string, number>();
  for (const t of traders) {
    // v1.5: filled in the trader's own transaction; v2: measured from the keeper's fill block.
    const filled = await t.openFilled({
      pairIndex: 0,
      collateralUsdc: 100n * USDC_UNIT,
      leverage: 5,
      buy: true,
    });
    openedIn.set(t.address, filled.blockNumber);
  }
  const end = Date.now() + 30_000;
  while (sentAt.size < trades && Date.now() < end) {
    await drain(sqs, stack.info.queues.signals.url, (trader, at, kind) => {
      if (kind === 'OPEN' && openedIn.has(trader) && !sentAt.has(trader)) sentAt.set(trader, at);
    });
  }
  polling = false;
  await poller;
  const samples = [...sentAt].map(([trader, at]) => at - (blockSeenAt.get(openedIn.get(trader) ?? -1) ?? at));
  if (samples.length < trades) throw new Error(`only ${samples.length} of ${trades} signals arrived`);
  return summarize(samples);
}
