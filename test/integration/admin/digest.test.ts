// The daily digest on the local stack: users, follows and copies seeded in DynamoDB Local (a stage of
// its own), the real composition (scans, the dedupe table, the bot secret) and the Telegram stand-in.
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
import { clients, stackInfo, uniqueId } from '../../support/stack-clients.js';

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
  it('sends Ada her digest with her copy PnL, Bob (digest off) nothing, the admin the report; once a day', async () => {
    const cfg = loadConfig({
      ...info.env,
      STAGE: stage,
      ADMIN_USER_IDS: admin,
      ...Object.fromEntries(Object.entries(TABLES).map(([k, d]) => [d.envVar, tables[k]])),
    });
    const deps = digestDeps(
      cfg,
      () => undefined,
      () => undefined,
      doc,
    );

    const first = await runDigest(deps);
    const again = await runDigest(deps);

    expect(first).toMatchObject({ users: 2, sent: 1, skipped: { DIGEST_OFF: 1 }, reports: 1 });
    expect(again).toMatchObject({ sent: 0, skipped: { ALREADY_SENT: 1, DIGEST_OFF: 1 }, reports: 0 });
    const sent = async (chat: string) =>
      (
        (await (await fetch(`${info.telegram.callsUrl}?method=sendMessage&chat_id=${chat}`)).json()) as {
          calls: { params: { text: string } }[];
        }
      ).calls.map((c) => c.params.text);
    const [digest, ...more] = await sent(ada);
    expect(more).toEqual([]);
    expect(digest).toContain('Your Alfa day');
    expect(digest).toContain('1 executed');
    expect(digest).toContain('Realized PnL: <b>+$20.00</b>');
    expect(await sent(bob)).toEqual([]);
    const [report] = await sent(admin);
    expect(report).toContain(`Alfa ${stage} operator report`);
    expect(report).toContain('Outcomes: 1 executed, 0 cancelled, 1 failed');
    expect(report).toContain('Average PnL per copying user: +$20.00 (1 user)');
  });
});
