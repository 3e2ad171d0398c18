// Signals to followers on the local stack: the router's decisions, alerts through the follower
// function (deduplicated, within Telegram's answers 429 and 403), DRY copy intents, the emergency stop.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { toJson } from '../../layers/core/adapters/dynamo/codec.js';
import { DynamoOperatorFlags } from '../../layers/core/adapters/dynamo/operator-state.js';
import type { Decision, FollowerView } from '../../layers/core/domain/decision.js';
import type { Signal } from '../../layers/core/domain/signals.js';
import type { FanoutMessage } from '../../layers/core/ports.js';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import { sentTo, waitForText } from '../support/wait.js';

const info = stackInfo();
const { doc, sqs } = clients(info);
const flags = new DynamoOperatorFlags(doc, info.tables.state);
const P = 10_000_000_000n;

async function intentsOf(userId: number) {
  const out = await doc.send(
    new ScanCommand({
      TableName: info.tables.intents,
      FilterExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': String(userId) },
    }),
  );
  return out.Items ?? [];
}

async function traderWithFollowers() {
  if (info.chain.mode !== 'local') throw new Error('needs the local chain');
  const trader = await LocalTrader.create(
    info.endpoints.rpc,
    info.chain.addresses,
    1_000 + (uniqueId() % 500),
  );
  const wallet = await LocalTrader.create(
    info.endpoints.rpc,
    info.chain.addresses,
    1_600 + (uniqueId() % 300),
  );
  const ada = new ChatDriver(info, { id: uniqueId(), firstName: 'Ada' }); // alerts only
  const bob = new ChatDriver(info, { id: uniqueId(), firstName: 'Bob' }); // auto copy with a wallet
  await ada.say(`/follow ${trader.address}`);
  await bob.say(`/follow ${trader.address}`);
  await bob.say(`/set ${trader.address} mode auto`);
  await bob.say(`/wallet ${wallet.address}`);
  return { trader, ada, bob };
}

afterEach(async () => {
  await flags.setEmergencyStop(false, 'test', new Date());
});

describe('signals to followers', () => {
  it('alerts an ALERTS follower and simulates the copy of an AUTO follower, tagged (DRY)', async () => {
    const { trader, ada, bob } = await traderWithFollowers();

    await trader.open({ pairIndex: 0, collateralUsdc: 300n * USDC_UNIT, leverage: 20, buy: false });

    const adaAlert = await waitForText(info, ada.person.id, /opened <b>SHORT ETH\/USD<\/b> 20x/);
    const bobAlert = await waitForText(info, bob.person.id, /opened <b>SHORT ETH\/USD<\/b> 20x/);
    expect(adaAlert).not.toContain('Copy');
    // 20x capped to 5x by the default (conservative) risk profile; $25 is the default size.
    expect(bobAlert).toContain('Copy (DRY): would open SHORT 5x with $25.00 (capped: leverage)');
    const [intent, ...more] = await intentsOf(bob.person.id);
    expect(more).toHaveLength(0);
    expect(intent).toMatchObject({
      state: 'SIMULATED',
      mode: 'DRY',
      reason: 'MODE_DRY',
      trader: trader.address,
    });
    expect(await intentsOf(ada.person.id)).toHaveLength(0);
  });

  it('copies nothing after an emergency stop, and says why', async () => {
    const { trader, bob } = await traderWithFollowers();
    await flags.setEmergencyStop(true, 'test', new Date());

    await trader.open({ pairIndex: 1, collateralUsdc: 200n * USDC_UNIT, leverage: 5, buy: true });

    const alert = await waitForText(info, bob.person.id, /opened <b>LONG BTC\/USD<\/b>/);
    expect(alert).toContain('Not copied (DRY): copying is stopped by the operators.');
    expect(await intentsOf(bob.person.id)).toHaveLength(0);
  });
});

describe('follower function', () => {
  const userId = () => uniqueId();
  const signal = (): Signal => ({
    id: `0x${uniqueId().toString(16).padStart(64, '0')}:7`,
    kind: 'OPEN',
    trader: `0x${'7'.repeat(40)}`,
    pairIndex: 2,
    pair: 'SOL/USD',
    tradeIndex: 0,
    side: 'LONG',
    leverage: String(5n * P),
    collateralUsdc: '100000000',
    notionalUsdc: '500000000',
    price: String(150n * P),
    block: 1,
    blockHash: '0x01',
    txHash: '0x02',
    ts: 0,
  });
  const follower = (id: number): FollowerView => ({
    userId: String(id),
    chatId: String(id),
    mode: 'AUTO',
    sizing: { kind: 'FIXED_USD', usdc: 20_000_000n },
    maxLeverage: 10,
    maxPositionUsdc: 250_000_000n,
    pairs: 'ALL',
    notify: true,
    paused: false,
  });
  const copy: Decision = {
    action: 'COPY',
    reason: 'MODE_DRY',
    adjustments: [],
    notify: true,
    order: { kind: 'OPEN', pairIndex: 2, buy: true, leverage: String(5n * P), collateralUsdc: '20000000' },
  };
  /** Delivers a fanout message as SQS would redeliver it: same body, a new dedup id. */
  const deliver = (m: FanoutMessage) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: info.queues.fanout.url,
        MessageBody: toJson(m),
        MessageGroupId: m.userId,
        MessageDeduplicationId: `${uniqueId()}`,
      }),
    );

  it('alerts once and claims one intent when the same message arrives three times', async () => {
    const id = userId();
    const cy = new ChatDriver(info, { id, firstName: 'Cy' });
    if (info.chain.mode !== 'local') throw new Error('needs the local chain');
    const wallet = await LocalTrader.create(
      info.endpoints.rpc,
      info.chain.addresses,
      1_900 + (uniqueId() % 90),
      1_000n * USDC_UNIT,
    );
    await cy.say(`/follow 0x${'7'.repeat(40)}`);
    await cy.say(`/set 0x${'7'.repeat(40)} mode auto`);
    await cy.say(`/wallet ${wallet.address}`);
    const message: FanoutMessage = {
      signal: signal(),
      userId: String(id),
      chatId: String(id),
      follower: follower(id),
      decision: copy,
    };

    await Promise.all([deliver(message), deliver(message), deliver(message)]);

    await waitForText(info, id, /opened <b>LONG SOL\/USD<\/b>/);
    await new Promise((r) => setTimeout(r, 1_500)); // time for the redeliveries to be processed
    expect((await sentTo(info, id)).filter((c) => String(c.params.text).includes('SOL/USD'))).toHaveLength(1);
    expect(await intentsOf(id)).toHaveLength(1);
  });

  it('retries after Telegram’s retry_after on a 429, and loses nothing', async () => {
    const id = userId();
    await new ChatDriver(info, { id, firstName: 'Di' }).say('/start');
    await fetch(`${info.endpoints.telegramBotApi}/_alfa/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'sendMessage', chatId: id, status: 429, retryAfter: 1, times: 1 }),
    });
    const started = Date.now();

    await deliver({
      signal: signal(),
      userId: String(id),
      chatId: String(id),
      follower: follower(id),
      decision: copy,
    });

    await waitForText(info, id, /opened <b>LONG SOL\/USD<\/b>/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await sentTo(info, id)).map((c) => c.status)).toEqual([200, 429, 200]); // welcome, refused, retried
  });

  it('marks a user who blocked the bot inactive on a 403', async () => {
    const id = userId();
    await new ChatDriver(info, { id, firstName: 'Ed' }).say('/start');
    await fetch(`${info.endpoints.telegramBotApi}/_alfa/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'sendMessage', chatId: id, status: 403 }),
    });

    await deliver({
      signal: signal(),
      userId: String(id),
      chatId: String(id),
      follower: follower(id),
      decision: copy,
    });

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
