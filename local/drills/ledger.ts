// The ledger every drill counts with: what went in (signals) against what came out (alerts sent,
// copies signed, submitted and settled) over a time window, read from another process through the
// stack's real protocols only (DynamoDB, SQS, the Bot API stand-in's recorded calls).
//
// Sources, and why these:
// - Signals: the `fills` table (isFill items, SK `block#logIndex`), the indexer's own record of
//   every trade event; a signal's id is the fill's `fillId` (txHash:logIndex, signalFromFill). The
//   window is by the fill's chain timestamp (seconds), so `since` is floored to the second.
// - Who a signal concerns: the trader's followers (`follows` byTrader index, active users) — the
//   same read the router does — restricted to `window.users` when given, plus any user holding an
//   intent for it (closes reach copy holders whatever became of their follow).
// - Decisions: the router logs each one ('decision'), but logs are SILENT in tests and only written
//   to .local/logs under `npm start`, so the drill cannot rely on them. What a decision leaves
//   behind is durable and checkable instead: a COPY decision claims the intent `signalId:userId`
//   (intents table), and a notifying decision leaves the alerter's idempotency record
//   `alert#md5(id)` in the dedupe table (Powertools' key: prefix # base64 md5 of the JSON key),
//   COMPLETED once the message was delivered (or the user found to have blocked the bot). A signal
//   with neither for a user it concerns is lost. So is an intent still in flight, and a LIVE
//   terminal intent whose outcome notice (`intentId:STATE`) never completed. Followers with notify
//   off and ALERTS mode leave nothing behind; drills seed followers with notify on.
// - Duplicated alerts: sendMessage calls answered 200 to the user's chat since `since` (the Bot API
//   stand-in's record, what Telegram would have shown) beyond the number of distinct completed
//   alert records of that user; texts are not compared, since two signals can read the same.
//   Drills must not chat with the bot inside the window (webhook replies would count here).
// - Duplicated orders: the follower's own wallet trades on-chain and the indexer stores those fills
//   too (trader = the wallet), so a wallet with more fills in the window than its user's intents
//   that reached the chain (EXECUTED) had a second order submitted for one intent.
// - Latency: an alert's delivery time (the idempotency record's `sentAt`) minus the signal's
//   block timestamp, worst over the window.
// - Queues: the visible + in-flight depth of each queue and DLQ, for settledLedger's "drained".
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { batchGetAll } from '../../layers/core/adapters/dynamo/batch.js';
import { queryAll } from '../../layers/core/adapters/dynamo/query.js';
import { scanAll } from '../../layers/core/adapters/dynamo/scan.js';
import { IN_FLIGHT, TERMINAL } from '../../layers/core/domain/copy/intent.js';
import type { LocalStackInfo } from '../stack.js';

export interface LedgerWindow {
  readonly since: Date;
  readonly until?: Date;
  readonly users?: ReadonlySet<string>;
  /** Only these traders' signals (lower-case addresses); all traders when absent. */
  readonly traders?: ReadonlySet<string>;
  /** Ids of other alerts users may have received (e.g. `emergency:<since>:<user>` notices). */
  readonly extraAlertIds?: readonly string[];
  /** settledLedger waits for at least this many signals indexed (the indexer trails the chain). */
  readonly expectSignals?: number;
}

export interface SignedIntentView {
  readonly intentId: string;
  readonly userId: string;
  readonly kind: string;
  readonly state: string;
  readonly createdAt: string;
  /** When its signed bytes were saved (the signing moment, just before the first post). */
  readonly submittedAt?: string;
  /** When it reached its terminal state. */
  readonly settledAt?: string;
}

export interface Ledger {
  readonly signalsIn: number;
  readonly alertsSent: number;
  readonly copiesSubmitted: number;
  readonly copiesTerminal: Record<string, number>;
  readonly lost: number;
  readonly duplicated: number;
  readonly worstLatencyMs: number;
  readonly lostSamples: readonly string[];
  readonly duplicatedSamples: readonly string[];
  /** Intents in the window by every state, in flight included. */
  readonly intentsByState: Record<string, number>;
  /** Intents of the window signed (they carry signed bytes), with their signing time when known. */
  readonly signedIntents: readonly SignedIntentView[];
  /** (signal, user) pairs the window's signals concern. */
  readonly concerned: number;
  /** Messages in each queue (visible + in flight) and its DLQ when read. */
  readonly queues: Record<string, { depth: number; deadLetters: number }>;
  /** Window users per number of completed alerts (alerts the alerter sent to each). */
  readonly alertsByUser: Record<string, number>;
}

const SAMPLES = 10;
const str = z.string();
const FillItem = z.object({
  trader: str,
  fillId: str,
  ts: z.number(),
  isFill: z.boolean().optional(),
  kind: str,
});
const FollowItem = z.object({ userId: str, trader: str });
const UserItem = z.object({
  userId: str,
  chatId: z.union([str, z.number()]),
  active: z.boolean().optional(),
});
const IntentItem = z.object({
  intentId: str,
  signalId: str,
  userId: str,
  chatId: str,
  state: z.enum(['CREATED', 'ACCEPTED', 'INITIATED', 'EXECUTED', 'CANCELED', 'FAILED', 'SIMULATED']),
  mode: z.enum(['DRY', 'LIVE']),
  kind: str,
  createdAt: str,
  wallet: str.optional(),
  signed: z.object({ digest: str }).passthrough().optional(),
  submittedAt: str.optional(),
  settledAt: str.optional(),
});
type Intent = z.infer<typeof IntentItem>;
const DedupeItem = z.object({ id: str, status: str.optional(), data: z.unknown().optional() });
const SentAt = z.object({ sentAt: z.number() });
const Calls = z.object({
  calls: z.array(
    z.object({ at: str, method: str, status: z.number(), params: z.record(z.string(), z.unknown()) }),
  ),
});

/** The alerter's idempotency key for an alert id (Powertools: `prefix#base64(md5(JSON))`). */
export function alertRecordKey(alertId: string): string {
  return `alert#${createHash('md5').update(JSON.stringify(alertId)).digest('base64')}`;
}

export interface LedgerClients {
  readonly doc: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  destroy(): void;
}

export function ledgerClients(info: LocalStackInfo): LedgerClients {
  const base = { region: info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const dynamo = new DynamoDBClient({ ...base, endpoint: info.endpoints.dynamodb });
  const sqs = new SQSClient({ ...base, endpoint: info.endpoints.sqs });
  return {
    doc: DynamoDBDocumentClient.from(dynamo),
    sqs,
    destroy: () => {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Every queue's depth and its DLQ's, as the stack names them. */
export async function queueDepths(
  info: LocalStackInfo,
  sqs: SQSClient,
): Promise<Record<string, { depth: number; deadLetters: number }>> {
  const out: Record<string, { depth: number; deadLetters: number }> = {};
  await Promise.all(
    Object.entries(info.queues).map(async ([name, q]) => {
      out[name] = { depth: await depth(sqs, q.url), deadLetters: await depth(sqs, q.deadLetterUrl) };
    }),
  );
  return out;
}

/** 200-answered sendMessage calls per chat since `since`, from the Bot API stand-in's record. */
async function deliveredByChat(
  info: LocalStackInfo,
  since: Date,
  until?: Date,
): Promise<Map<string, number>> {
  const res = await fetch(`${info.telegram.callsUrl}?method=sendMessage`);
  if (!res.ok) throw new Error(`the Bot API stand-in answered ${res.status} for its calls`);
  const { calls } = Calls.parse(await res.json());
  const out = new Map<string, number>();
  for (const c of calls) {
    const at = Date.parse(c.at);
    if (c.status !== 200 || at < since.getTime() || (until && at > until.getTime())) continue;
    const chat = String(c.params.chat_id);
    out.set(chat, (out.get(chat) ?? 0) + 1);
  }
  return out;
}

const inc = (r: Record<string, number>, k: string, by = 1) => {
  r[k] = (r[k] ?? 0) + by;
};
const sample = (list: string[], line: string) => {
  if (list.length < SAMPLES) list.push(line);
};

export async function readLedger(
  info: LocalStackInfo,
  window: LedgerWindow,
  clients: LedgerClients = ledgerClients(info),
  own = true,
): Promise<Ledger> {
  try {
    return await read(info, window, clients);
  } finally {
    if (own) clients.destroy();
  }
}

async function read(
  info: LocalStackInfo,
  window: LedgerWindow,
  { doc, sqs }: LedgerClients,
): Promise<Ledger> {
  const sinceS = Math.floor(window.since.getTime() / 1000);
  const untilS = window.until ? Math.ceil(window.until.getTime() / 1000) : Number.MAX_SAFE_INTEGER;
  const sinceIso = window.since.toISOString();
  const untilIso = window.until?.toISOString() ?? '9999';
  const inUsers = (u: string) => !window.users || window.users.has(u);

  // Signals, and the followers' own wallets' fills (for duplicated orders).
  const signals: z.infer<typeof FillItem>[] = [];
  const fillsByTrader = new Map<string, number>();
  for await (const raw of scanAll(doc, {
    TableName: info.tables.fills,
    FilterExpression: 'ts BETWEEN :a AND :b',
    ExpressionAttributeValues: { ':a': sinceS, ':b': untilS },
    ConsistentRead: true,
  })) {
    const f = FillItem.safeParse(raw);
    if (!f.success || f.data.trader.startsWith('quarantine:') || f.data.isFill !== true) continue;
    const t = f.data.trader.toLowerCase();
    fillsByTrader.set(t, (fillsByTrader.get(t) ?? 0) + 1);
    if (!window.traders || window.traders.has(t)) signals.push(f.data);
  }

  // The window's intents (real ones start with the tx hash; mirror#/emergency# items do not).
  const intents: Intent[] = [];
  for await (const raw of scanAll(doc, {
    TableName: info.tables.intents,
    FilterExpression: 'begins_with(intentId, :h) AND createdAt BETWEEN :a AND :b',
    ExpressionAttributeValues: { ':h': '0x', ':a': sinceIso, ':b': untilIso },
    ConsistentRead: true,
  })) {
    const i = IntentItem.safeParse(raw);
    if (i.success && inUsers(i.data.userId)) intents.push(i.data);
  }
  const intentById = new Map(intents.map((i) => [i.intentId, i]));

  // Who each signal concerns: the trader's followers (active users) and any user with an intent for it.
  const traders = [...new Set(signals.map((s) => s.trader))];
  const followersOf = new Map<string, string[]>();
  await Promise.all(
    traders.map(async (trader) => {
      const items = await queryAll(doc, {
        TableName: info.tables.follows,
        IndexName: 'byTrader',
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': trader },
      });
      followersOf.set(
        trader,
        items.flatMap((it) => {
          const f = FollowItem.safeParse(it);
          return f.success && inUsers(f.data.userId) ? [f.data.userId] : [];
        }),
      );
    }),
  );
  const userIds = new Set<string>([...followersOf.values()].flat());
  for (const i of intents) userIds.add(i.userId);
  const userItems = await batchGetAll(
    doc,
    info.tables.users,
    [...userIds].map((userId) => ({ userId })),
  );
  const users = new Map<string, { chatId: string; active: boolean }>();
  for (const raw of userItems) {
    const u = UserItem.safeParse(raw);
    if (u.success)
      users.set(u.data.userId, { chatId: String(u.data.chatId), active: u.data.active === true });
  }

  // Every alert id the window may have produced, per user, then which the alerter completed.
  const pairs: { signal: z.infer<typeof FillItem>; userId: string }[] = [];
  for (const s of signals) {
    const concerned = new Set(followersOf.get(s.trader) ?? []);
    for (const i of intents) if (i.signalId === s.fillId) concerned.add(i.userId);
    for (const userId of concerned) pairs.push({ signal: s, userId });
  }
  const idsByUser = new Map<string, Set<string>>();
  const addId = (userId: string, id: string) => {
    const set = idsByUser.get(userId) ?? new Set<string>();
    set.add(id);
    idsByUser.set(userId, set);
  };
  for (const p of pairs) addId(p.userId, `${p.signal.fillId}:${p.userId}`);
  for (const i of intents) {
    addId(i.userId, `${i.intentId}:skip`);
    for (const st of TERMINAL) addId(i.userId, `${i.intentId}:${st}`);
  }
  for (const id of window.extraAlertIds ?? []) {
    const userId = id.split(':').at(-1) ?? '';
    if (inUsers(userId)) addId(userId, id);
  }
  const keyToId = new Map<string, { id: string; userId: string }>();
  for (const [userId, ids] of idsByUser)
    for (const id of ids) keyToId.set(alertRecordKey(id), { id, userId });
  const records = await batchGetAll(
    doc,
    info.tables.dedupe,
    [...keyToId.keys()].map((id) => ({ id })),
  );
  const completed = new Map<string, number | undefined>();
  for (const raw of records) {
    const r = DedupeItem.safeParse(raw);
    if (!r.success || r.data.status !== 'COMPLETED') continue;
    const known = keyToId.get(r.data.id);
    if (!known) continue;
    // Powertools stores the response as a map; older versions stored it as a JSON string.
    let data: unknown = r.data.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data) as unknown;
      } catch {
        data = undefined;
      }
    }
    const d = SentAt.safeParse(data);
    const sentAt = d.success ? d.data.sentAt : undefined;
    completed.set(known.id, sentAt);
  }

  const lostSamples: string[] = [];
  const duplicatedSamples: string[] = [];
  let lost = 0;
  let worstLatencyMs = 0;
  for (const { signal, userId } of pairs) {
    const alertId = `${signal.fillId}:${userId}`;
    const hasIntent = intentById.has(alertId);
    const alerted = completed.has(alertId);
    if (alerted) {
      const sentAt = completed.get(alertId);
      if (sentAt !== undefined) worstLatencyMs = Math.max(worstLatencyMs, sentAt - signal.ts * 1000);
    }
    // An inactive user (blocked the bot before the signal) is skipped by the router on purpose.
    if (!hasIntent && !alerted && users.get(userId)?.active !== false) {
      lost += 1;
      sample(lostSamples, `${alertId}: no intent and no alert`);
    }
  }
  const intentsByState: Record<string, number> = {};
  const copiesTerminal: Record<string, number> = {};
  const executedByWallet = new Map<string, number>();
  let copiesSubmitted = 0;
  const signedIntents: SignedIntentView[] = [];
  for (const i of intents) {
    inc(intentsByState, i.state);
    if (TERMINAL.includes(i.state)) inc(copiesTerminal, i.state);
    if (i.submittedAt) copiesSubmitted += 1;
    if (i.signed)
      signedIntents.push({
        intentId: i.intentId,
        userId: i.userId,
        kind: i.kind,
        state: i.state,
        createdAt: i.createdAt,
        ...(i.submittedAt ? { submittedAt: i.submittedAt } : {}),
        ...(i.settledAt ? { settledAt: i.settledAt } : {}),
      });
    if (IN_FLIGHT.includes(i.state)) {
      lost += 1;
      sample(lostSamples, `${i.intentId}: still ${i.state}`);
    } else if (i.mode === 'LIVE' && i.state !== 'SIMULATED' && !completed.has(`${i.intentId}:${i.state}`)) {
      lost += 1;
      sample(lostSamples, `${i.intentId}: ${i.state} but its outcome notice was never delivered`);
    }
    if (i.state === 'EXECUTED' && i.wallet) {
      const w = i.wallet.toLowerCase();
      executedByWallet.set(w, (executedByWallet.get(w) ?? 0) + 1);
    }
  }

  let duplicated = 0;
  for (const [wallet, executed] of executedByWallet) {
    const onChain = fillsByTrader.get(wallet) ?? 0;
    if (onChain > executed) {
      duplicated += onChain - executed;
      sample(
        duplicatedSamples,
        `wallet ${wallet}: ${onChain} fills on-chain for ${executed} executed intents`,
      );
    }
  }
  const delivered = await deliveredByChat(info, window.since, window.until);
  const alertsByUser: Record<string, number> = {};
  let alertsSent = 0;
  for (const [userId, ids] of idsByUser) {
    const done = [...ids].filter((id) => completed.has(id)).length;
    alertsByUser[userId] = done;
    alertsSent += done;
    const chat = users.get(userId)?.chatId ?? userId;
    const got = delivered.get(chat) ?? 0;
    if (got > done) {
      duplicated += got - done;
      sample(duplicatedSamples, `user ${userId}: ${got} messages delivered for ${done} alerts`);
    }
  }

  return {
    signalsIn: signals.length,
    alertsSent,
    copiesSubmitted,
    copiesTerminal,
    lost,
    duplicated,
    worstLatencyMs: Math.max(0, Math.round(worstLatencyMs)),
    lostSamples,
    duplicatedSamples,
    intentsByState,
    signedIntents,
    concerned: pairs.length,
    queues: await queueDepths(info, sqs),
    alertsByUser,
  };
}

/** Polls readLedger until nothing is in flight (no non-terminal intent, queues drained) or timeout. */
export async function settledLedger(
  info: LocalStackInfo,
  window: LedgerWindow,
  timeoutMs: number,
): Promise<Ledger> {
  const clients = ledgerClients(info);
  const end = Date.now() + timeoutMs;
  try {
    for (;;) {
      const ledger = await readLedger(info, window, clients, false);
      const inFlight = IN_FLIGHT.reduce((n, s) => n + (ledger.intentsByState[s] ?? 0), 0);
      const queued = Object.values(ledger.queues).reduce((n, q) => n + q.depth, 0);
      // Settled when every concerned pair is accounted for too: an alert still paced is not lost yet.
      const indexed = ledger.signalsIn >= (window.expectSignals ?? 0);
      if ((indexed && inFlight === 0 && queued === 0 && ledger.lost === 0) || Date.now() > end) return ledger;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    clients.destroy();
  }
}
