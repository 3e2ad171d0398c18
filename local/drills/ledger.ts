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
// - Duplicated alerts: sendMessage calls answered 200 to the user's chat in the window (the Bot API
//   stand-in's record, what Telegram would have shown) beyond the distinct alerts the alerter sent
//   in it (completed records whose `sentAt` falls in the window, for the window's signals and
//   intents and those of the 15 minutes before: a signal just before `since` is often alerted
//   after it); texts are not compared, since two signals can read the same.
//   Drills must not chat with the bot inside the window (webhook replies would count here).
// - Duplicated orders: the follower's own wallet trades on-chain and the indexer stores those fills
//   too (trader = the wallet). Only the fills of market orders (MarketExecuted, an increase) are
//   orders the copier submitted; the keeper's LimitExecuted (the copy's own TP/SL, a liquidation)
//   fills a price trigger, not a second order, so it never counts (duplicatedOrders). A market fill
//   belongs to the intent holding its orderId, whenever that intent was created; what is left over
//   beyond the EXECUTED intents that carry no orderId (reconciled from positions) is a second order.
// - Latency: an alert's delivery time (the idempotency record's `sentAt`) minus the signal's
//   block timestamp, worst over the window.
// - Queues: the visible + in-flight depth of each queue and DLQ, for settledLedger's "drained".
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { batchGetAll } from '#core/adapters/dynamo/batch.js';
import { queryAll } from '#core/adapters/dynamo/query.js';
import { scanAll } from '#core/adapters/dynamo/scan.js';
import { DynamoIndexerState } from '#core/adapters/dynamo/indexer-state.js';
import { fromJson } from '#core/codec.js';
import { IN_FLIGHT, TERMINAL } from '#core/domain/copy/intent.js';
import { isDailyReport } from '#core/digest/report.js';
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
  /** The window's copies that ended unfilled, by state and reason ("FAILED EXPIRED"): why, at a glance. */
  readonly unfilledReasons: Record<string, number>;
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
/**
 * How far before the window the duplicate-alert check looks for signals and intents: an alert of a
 * signal just before `since` can be delivered inside the window (the alerter paces, a backlog waits).
 */
const LOOKBACK_S = 15 * 60;
/** sentAt is taken after Telegram answered: a delivery just before `until` may carry a later sentAt. */
const SENT_AT_GRACE_MS = 2_000;
const str = z.string();
const FillItem = z.object({
  trader: str,
  fillId: str,
  ts: z.number(),
  isFill: z.boolean().optional(),
  kind: str,
  /** The event as the fill store writes it (codec JSON: bigints as `"<digits>n"`). */
  event: str.optional(),
});
type FillRecord = z.infer<typeof FillItem>;
const EventOrderId = z.object({ orderId: z.bigint().optional() });
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
  reason: str.optional(),
  createdAt: str,
  wallet: str.optional(),
  signed: z.object({ digest: str }).passthrough().optional(),
  submittedAt: str.optional(),
  settledAt: str.optional(),
  orderId: str.optional(),
});
type Intent = z.infer<typeof IntentItem>;
const DedupeItem = z.object({ id: str, status: str.optional(), data: z.unknown().optional() });
/** The alerter's stored result: `{ sentAt }`, or `{ value: { sentAt }, replayed }` (once-replay). */
const SentAt = z.union([
  z.object({ sentAt: z.number() }),
  z.object({ value: z.object({ sentAt: z.number() }) }).transform((r) => r.value),
]);
const Calls = z.object({
  calls: z.array(
    z.object({ at: str, method: str, status: z.number(), params: z.record(z.string(), z.unknown()) }),
  ),
});

const inc = (r: Record<string, number>, k: string, by = 1) => {
  r[k] = (r[k] ?? 0) + by;
};
const sample = (list: string[], line: string) => {
  if (list.length < SAMPLES) list.push(line);
};

/** The alerter's idempotency key for an alert id (Powertools: `prefix#base64(md5(JSON))`). */
export function alertRecordKey(alertId: string): string {
  return `alert#${createHash('md5').update(JSON.stringify(alertId)).digest('base64')}`;
}

/** What duplicatedOrders needs of an intent: its state and the on-chain order it became, if known. */
export interface OrderIntent {
  readonly intentId: string;
  readonly state: string;
  readonly orderId?: string;
}

/** Fills of market orders: the only fills a submitted intent makes (the copier never places limits). */
const ORDER_FILLS: readonly string[] = ['MarketExecuted', 'PositionSizeIncreased'];

/**
 * Second orders in one wallet's fills (stored fill items, any kind) against every intent of that
 * wallet. A LimitExecuted is the keeper acting on a trigger (TP, SL, liquidation, a limit open),
 * so it is never an order of Alfa's. A market fill whose orderId an intent holds is that intent's
 * order, and a second fill of one orderId would be a duplicate. The rest can each be the fill of an
 * EXECUTED intent without an orderId (the reconciler found it in the wallet's positions after a
 * crash); beyond those, each is an order submitted twice for one intent.
 */
export function duplicatedOrders(
  fills: readonly FillRecord[],
  intents: readonly OrderIntent[],
): { duplicated: number; samples: string[] } {
  const byOrder = new Map<string, OrderIntent>();
  for (const i of intents) if (i.orderId !== undefined) byOrder.set(i.orderId, i);
  const seen = new Map<string, number>();
  const unmatched: string[] = [];
  const samples: string[] = [];
  let duplicated = 0;
  for (const f of fills) {
    if (f.isFill === false || !ORDER_FILLS.includes(f.kind)) continue;
    const parsed = f.event === undefined ? undefined : EventOrderId.safeParse(fromJson<unknown>(f.event));
    const orderId = parsed?.success ? parsed.data.orderId?.toString() : undefined;
    const owner = orderId === undefined ? undefined : byOrder.get(orderId);
    if (!owner) {
      unmatched.push(f.fillId);
      continue;
    }
    const n = (seen.get(owner.intentId) ?? 0) + 1;
    seen.set(owner.intentId, n);
    if (n > 1) {
      duplicated += 1;
      sample(samples, `${f.fillId}: fill ${n} of order ${orderId ?? '?'} (${owner.intentId})`);
    }
  }
  const reconciled = intents.filter((i) => i.state === 'EXECUTED' && i.orderId === undefined).length;
  const extra = unmatched.length - reconciled;
  if (extra > 0) {
    duplicated += extra;
    sample(
      samples,
      `${extra} market fill(s) no intent accounts for (${unmatched.slice(0, 3).join(', ')}): ` +
        `${unmatched.length} without an intent's orderId, ${reconciled} reconciled intent(s) without one`,
    );
  }
  return { duplicated, samples };
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
    // The digest's 08:00 UTC reports go to the same chats but are no alerts (a soak over 08:00
    // counted each as a duplicate).
    if (typeof c.params['text'] === 'string' && isDailyReport(c.params['text'])) continue;
    const chat = String(c.params.chat_id);
    out.set(chat, (out.get(chat) ?? 0) + 1);
  }
  return out;
}

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

  // Signals, the followers' own wallets' fills (for duplicated orders), and the signals just before
  // the window (their alerts may be delivered inside it: the duplicate-alert check must know them).
  const signals: FillRecord[] = [];
  const earlier: FillRecord[] = [];
  const fillsByTrader = new Map<string, FillRecord[]>();
  for await (const raw of scanAll(doc, {
    TableName: info.tables.fills,
    FilterExpression: 'ts BETWEEN :a AND :b',
    ExpressionAttributeValues: { ':a': sinceS - LOOKBACK_S, ':b': untilS },
    ConsistentRead: true,
  })) {
    const f = FillItem.safeParse(raw);
    if (!f.success || f.data.trader.startsWith('quarantine:') || f.data.isFill !== true) continue;
    const t = f.data.trader.toLowerCase();
    const followed = !window.traders || window.traders.has(t);
    if (f.data.ts < sinceS) {
      if (followed) earlier.push(f.data);
      continue;
    }
    fillsByTrader.set(t, [...(fillsByTrader.get(t) ?? []), f.data]);
    if (followed) signals.push(f.data);
  }

  // The window's intents (real ones start with the tx hash; mirror#/emergency# items do not), and
  // every intent by wallet: a fill in the window may be the order of an intent created before it.
  const intents: Intent[] = [];
  const earlierIntents: Intent[] = [];
  const lookbackIso = new Date(window.since.getTime() - LOOKBACK_S * 1000).toISOString();
  const intentsByWallet = new Map<string, Intent[]>();
  for await (const raw of scanAll(doc, {
    TableName: info.tables.intents,
    FilterExpression: 'begins_with(intentId, :h)',
    ExpressionAttributeValues: { ':h': '0x' },
    ConsistentRead: true,
  })) {
    const i = IntentItem.safeParse(raw);
    if (!i.success) continue;
    const w = i.data.wallet?.toLowerCase();
    if (w) intentsByWallet.set(w, [...(intentsByWallet.get(w) ?? []), i.data]);
    if (!inUsers(i.data.userId) || i.data.createdAt > untilIso) continue;
    if (i.data.createdAt >= sinceIso) intents.push(i.data);
    else if (i.data.createdAt >= lookbackIso) earlierIntents.push(i.data);
  }
  const intentById = new Map(intents.map((i) => [i.intentId, i]));

  // Who each signal concerns: the trader's followers (active users) and any user with an intent for it.
  const traders = [...new Set([...signals, ...earlier].map((s) => s.trader))];
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

  // Every alert id the window may have produced, per user, then which the alerter completed; and
  // apart, those of the signals and intents just before it (only to count deliveries against).
  const pairsOf = (list: readonly FillRecord[], withIntents: readonly Intent[]) =>
    list.flatMap((s) => {
      const concerned = new Set(followersOf.get(s.trader) ?? []);
      for (const i of withIntents) if (i.signalId === s.fillId) concerned.add(i.userId);
      return [...concerned].map((userId) => ({ signal: s, userId }));
    });
  const pairs = pairsOf(signals, intents);
  const idsByUser = new Map<string, Set<string>>();
  const priorIdsByUser = new Map<string, Set<string>>();
  const addTo = (map: Map<string, Set<string>>) => (userId: string, id: string) => {
    const set = map.get(userId) ?? new Set<string>();
    set.add(id);
    map.set(userId, set);
  };
  const addId = addTo(idsByUser);
  const addPrior = addTo(priorIdsByUser);
  const intentIds = (i: Intent) => [`${i.intentId}:skip`, ...TERMINAL.map((st) => `${i.intentId}:${st}`)];
  // A pair's trade alert, and the "Not copied: …" notice the copier sends an AUTO follower it
  // decides not to copy for (a risk limit reached): that one has no intent to carry its id.
  const pairIds = (p: { signal: { fillId: string }; userId: string }) => [
    `${p.signal.fillId}:${p.userId}`,
    `${p.signal.fillId}:${p.userId}:skip`,
  ];
  for (const p of pairs) for (const id of pairIds(p)) addId(p.userId, id);
  for (const i of intents) for (const id of intentIds(i)) addId(i.userId, id);
  for (const p of pairsOf(earlier, earlierIntents)) for (const id of pairIds(p)) addPrior(p.userId, id);
  for (const i of earlierIntents) for (const id of intentIds(i)) addPrior(i.userId, id);
  for (const id of window.extraAlertIds ?? []) {
    const userId = id.split(':').at(-1) ?? '';
    if (inUsers(userId)) addId(userId, id);
  }
  const keyToId = new Map<string, { id: string; userId: string }>();
  for (const map of [idsByUser, priorIdsByUser])
    for (const [userId, ids] of map) for (const id of ids) keyToId.set(alertRecordKey(id), { id, userId });
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
  const unfilledReasons: Record<string, number> = {};
  const copiesTerminal: Record<string, number> = {};
  const windowWallets = new Set<string>();
  let copiesSubmitted = 0;
  const signedIntents: SignedIntentView[] = [];
  for (const i of intents) {
    inc(intentsByState, i.state);
    if (i.state === 'FAILED' || i.state === 'CANCELED') inc(unfilledReasons, `${i.state} ${i.reason ?? '?'}`);
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
    if (i.wallet) windowWallets.add(i.wallet.toLowerCase());
  }

  let duplicated = 0;
  for (const wallet of windowWallets) {
    const found = duplicatedOrders(fillsByTrader.get(wallet) ?? [], intentsByWallet.get(wallet) ?? []);
    duplicated += found.duplicated;
    for (const line of found.samples) sample(duplicatedSamples, `wallet ${wallet}: ${line}`);
  }
  const delivered = await deliveredByChat(info, window.since, window.until);
  const alertsByUser: Record<string, number> = {};
  let alertsSent = 0;
  for (const [userId, ids] of idsByUser) {
    const done = [...ids].filter((id) => completed.has(id)).length;
    alertsByUser[userId] = done;
    alertsSent += done;
  }
  // Deliveries in the window against the alerts the alerter sent in it (by their sentAt), whatever
  // signal they were for: a message more than that is an alert sent twice.
  const fromMs = window.since.getTime();
  const toMs = (window.until?.getTime() ?? Date.now()) + SENT_AT_GRACE_MS;
  for (const userId of new Set([...idsByUser.keys(), ...priorIdsByUser.keys()])) {
    const inWindow = idsByUser.get(userId) ?? new Set<string>();
    const candidates = [...inWindow, ...(priorIdsByUser.get(userId) ?? [])];
    const sentInWindow = candidates.filter((id) => {
      if (!completed.has(id)) return false;
      const at = completed.get(id);
      // Without a sentAt (a record of an older format) only the window's own alerts count.
      return at === undefined ? inWindow.has(id) : at >= fromMs && at <= toMs;
    }).length;
    const chat = users.get(userId)?.chatId ?? userId;
    const got = delivered.get(chat) ?? 0;
    if (got > sentInWindow) {
      duplicated += got - sentInWindow;
      sample(
        duplicatedSamples,
        `user ${userId}: ${got} messages delivered in the window for ${sentInWindow} alerts sent in it`,
      );
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
    unfilledReasons,
    signedIntents,
    concerned: pairs.length,
    queues: await queueDepths(info, sqs),
    alertsByUser,
  };
}

const BlockTs = z.object({ result: z.object({ timestamp: z.string() }).nullable() });

/**
 * The chain time (unix s) of the last block the indexer has indexed: its cursor, from the state
 * table, and that block's timestamp from the chain itself (anvil, not the handlers' proxies).
 */
async function indexedThroughS(info: LocalStackInfo, doc: DynamoDBDocumentClient): Promise<number> {
  const cursor = (await new DynamoIndexerState(doc, info.tables.state).load())?.block;
  if (cursor === undefined) return 0;
  const res = await fetch(info.endpoints.rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getBlockByNumber',
      params: [`0x${cursor.toString(16)}`, false],
    }),
  });
  const block = BlockTs.parse(await res.json()).result;
  return block ? Number.parseInt(block.timestamp, 16) : 0;
}

export interface SettledLedger extends Ledger {
  /** False when the timeout ended the wait with work still open (the counts are then a snapshot). */
  readonly settled: boolean;
  readonly settleMs: number;
}

/**
 * Polls readLedger until the window is accounted for or the timeout: the indexer past the window's
 * end (a window with `until`: its cursor block is at or after it; else `expectSignals` indexed and
 * the queues drained), no intent of the window in flight and nothing lost.
 */
export async function settledLedger(
  info: LocalStackInfo,
  window: LedgerWindow,
  timeoutMs: number,
): Promise<SettledLedger> {
  const clients = ledgerClients(info);
  const t0 = Date.now();
  const end = t0 + timeoutMs;
  const untilS = window.until ? Math.ceil(window.until.getTime() / 1000) : undefined;
  try {
    for (;;) {
      // Read first: signals indexed after the ledger was read would otherwise go uncounted.
      const caughtUp = untilS === undefined || (await indexedThroughS(info, clients.doc)) >= untilS;
      const ledger = await readLedger(info, window, clients, false);
      const inFlight = IN_FLIGHT.reduce((n, s) => n + (ledger.intentsByState[s] ?? 0), 0);
      const queued = Object.values(ledger.queues).reduce((n, q) => n + q.depth, 0);
      // Settled when every concerned pair is accounted for too: an alert still paced is not lost yet.
      const indexed = caughtUp && ledger.signalsIn >= (window.expectSignals ?? 0);
      // A window with an end counts only deliveries and fills inside it, so work queued for later
      // signals (the simulator keeps trading) cannot change its counts: only open windows wait for
      // the queues to drain.
      const drained = untilS !== undefined || queued === 0;
      const settled = indexed && inFlight === 0 && drained && ledger.lost === 0;
      if (settled || Date.now() > end) return { ...ledger, settled, settleMs: Date.now() - t0 };
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    clients.destroy();
  }
}
