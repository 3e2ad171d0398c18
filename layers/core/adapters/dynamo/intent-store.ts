// CopyIntents in DynamoDB: claimed with a conditional put (one per `signalId:userId`), moved only
// along the allowed transitions (each write conditional on the predecessor states), the signed
// intent stored once. Intents in flight, and LIVE ones that ended until their outcome notice is
// queued, carry `unsettledUser` (sparse GSI `unsettled`: a user's copies in flight, and the
// reconciler's work list). The same table holds mirror items
// (`mirror#user#trader#pair#index`, sparse GSI `bySlot` on `mirrorSlot`): every user's copy of one
// trader position, so closes reach copies whatever became of the follow. GSI `byUser` (userId,
// createdAt) lists a user's copies; mirrors and markers have no createdAt, so they stay out of it.
// Items are checked with zod.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  IN_FLIGHT,
  isTerminal,
  onReconcilerWorkList,
  predecessorsOf,
  type IntentUpdate,
} from '../../domain/copy/intent.js';
import type { CopyIntent, IntentHistory, IntentStore, Mirror, SignedIntent } from '../../ports/copy.js';
import { queryAll } from './query.js';
import { scanAll } from './scan.js';
import { batchGetAll } from './batch.js';
import { conditionFailed, transactionCancelledBy } from './errors.js';

const slotKey = (trader: string, pairIndex: number, tradeIndex: number) =>
  `${trader.toLowerCase()}#${pairIndex}#${tradeIndex}`;
const mirrorId = (userId: string, trader: string, pairIndex: number, tradeIndex: number) =>
  `mirror#${userId}#${slotKey(trader, pairIndex, tradeIndex)}`;

const str = z.string();
const order = z.union([
  z.object({
    kind: z.literal('OPEN'),
    pairIndex: z.number(),
    buy: z.boolean(),
    leverage: str,
    collateralUsdc: str,
  }),
  z.object({
    kind: z.literal('CLOSE'),
    pairIndex: z.number(),
    fraction: z.object({ closed: str, of: str }),
  }),
  z.object({
    kind: z.literal('INCREASE'),
    pairIndex: z.number(),
    added: z.object({ collateralUsdc: str, traderBeforeUsdc: str }),
    leverage: str,
  }),
]);
const signed = z.object({
  orderType: z.number(),
  userIntent: str,
  signature: str,
  digest: str,
  nonce: str,
  deadlineMs: str,
  collateralUsdc: str,
  leverage: str,
  buy: z.boolean(),
  pairIndex: z.number(),
  index: z.number().optional(),
});
const fill = z.object({
  orderId: str.optional(),
  price: str,
  collateralUsdc: str,
  usdcSentToTrader: str,
  txHash: str.optional(),
  index: z.number().optional(),
  openTimestamp: str.optional(),
  leverage: str.optional(),
});
const intentItem = z
  .object({
    intentId: str,
    signalId: str,
    userId: str,
    chatId: str,
    trader: str,
    slot: z.object({ pairIndex: z.number(), tradeIndex: z.number() }),
    kind: z.enum(['OPEN', 'CLOSE', 'INCREASE']),
    wallet: str.optional(),
    delegate: str.optional(),
    state: z.enum(['CREATED', 'ACCEPTED', 'INITIATED', 'EXECUTED', 'CANCELED', 'FAILED', 'SIMULATED']),
    reason: str,
    mode: z.enum(['DRY', 'LIVE']),
    order,
    createdAt: str,
    signalTs: z.number().optional(),
    signalBlock: z.number().optional(),
    signed: signed.optional(),
    submittedAt: str.optional(),
    trackingId: str.optional(),
    lastSeq: z.number().optional(),
    orderId: str.optional(),
    txHash: str.optional(),
    fill: fill.optional(),
    code: str.optional(),
    message: str.optional(),
    acceptedAt: str.optional(),
    settledAt: str.optional(),
    notifiedAt: str.optional(),
    nonceUsedAt: str.optional(),
    attempts: z.number().optional(),
  })
  .strip();
const mirrorItem = z
  .object({
    userId: str,
    chatId: str,
    trader: str,
    pairIndex: z.number(),
    tradeIndex: z.number(),
    wallet: str,
    openIntentId: str,
    simulated: z.boolean(),
    buy: z.boolean(),
    index: z.number().optional(),
  })
  .strip();

const toIntent = (item: Record<string, unknown>): CopyIntent => intentItem.parse(item) as CopyIntent;
const toMirror = (item: Record<string, unknown>): Mirror => mirrorItem.parse(item) as Mirror;

const mirrorToItem = (m: Mirror): Record<string, unknown> => ({
  intentId: mirrorId(m.userId, m.trader, m.pairIndex, m.tradeIndex),
  mirrorSlot: slotKey(m.trader, m.pairIndex, m.tradeIndex),
  ...m,
});

export class DynamoIntentStore implements IntentStore, IntentHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(intent: CopyIntent, mirror?: Mirror): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: {
        ...intent,
        ...(onReconcilerWorkList(intent) ? { unsettledUser: intent.userId } : {}),
      },
      ConditionExpression: 'attribute_not_exists(intentId)',
    };
    try {
      if (mirror)
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: put }, { Put: { TableName: this.tableName, Item: mirrorToItem(mirror) } }],
          }),
        );
      else await this.db.send(new PutCommand(put));
      return true;
    } catch (err) {
      // The claim's condition failed (with a mirror: so neither item was written): the intent exists.
      if (conditionFailed(err) || transactionCancelledBy(err, 0)) return false;
      throw err;
    }
  }

  async get(intentId: string): Promise<CopyIntent | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { intentId }, ConsistentRead: true }),
    );
    return out.Item ? toIntent(out.Item) : undefined;
  }

  async saveSigned(intentId: string, s: SignedIntent, at: Date): Promise<CopyIntent | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { intentId },
          // The item as stored comes back with the write: no second read on the copy's hot path.
          ReturnValues: 'ALL_NEW',
          UpdateExpression: 'SET signed = :signed, submittedAt = :at, attempts = :one',
          ConditionExpression: '#s = :created AND attribute_not_exists(signed)',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':signed': s,
            ':at': at.toISOString(),
            ':created': 'CREATED',
            ':one': 1,
          },
        }),
      );
      return out.Attributes ? toIntent(out.Attributes) : undefined;
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      throw err;
    }
  }

  async markSubmitted(intentId: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: 'SET submittedAt = :at ADD attempts :one',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1 },
      }),
    );
  }

  async apply(intentId: string, update: IntentUpdate, at: Date): Promise<CopyIntent | undefined> {
    const set: string[] = ['#s = :to'];
    const values: Record<string, unknown> = { ':to': update.state };
    const put = (name: string, value: unknown) => {
      if (value === undefined) return;
      set.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    };
    switch (update.state) {
      case 'ACCEPTED':
        put('trackingId', update.trackingId);
        put('acceptedAt', at.toISOString());
        put('reason', 'ACCEPTED');
        break;
      case 'INITIATED':
        put('orderId', update.orderId);
        put('txHash', update.txHash);
        put('reason', 'INITIATED');
        break;
      case 'EXECUTED':
        put('fill', update.fill);
        put('reason', update.reason);
        put('orderId', update.fill.orderId);
        break;
      case 'CANCELED':
        put('reason', update.reason);
        put('orderId', update.orderId);
        put('txHash', update.txHash);
        break;
      case 'FAILED':
        put('reason', update.reason);
        put('code', update.code);
        put('message', update.message.slice(0, 300));
        break;
    }
    if (isTerminal(update.state)) put('settledAt', at.toISOString());
    const from = predecessorsOf(update.state);
    from.forEach((s, i) => (values[`:from${i}`] = s));
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { intentId },
          ReturnValues: 'ALL_NEW',
          // Only LIVE intents move; an ended one stays on the work list until markNotified.
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: `#s IN (${from.map((_s, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: values,
        }),
      );
      return out.Attributes ? toIntent(out.Attributes) : undefined;
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      throw err;
    }
  }

  async setLastSeq(intentId: string, seq: number): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { intentId },
          UpdateExpression: 'SET lastSeq = :seq',
          ConditionExpression: 'attribute_not_exists(lastSeq) OR lastSeq < :seq',
          ExpressionAttributeValues: { ':seq': seq },
        }),
      )
      .catch((err: unknown) => {
        if (!conditionFailed(err)) throw err;
      });
  }

  async setNonceUsedAt(intentId: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: 'SET nonceUsedAt = if_not_exists(nonceUsedAt, :at)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  async markNotified(intentId: string, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { intentId },
          UpdateExpression: 'SET notifiedAt = :at REMOVE unsettledUser',
          ConditionExpression: 'attribute_exists(intentId) AND attribute_not_exists(notifiedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async inFlightOf(userId: string): Promise<CopyIntent[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'unsettled',
      KeyConditionExpression: 'unsettledUser = :u',
      ExpressionAttributeValues: { ':u': userId },
    });
    return (await this.full(items)).map(toIntent).filter((i) => IN_FLIGHT.includes(i.state));
  }

  /** The indexes project keys only: the items themselves, read by key. */
  private full(keys: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    return batchGetAll(
      this.db,
      this.tableName,
      keys.map((k) => ({ intentId: k.intentId })),
    );
  }

  async unsettled(): Promise<CopyIntent[]> {
    const keys: Record<string, unknown>[] = [];
    // The index is sparse: only intents on the work list are in it, so this scan is small.
    for await (const item of scanAll(this.db, { TableName: this.tableName, IndexName: 'unsettled' }))
      keys.push(item);
    return (await this.full(keys)).map(toIntent).filter(onReconcilerWorkList);
  }

  async recentOf(userId: string, limit: number): Promise<CopyIntent[]> {
    if (limit <= 0) return [];
    // One page: the index carries every attribute the views read, so no second read by key.
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': userId },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(toIntent);
  }

  async allOf(userId: string, since: Date): Promise<CopyIntent[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'byUser',
      KeyConditionExpression: 'userId = :u AND createdAt >= :since',
      ExpressionAttributeValues: { ':u': userId, ':since': since.toISOString() },
    });
    return items.map(toIntent);
  }

  async putMirror(m: Mirror): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: mirrorToItem(m) }));
  }

  async mirrorOf(
    userId: string,
    trader: string,
    pairIndex: number,
    tradeIndex: number,
  ): Promise<Mirror | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { intentId: mirrorId(userId, trader, pairIndex, tradeIndex) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toMirror(out.Item) : undefined;
  }

  async mirrorsOfSlot(trader: string, pairIndex: number, tradeIndex: number): Promise<Mirror[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'bySlot',
      KeyConditionExpression: '#slot = :s',
      ExpressionAttributeNames: { '#slot': 'mirrorSlot' },
      ExpressionAttributeValues: { ':s': slotKey(trader, pairIndex, tradeIndex) },
    });
    return (await this.full(items)).map(toMirror);
  }

  async allMirrors(): Promise<Mirror[]> {
    const keys: Record<string, unknown>[] = [];
    for await (const item of scanAll(this.db, { TableName: this.tableName, IndexName: 'bySlot' }))
      keys.push(item);
    return (await this.full(keys)).map(toMirror);
  }

  async deleteMirror(m: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { intentId: mirrorId(m.userId, m.trader, m.pairIndex, m.tradeIndex) },
      }),
    );
  }

  async settleMirror(
    m: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>,
    openIntentId: string,
    index: number | undefined,
  ): Promise<void> {
    const Key = { intentId: mirrorId(m.userId, m.trader, m.pairIndex, m.tradeIndex) };
    const owned = {
      ConditionExpression: 'openIntentId = :open',
      ExpressionAttributeValues: { ':open': openIntentId } as Record<string, unknown>,
    };
    try {
      await this.db.send(
        index === undefined
          ? new DeleteCommand({ TableName: this.tableName, Key, ...owned })
          : new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: 'SET #index = :index',
              ExpressionAttributeNames: { '#index': 'index' },
              ...owned,
              ExpressionAttributeValues: { ...owned.ExpressionAttributeValues, ':index': index },
            }),
      );
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }

  async markOnce(marker: string, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { intentId: `marker#${marker}`, at: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(intentId)',
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }
}
