// The copy benchmark (issue 10): one trader's open routed to N AUTO followers in LIVE through the
// local batched-market service (anvil, 1 s blocks). Each follower has their own wallet that
// delegated to their own Alfa key. Measured from the trader's fill (the moment its order's stream
// says executed, i.e. the fill block is mined) to each follower's intent ACCEPTED and EXECUTED
// (p50, p95, max), the blocks from the trader's fill block to each copy's fill block, and the
// alert latency of the same run (the alerter paces alerts to Telegram's limits, apart from copies).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CopyIntent } from '#core/ports/copy.js';
import { seedFollowers as seedLocalFollowers } from '../../local/seed-followers.js';
import type { LocalStack } from '../../local/stack.js';
import { P, USDC, V2Account, price, provider as rpc } from '../support/v2-trading.js';

/** CPU seconds a process has used (user + system), from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name: state is field 3, utime 14 and stime 15 (clock ticks, 100/s).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds of each stack process, to say where a burst's work went on a shared machine. */
function cpuOf(stack: LocalStack): Record<string, number | undefined> {
  const p = stack.processes();
  return {
    node: cpuSeconds(p.node),
    avantis: cpuSeconds(p.avantis),
    dynamodb: cpuSeconds(p.dynamodb),
    anvil: cpuSeconds(p.anvil),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : Number.NaN;
};
const summary = (xs: number[]) => ({
  n: xs.length,
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  max: Math.max(...xs),
});

/** N followers with delegated, funded wallets, seeded straight into the tables and the chain. */
async function seedFollowers(stack: LocalStack, trader: string, n: number, base: number, auto: number) {
  const followers = await seedLocalFollowers(stack.info, {
    follows: Array.from({ length: n }, () => trader),
    baseId: base,
    auto,
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.dynamodb,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  return { doc, chain: rpc(stack.info.endpoints.rpc), ids: followers.map((f) => f.userId) };
}

/**
 * `auto` of the `n` followers copy (AUTO); the rest get alerts only. auto = 0 measures the alerts
 * of the same burst without any copy, which must not be slower than with every follower copying.
 */
export async function copyBench(stack: LocalStack, n: number, base: number, auto = n) {
  const avantis = stack.info.avantis;
  if (!avantis) throw new Error('needs the local Avantis v2 service');
  const chain = rpc(stack.info.endpoints.rpc);
  const trader = await V2Account.create(chain, avantis);
  const seeded = await seedFollowers(stack, trader.address, n, base, auto);
  stack.botApi.clear();
  // Let the indexer catch up with the seeding transactions before the measured trade.
  await new Promise((r) => setTimeout(r, 5_000));

  const fill = await trader.open({
    pairIndex: 0,
    buy: true,
    leverage: 5n * P,
    collateralUsdc: 100n * USDC,
    price: await price(avantis, 0),
  });
  const t0 = Date.now();
  // Every handler and the in-process stand-ins share this one event loop locally (Lambda gives
  // each container its own): how long a ready callback waited is what the alerts wait behind.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuAtFill = cpuOf(stack);
  const fillBlock = (await chain.getTransactionReceipt(fill.transactionHash))?.blockNumber ?? 0;

  const ids = new Set(seeded.ids);
  const openAlerts = () =>
    stack.botApi
      .calls({ method: 'sendMessage' })
      // The trade's alert (alerts.ts: "🟢 <trader> opened …"), not the copy's own "✅ Copy filled: opened".
      .filter((c) => ids.has(String(c.params.chat_id)) && String(c.params.text).startsWith('🟢'));
  const filledNotices = () =>
    stack.botApi
      .calls({ method: 'sendMessage' })
      .filter((c) => ids.has(String(c.params.chat_id)) && String(c.params.text).includes('Copy filled'));
  const deadline = Date.now() + Number(process.env.ALFA_COPY_BENCH_WAIT_MS ?? 240_000);
  let intents: CopyIntent[] = [];
  const table = stack.info.tables.intents;
  // The fill's signal id is `txHash:logIndex` of its log (domain/signals.ts): one of the fill
  // transaction's logs. The poll reads intents by key (`signalId:userId`); a scan of the intents
  // table would load DynamoDB Local while it is measured.
  const fillLogs = (await chain.getTransactionReceipt(fill.transactionHash))?.logs ?? [];
  const candidates = fillLogs.map((l) => `${fill.transactionHash.toLowerCase()}:${l.index}`);
  let signalId: string | undefined;
  const intentsByKey = async (signal: string, users = seeded.ids.length) => {
    const out: CopyIntent[] = [];
    const keys = seeded.ids.slice(0, users).map((id) => ({ intentId: `${signal}:${id}` }));
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      while (pending && pending.length > 0) {
        const page: BatchGetCommandOutput = await seeded.doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
        );
        out.push(...((page.Responses?.[table] ?? []) as CopyIntent[]));
        pending = page.UnprocessedKeys?.[table]?.Keys;
      }
    }
    return out;
  };
  for (;;) {
    signalId ??= (
      await Promise.all(candidates.map(async (c) => ((await intentsByKey(c, 10)).length ? c : undefined)))
    ).find((c) => c !== undefined);
    intents = signalId === undefined ? [] : (await intentsByKey(signalId)).filter((i) => ids.has(i.userId));
    const done = intents.filter((i) => ['EXECUTED', 'CANCELED', 'FAILED'].includes(i.state)).length;
    const alerted = openAlerts().length;
    const executed = intents.filter((i) => i.state === 'EXECUTED').length;
    const told = filledNotices().length;
    if (
      (intents.length === auto && done === auto && alerted >= n && told >= executed) ||
      Date.now() > deadline
    )
      break;
    // The items carry their own timestamps: a slow poll measures the same and loads the stack less.
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const cpuAtEnd = cpuOf(stack);
  loopDelay.disable();
  const elapsedS = (Date.now() - t0) / 1000;
  const cpu = Object.fromEntries(
    Object.entries(cpuAtEnd).map(([k, v]) => {
      const before = cpuAtFill[k];
      return [k, v === undefined || before === undefined ? undefined : Number((v - before).toFixed(1))];
    }),
  );
  const since = (at: string | undefined) => (at ? [Date.parse(at) - t0] : []);
  const created = intents.flatMap((i) => since(i.createdAt));
  const submitted = intents.flatMap((i) => since(i.submittedAt));
  const accepted = intents.flatMap((i) => since(i.acceptedAt));
  const executed = intents
    .filter((i) => i.state === 'EXECUTED' && i.settledAt)
    .map((i) => Date.parse(i.settledAt as string) - t0);
  const blocks: number[] = [];
  for (const i of intents.filter((x) => x.fill?.txHash)) {
    const r = await chain.getTransactionReceipt(i.fill?.txHash as string);
    if (r) blocks.push(r.blockNumber - fillBlock);
  }
  // Alerts of the same run: the time each follower's alert reached the Bot API stand-in; and the
  // copies' own notices ("Copy filled", notices.fifo), which must leave the alerts the bot's rate.
  const alertMs = openAlerts().map((c) => Date.parse(c.at) - t0);
  const noticeMs = filledNotices().map((c) => Date.parse(c.at) - t0);
  const lastAlert = Math.max(...alertMs);
  // Where the copies not yet made are: still queued, or received and in work (not visible).
  const sqs = new SQSClient({
    region: stack.info.region,
    endpoint: stack.info.endpoints.sqs,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const q = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.info.queues.copies.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  sqs.destroy();
  chain.destroy();
  seeded.chain.destroy();
  return {
    copiesQueue: {
      visible: Number(q.Attributes?.ApproximateNumberOfMessages ?? 0),
      inWork: Number(q.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    },
    followers: n,
    auto,
    intents: intents.length,
    executed: intents.filter((i) => i.state === 'EXECUTED').length,
    canceled: intents.filter((i) => i.state === 'CANCELED').length,
    failed: intents.filter((i) => i.state === 'FAILED').length,
    createdMs: summary(created),
    submittedMs: summary(submitted),
    acceptedMs: summary(accepted),
    executedMs: summary(executed),
    blocksAfterTraderFill: summary(blocks),
    // Where the burst's work went: CPU seconds per process from the fill to the last terminal copy
    // (node runs the handlers and the in-process stand-ins: SQS, KMS, Telegram; avantis the local
    // Avantis service and its keeper).
    cpuSeconds: { ...cpu, elapsed: Number(elapsedS.toFixed(1)) },
    eventLoopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e6),
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    },
    alertMs: summary(alertMs),
    noticeMs: summary(noticeMs),
    noticesBeforeLastAlert: noticeMs.filter((t) => t < lastAlert).length,
  };
}
