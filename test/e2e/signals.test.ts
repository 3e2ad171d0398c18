// Signals to followers on the local stack in DRY: the router's decisions to alerts.fifo and
// copies.fifo, alerts through the alerter (sent once, within Telegram's answers 429 and 403), DRY
// copy intents through the copier, the emergency stop. Signals are put on signals.fifo as the
// indexer would, so these run whatever the chain does.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoOperatorFlags } from '#core/adapters/dynamo/operator-state.js';
import { DynamoUserStore } from '#core/adapters/dynamo/user-store.js';
import { toJson } from '#core/codec.js';
import type { Signal } from '#core/domain/signals.js';
import type { AlertJob, CopyJob } from '#core/ports/copy.js';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import { sentTo, waitForText } from '../support/wait.js';

const info = stackInfo();
const { doc, sqs } = clients(info);
const flags = new DynamoOperatorFlags(doc, info.tables.state);
const users = new DynamoUserStore(doc, info.tables.users);
const P = 10_000_000_000n;
const hex = (n: number, len: number) => `0x${n.toString(16).padStart(len, '0')}`;

async function intentsOf(userId: number) {
  const out = await doc.send(
    new ScanCommand({
      TableName: info.tables.intents,
      FilterExpression: 'userId = :u AND begins_with(intentId, :h)',
      ExpressionAttributeValues: { ':u': String(userId), ':h': '0x' },
    }),
  );
  return out.Items ?? [];
}

const openSignal = (trader: string, pairIndex = 0): Signal => ({
  id: `${hex(uniqueId(), 64)}:3`,
  kind: 'OPEN',
  trader,
  pairIndex,
  pair: pairIndex === 0 ? 'ETH/USD' : 'BTC/USD',
  tradeIndex: 0,
  side: 'SHORT',
  leverage: String(20n * P),
  collateralUsdc: '300000000',
  notionalUsdc: '6000000000',
  price: String(3_000n * P),
  block: 1,
  blockHash: '0x01',
  txHash: '0x02',
  ts: Math.floor(Date.now() / 1000),
});

const publish = (queueUrl: string, body: string, group: string) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: `${uniqueId()}`,
    }),
  );

async function traderWithFollowers() {
  const trader = hex(uniqueId(), 40);
  const ada = new ChatDriver(info, { id: uniqueId(), firstName: 'Ada' }); // alerts only
  const bob = new ChatDriver(info, { id: uniqueId(), firstName: 'Bob' }); // auto copy with a wallet
  await ada.say(`/follow ${trader}`);
  await bob.say(`/follow ${trader}`);
  const ask = ChatDriver.only(await bob.say(`/set ${trader} mode auto`));
  await bob.press(ask.messageId as number, 'Yes, Auto copy');
  // The link itself (delegation to Bob's key) is tested in live-copy; here it is seeded.
  expect(await users.claimWallet(String(bob.person.id), hex(uniqueId(), 40))).toBe('LINKED');
  return { trader, ada, bob };
}

afterEach(async () => {
  await flags.setEmergencyStop(false, 'test', new Date());
  await new Promise((r) => setTimeout(r, 1_500));
});

describe('signals to followers (DRY)', () => {
  it('alerts an ALERTS follower and simulates the copy of an AUTO follower, tagged (DRY)', async () => {
    const { trader, ada, bob } = await traderWithFollowers();

    await publish(info.queues.signals.url, JSON.stringify(openSignal(trader)), trader);

    const adaAlert = await waitForText(info, ada.person.id, /opened <b>SHORT ETH\/USD<\/b> 20x/);
    const bobAlert = await waitForText(info, bob.person.id, /opened <b>SHORT ETH\/USD<\/b> 20x/);
    expect(adaAlert).not.toContain('Copy');
    // 20x capped to 5x by the default (conservative) risk profile, whose $100 max position is on
    // notional: $25 (the default size) at 5x is $125, so the size is capped to $20.
    expect(bobAlert).toContain('Copy (DRY): would open SHORT 5x with $20.00 (capped: leverage, size)');
    for (let i = 0; i < 50 && (await intentsOf(bob.person.id)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const [intent, ...more] = await intentsOf(bob.person.id);
    expect(more).toHaveLength(0);
    expect(intent).toMatchObject({ state: 'SIMULATED', mode: 'DRY', reason: 'MODE_DRY', trader });
    expect(await intentsOf(ada.person.id)).toHaveLength(0);
  });

  it('copies nothing after an emergency stop, and says why', async () => {
    const { trader, bob } = await traderWithFollowers();
    await flags.setEmergencyStop(true, 'test', new Date());
    await new Promise((r) => setTimeout(r, 1_500)); // the router's 1 s mode cache

    await publish(info.queues.signals.url, JSON.stringify(openSignal(trader, 1)), trader);

    const alert = await waitForText(info, bob.person.id, /opened <b>SHORT BTC\/USD<\/b>/);
    expect(alert).toContain('Not copied (DRY): copying is stopped by the operators.');
    await new Promise((r) => setTimeout(r, 500));
    expect(await intentsOf(bob.person.id)).toHaveLength(0);
  });
});

describe('alerter and copier functions', () => {
  const alert = (id: number): AlertJob => ({
    id: `test:${uniqueId()}:${id}`,
    userId: String(id),
    chatId: String(id),
    html: 'opened <b>LONG SOL/USD</b>',
  });

  it('alerts once and claims one intent when the same messages arrive three times', async () => {
    const { trader, bob } = await traderWithFollowers();
    const id = bob.person.id;
    const signal = openSignal(trader);
    const job: CopyJob = {
      signal,
      userId: String(id),
      chatId: String(id),
      decision: {
        action: 'COPY',
        reason: 'MODE_DRY',
        adjustments: [],
        notify: true,
        order: {
          kind: 'OPEN',
          pairIndex: 0,
          buy: false,
          leverage: String(5n * P),
          collateralUsdc: '25000000',
        },
      },
      follower: {
        userId: String(id),
        chatId: String(id),
        mode: 'AUTO',
        sizing: { kind: 'FIXED_USD', usdc: 25_000_000n },
        maxLeverage: 10,
        maxPositionUsdc: 2_500_000_000n,
        pairs: 'ALL',
        notify: true,
        paused: false,
      },
      routedAt: Date.now(),
    };
    const a = alert(id);

    await Promise.all([
      ...[1, 2, 3].map(() => publish(info.queues.alerts.url, JSON.stringify(a), a.userId)),
      ...[1, 2, 3].map(() => publish(info.queues.copies.url, toJson(job), job.userId)),
    ]);

    await waitForText(info, id, /opened <b>LONG SOL\/USD<\/b>/);
    await new Promise((r) => setTimeout(r, 1_500)); // time for the redeliveries to be processed
    expect((await sentTo(info, id)).filter((c) => String(c.params.text).includes('SOL/USD'))).toHaveLength(1);
    expect(await intentsOf(id)).toHaveLength(1);
  });

  it('sends a notice queued on notices.fifo through the notifier, once', async () => {
    const id = uniqueId();
    await new ChatDriver(info, { id, firstName: 'Noa' }).say('/start');
    const notice: AlertJob = {
      ...alert(id),
      html: 'Copy filled: opened <b>LONG SOL/USD</b>',
      lane: 'notice',
    };

    await Promise.all(
      [1, 2].map(() => publish(info.queues.notices.url, JSON.stringify(notice), notice.userId)),
    );

    await waitForText(info, id, /Copy filled: opened/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      (await sentTo(info, id)).filter((c) => String(c.params.text).includes('Copy filled')),
    ).toHaveLength(1);
  });

  it('retries after Telegram’s retry_after on a 429, and loses nothing', async () => {
    const id = uniqueId();
    await new ChatDriver(info, { id, firstName: 'Di' }).say('/start');
    await fetch(`${info.endpoints.telegramBotApi}/_alfa/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'sendMessage', chatId: id, status: 429, retryAfter: 1, times: 1 }),
    });
    const started = Date.now();

    await publish(info.queues.alerts.url, JSON.stringify(alert(id)), String(id));

    await waitForText(info, id, /opened <b>LONG SOL\/USD<\/b>/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await sentTo(info, id)).map((c) => c.status)).toEqual([200, 429, 200]); // welcome, refused, retried
  });

  it('marks a user who blocked the bot inactive on a 403', async () => {
    const id = uniqueId();
    await new ChatDriver(info, { id, firstName: 'Ed' }).say('/start');
    await fetch(`${info.endpoints.telegramBotApi}/_alfa/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'sendMessage', chatId: id, status: 403 }),
    });

    await publish(info.queues.alerts.url, JSON.stringify(alert(id)), String(id));

    for (let i = 0; i < 100; i++) {
      const user = await doc.send(
        new GetCommand({ TableName: info.tables.users, Key: { userId: String(id) } }),
      );
      if (user.Item?.active === false) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the user was not marked inactive');
  });
});
