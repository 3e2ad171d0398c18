// The fuzz drill: bad input at scale against the running stack. It posts generated Telegram updates
// to the webhook (Function URL) and malformed bodies to the signals, alerts and copies queues, then
// checks: every webhook answer is 200 (valid secret) or 401 (missing or wrong secret), never a 5xx or
// a dropped connection; the Bot API stand-in recorded no message to anyone but a chat that sent an
// authentic update; and each malformed queue message reached its DLQ once, with the cause its
// consumer's parser gives, and nothing else arrived in a DLQ meanwhile.
//
// Queues keep their real visibility timeouts (330-540 s), so a poison message would need up to 90
// minutes to exhaust its receives. The drill shortens the three queues' visibility timeout to
// POISON_VISIBILITY_S for its own duration (and restores the old value after), which speeds up every
// redelivery on those queues, the drill's and any in-flight real ones alike: run it on a local
// stack only, as it is (loopback endpoints).
import { randomInt, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { z } from 'zod';
import type { QueueKey } from '#core/resources.js';
import type { LocalStackInfo } from '../stack.js';
import {
  malformedBodyArb,
  refusalOf,
  updateArb,
  type FuzzRequest,
  type IdPools,
  type UpdateShapes,
} from './arbitraries.js';
import { checkAlarms } from './harness.js';
import { pool, type DrillResult } from './result.js';

export interface FuzzOptions {
  readonly updates: number;
  readonly messages: number;
  /** Concurrent webhook requests (Telegram itself sends up to 40 at once by default). */
  readonly concurrency?: number;
  /**
   * Give up waiting for the DLQs after this long (default 10 min: `npm start` runs one poller per
   * queue, so 1,000 poison messages need 5-10 failed receives each behind the real traffic).
   */
  readonly dlqTimeoutMs?: number;
  readonly seed?: number;
  /** Which generated updates (default all). */
  readonly shapes?: UpdateShapes;
  readonly log: (line: string) => void;
}

const POISON_VISIBILITY_S = 2;
const QUEUE_KEYS: readonly QueueKey[] = ['signals', 'alerts', 'notices', 'copies'];
const DRILL_ATTRIBUTE = 'alfaDrill';

const RecordedCalls = z.object({
  calls: z.array(
    z.object({
      seq: z.number(),
      method: z.string(),
      params: z.record(z.string(), z.unknown()),
      status: z.number(),
    }),
  ),
});

async function botApiCalls(info: LocalStackInfo, since?: number) {
  const url = since === undefined ? info.telegram.callsUrl : `${info.telegram.callsUrl}?since=${since}`;
  const res = await fetch(url);
  return RecordedCalls.parse(await res.json()).calls;
}

interface Posted {
  readonly status: number | 'connection-error';
  readonly ms: number;
  readonly expected: 200 | 401;
}

/** The secret with its last character changed: one secret in 64 already ends in the X it used to get. */
export function wrongSecret(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('X') ? 'Y' : 'X'}`;
}

async function post(info: LocalStackInfo, req: FuzzRequest): Promise<Posted> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (req.secret === 'valid') headers[info.webhook.header] = info.webhook.secret;
  if (req.secret === 'wrong') headers[info.webhook.header] = wrongSecret(info.webhook.secret);
  const expected = req.secret === 'valid' ? 200 : 401;
  const t0 = performance.now();
  try {
    const res = await fetch(info.webhook.url, {
      method: 'POST',
      headers,
      body: req.body,
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0, expected };
  } catch {
    return { status: 'connection-error', ms: performance.now() - t0, expected };
  }
}

interface DlqFinding {
  readonly queue: QueueKey;
  readonly index: number;
  readonly cause: string;
}

async function queueFuzz(
  sqs: SQSClient,
  info: LocalStackInfo,
  pools: IdPools,
  opts: FuzzOptions,
  runId: string,
  startedAtMs: number,
) {
  const perQueue = QUEUE_KEYS.map((q, i) => ({
    queue: q,
    count: Math.floor(opts.messages / QUEUE_KEYS.length) + (i < opts.messages % QUEUE_KEYS.length ? 1 : 0),
  }));
  const messages = perQueue.flatMap(({ queue, count }) =>
    fc
      .sample(malformedBodyArb(queue, pools.victims), {
        numRuns: count,
        ...(opts.seed ? { seed: opts.seed } : {}),
      })
      .map((body) => ({ queue, body })),
  );
  const saved = new Map<QueueKey, string>();
  const found = new Map<string, DlqFinding>();
  let duplicated = 0;
  const foreign: { queue: QueueKey; messageId: string; sentAt: number }[] = [];
  if (messages.length === 0) return { sent: 0, found, duplicated, foreign, lost: 0 };
  try {
    for (const q of QUEUE_KEYS) {
      const url = info.queues[q].url;
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
      );
      saved.set(q, attrs.Attributes?.VisibilityTimeout ?? '30');
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { VisibilityTimeout: String(POISON_VISIBILITY_S) },
        }),
      );
    }
    await pool(messages, 8, async ({ queue, body }, index) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: info.queues[queue].url,
          MessageBody: body,
          // One group each: a poison message must not hold up a real trader's or user's group.
          MessageGroupId: `drill-${runId}-${index}`,
          MessageDeduplicationId: `drill-${runId}-${index}`,
          MessageAttributes: { [DRILL_ATTRIBUTE]: { DataType: 'String', StringValue: `${runId}:${index}` } },
        }),
      );
    });
    opts.log(`fuzz: ${messages.length} malformed queue messages sent; waiting for their DLQs`);
    const deadline = Date.now() + (opts.dlqTimeoutMs ?? 600_000);
    const held: { url: string; handle: string }[] = [];
    while (found.size < messages.length && Date.now() < deadline) {
      let got = 0;
      for (const q of QUEUE_KEYS) {
        const dlq = info.queues[q].deadLetterUrl;
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlq,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            // Long enough to scan every DLQ once; foreign messages are handed back at the end.
            VisibilityTimeout: 60,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        for (const m of out.Messages ?? []) {
          got += 1;
          const tag = m.MessageAttributes?.[DRILL_ATTRIBUTE]?.StringValue ?? '';
          const [tagRun, tagIndex] = tag.split(':');
          if (tagRun === runId) {
            const index = Number(tagIndex);
            const key = String(index);
            if (found.has(key)) duplicated += 1;
            else {
              const sent = messages[index];
              const cause = sent ? (refusalOf(sent.queue, m.Body ?? '') ?? 'accepted?!') : 'unknown index';
              found.set(key, { queue: q, index, cause });
              opts.log(`fuzz: DLQ ${q} #${index}: ${cause.slice(0, 160)}`);
            }
            await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: m.ReceiptHandle ?? '' }));
          } else {
            const sentAt = Number(m.Attributes?.SentTimestamp ?? 0);
            if (sentAt >= startedAtMs) foreign.push({ queue: q, messageId: m.MessageId ?? '?', sentAt });
            held.push({ url: dlq, handle: m.ReceiptHandle ?? '' });
          }
        }
      }
      if (got === 0) await new Promise((r) => setTimeout(r, 500));
    }
    for (const h of held) {
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: h.url,
            ReceiptHandle: h.handle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => undefined);
    }
  } finally {
    for (const [q, visibility] of saved) {
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: info.queues[q].url,
          Attributes: { VisibilityTimeout: visibility },
        }),
      );
    }
  }
  return { sent: messages.length, found, duplicated, foreign, lost: messages.length - found.size };
}

export async function runFuzz(info: LocalStackInfo, opts: FuzzOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const runId = randomUUID().slice(0, 8);
  // Ids far from the tests' and the simulator's: senders reply-able, victims never.
  const base = randomInt(5_000_000_000, 6_000_000_000);
  const pools: IdPools = {
    senders: Array.from({ length: 50 }, (_, i) => base + i),
    victims: Array.from({ length: 50 }, (_, i) => base + 1_000 + i),
  };
  const sqs = new SQSClient({
    region: info.region,
    endpoint: info.endpoints.sqs,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const seqBefore = (await botApiCalls(info)).at(-1)?.seq ?? 0;

  let updateId = randomInt(1_000_000_000, 2_000_000_000);
  const requests = fc.sample(
    updateArb(pools, () => updateId++, opts.shapes),
    { numRuns: opts.updates, ...(opts.seed ? { seed: opts.seed } : {}) },
  );
  const authenticSenders = new Set(
    requests.filter((r) => r.secret === 'valid' && r.senderId !== undefined).map((r) => r.senderId),
  );

  const [answers, queues] = await Promise.all([
    (async () => {
      let done = 0;
      const out = await pool(requests, opts.concurrency ?? 16, async (req) => {
        const answer = await post(info, req);
        if (++done % 1_000 === 0) opts.log(`fuzz: ${done}/${requests.length} updates posted`);
        return answer;
      });
      return out;
    })(),
    queueFuzz(sqs, info, pools, opts, runId, startedAt.getTime()),
  ]);
  sqs.destroy();

  const byStatus: Record<string, number> = {};
  for (const a of answers) byStatus[String(a.status)] = (byStatus[String(a.status)] ?? 0) + 1;
  const unexpectedStatus = answers.filter((a) => a.status !== a.expected).length;
  const serverErrors = answers.filter((a) => a.status === 'connection-error' || a.status >= 500).length;
  const worstLatencyMs = Math.round(Math.max(0, ...answers.map((a) => a.ms)));
  // The first few offending requests, so a failure can be replayed by hand.
  const offending = answers
    .map((a, i) => ({ a, req: requests[i] as FuzzRequest }))
    .filter(({ a }) => a.status !== a.expected)
    .slice(0, 5)
    .map(({ a, req }) => ({ status: a.status, secret: req.secret, body: req.body.slice(0, 400) }));

  // Replies still in flight (telegraf answers within the request, but give stragglers a moment).
  await new Promise((r) => setTimeout(r, 500));
  const ours = new Set([...pools.senders, ...pools.victims]);
  const sent = (await botApiCalls(info, seqBefore)).filter((c) => {
    const chat = Number(c.params.chat_id);
    return Number.isFinite(chat) && ours.has(chat);
  });
  const strangers = sent.filter((c) => !authenticSenders.has(Number(c.params.chat_id)));
  const messagesToSenders = sent.filter((c) => c.status === 200 && /^(send|edit)/.test(c.method)).length;

  const failures: string[] = [];
  if (serverErrors > 0) failures.push(`${serverErrors} webhook answers were 5xx or dropped connections`);
  if (unexpectedStatus > 0)
    failures.push(`${unexpectedStatus} webhook answers were not 200 (valid secret) / 401 (none or wrong)`);
  if (strangers.length > 0)
    failures.push(
      `${strangers.length} Bot API calls went to a chat that sent no authentic update: ${strangers
        .slice(0, 3)
        .map((c) => `${c.method}→${String(c.params.chat_id)}`)
        .join(', ')}`,
    );
  if (queues.lost > 0) failures.push(`${queues.lost} malformed queue messages never reached a DLQ`);
  if (queues.duplicated > 0)
    failures.push(`${queues.duplicated} malformed queue messages reached a DLQ twice`);
  const accepted = [...queues.found.values()].filter((f) => f.cause === 'accepted?!').length;
  if (accepted > 0) failures.push(`${accepted} DLQ messages are bodies the consumer's parser accepts`);
  if (queues.foreign.length > 0)
    failures.push(`${queues.foreign.length} other messages reached a DLQ during the drill`);

  const causes: Record<string, number> = {};
  for (const f of queues.found.values()) {
    const kind = `${f.queue}: ${f.cause.split(':')[0] ?? f.cause}`;
    causes[kind] = (causes[kind] ?? 0) + 1;
  }
  const finishedAt = new Date();
  return checkAlarms(info, {
    drill: 'fuzz',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    passed: failures.length === 0,
    signalsIn: 0,
    alertsSent: messagesToSenders,
    copiesSubmitted: 0,
    copiesTerminal: {},
    lost: queues.lost,
    duplicated: queues.duplicated,
    worstLatencyMs,
    // The webhook kept answering and the consumers kept draining: nothing needed a restart.
    recovered: serverErrors === 0 && queues.lost === 0,
    failures,
    details: {
      updatesPosted: answers.length,
      answersByStatus: byStatus,
      webhook5xx: serverErrors,
      offending,
      botApiCallsToPool: sent.length,
      callsToStrangers: strangers.length,
      queueMessagesSent: queues.sent,
      dlqFound: queues.found.size,
      dlqCauses: causes,
      foreignDlqMessages: queues.foreign.length,
      poisonVisibilitySeconds: POISON_VISIBILITY_S,
      shapes: opts.shapes ?? 'all',
    },
  });
}
