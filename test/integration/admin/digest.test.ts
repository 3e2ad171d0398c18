// The daily digest on the local stack: users, follows and copies seeded in DynamoDB Local (a stage of
// its own), the real composition (scans) queueing on the stack's alerts.fifo, whose alerter (the
// default stage's) sends the jobs to the Telegram stand-in: each exactly once, even when run twice.
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFollowStore } from '#core/adapters/dynamo/follow-store.js';
import { loadConfig } from '#core/config.js';
import { newFollow } from '#core/domain/follows.js';
import { digestDeps } from '#core/digest/compose.js';
import { runDigest } from '#core/digest/run.js';
import { TABLES } from '#core/resources.js';
import { createTables } from '../../../local/provision.js';
import { clients, stackInfo, uniqueId, useStackEnv } from '../../support/stack-clients.js';
import { sentTo, waitForText } from '../../support/wait.js';

const info = stackInfo();
const { dynamo, doc } = clients(info);
const stage = `dig-${randomBytes(3).toString('hex')}`;
const trader = `0x${'ab'.repeat(20)}`;
const ada = String(uniqueId());
const bob = String(uniqueId());
const admin = String(uniqueId());
let tables: Record<string, string>;

const yesterdayNoon = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - 1, 12)).toISOString();
};

beforeAll(async () => {
  tables = await createTables(dynamo, stage);
  const put = (table: string, Item: Record<string, unknown>) =>
    doc.send(new PutCommand({ TableName: tables[table], Item }));
  await put('users', { userId: ada, chatId: ada, firstName: 'Ada', active: true });
  await put('users', { userId: bob, chatId: bob, firstName: 'Bob', active: true, digest: false });
  const follows = new DynamoFollowStore(doc, { follows: tables.follows!, users: tables.users! });
  for (const user of [ada, bob]) await follows.create(newFollow(user, user, trader, new Date()), 25);
  // Ada's copy of the trader's close, executed yesterday: +$20 realized.
  await put('intents', {
    intentId: `sig1:${ada}`,
    userId: ada,
    trader,
    kind: 'CLOSE',
    state: 'EXECUTED',
    createdAt: yesterdayNoon(),
    fill: { collateralUsdc: '100000000', usdcSentToTrader: '120000000', price: '1' },
  });
  await put('intents', {
    intentId: `sig2:${bob}`,
    userId: bob,
    trader,
    kind: 'OPEN',
    state: 'FAILED',
    createdAt: yesterdayNoon(),
  });
});

describe('the daily digest on the local stack', () => {
  it('queues Ada her digest with her copy PnL, Bob (digest off) nothing, the admin the report; each sent once a day', async () => {
    const cfg = loadConfig({
      ...info.env,
      STAGE: stage,
      ADMIN_USER_IDS: admin,
      ...Object.fromEntries(Object.entries(TABLES).map(([k, d]) => [d.envVar, tables[k]])),
    });
    // The composition's own queue: its SQS client finds the stand-in through the handlers' environment.
    useStackEnv();
    const deps = digestDeps(cfg, () => undefined, doc);

    const first = await runDigest(deps);
    expect(first).toMatchObject({ users: 2, queued: 1, skipped: { DIGEST_OFF: 1 }, reports: 1 });
    const texts = async (chat: string) =>
      (await sentTo(info, chat)).filter((c) => c.status === 200).map((c) => String(c.params.text));
    const digest = await waitForText(info, ada, /Your Alfa day/);
    const report = await waitForText(info, admin, /operator report/);

    const again = await runDigest(deps);
    expect(again).toMatchObject({ queued: 1, skipped: { DIGEST_OFF: 1 }, reports: 1 });
    // A last job in each chat's message group (group = user): once it arrives, anything the second
    // run queued before it in that chat has been delivered or dropped.
    await deps.queue.publish(
      [ada, admin].map((userId) => ({ id: `end:${stage}:${userId}`, userId, chatId: userId, html: 'end' })),
    );
    await waitForText(info, ada, /^end$/);
    await waitForText(info, admin, /^end$/);

    expect(await texts(ada)).toEqual([digest, 'end']);
    expect(digest).toContain('1 executed');
    expect(digest).toContain('Realized PnL: <b>+$20.00</b>');
    expect(await texts(bob)).toEqual([]);
    expect(await texts(admin)).toEqual([report, 'end']);
    expect(report).toContain(`Alfa ${stage} operator report`);
    expect(report).toContain('digests queued: 1');
    expect(report).toContain('Outcomes: 1 executed, 0 cancelled, 1 failed');
    expect(report).toContain('Average PnL per copying user: +$20.00 (1 user)');
  });
});
