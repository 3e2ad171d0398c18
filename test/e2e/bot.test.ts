// Every command and button of the bot through the webhook, with real-shaped updates, against the
// local stack: leaderboard, trader cards, follows and settings, risk, wallet, portfolio, admin.
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { materializeLeaderboards } from '#core/analytics/materialize.js';
import { statsFromFills } from '#core/domain/analytics/stats.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { encodeCallback } from '#core/domain/callbacks.js';
import { fillsFromEvents } from '#core/domain/fills.js';
import { FOLLOW_LIMIT } from '#core/domain/follows.js';
import type { TradeEvent } from '#core/domain/trade-events.js';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { marketClose, marketOpen } from '../fixtures/avantis-logs.js';
import { TEST_ADMIN_ID } from '../support/global-setup.js';
import { V2Account, provider as v2Provider } from '../support/v2-trading.js';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import { groupChat, textMessageUpdate } from '../support/telegram-updates.js';

const info = stackInfo();
const { doc } = clients(info);
const ssm = new SSMClient({
  region: info.region,
  endpoint: info.endpoints.awsControlPlane,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const USDC = 1_000_000n;
const P = 10n ** 10n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const rules = { minTrades30d: 10, minVolume30dUsd: 10_000, activeHours: 72 }; // the test stack's defaults

const address = () => `0x${uniqueId().toString(16).padStart(40, '0')}`;
const user = (name = 'Ada') => new ChatDriver(info, { id: uniqueId(), firstName: name });
const only = ChatDriver.only;

/** A trader with `n` profitable round trips in the last hours: ranked under the default rules. */
async function rankedTrader(n = 12, pnlEach = 3n * USDC): Promise<string> {
  const trader = address();
  const start = Math.floor(Date.now() / 1000) - n * 1200;
  const logs = Array.from({ length: n }, (_, i) => [
    marketOpen({ trader, collateral: 200n * USDC, leverage: 5n * P }, { blockNumber: 10 * i + 1 }),
    marketClose(
      { trader, collateral: 200n * USDC, leverage: 5n * P },
      { blockNumber: 10 * i + 2 },
      {
        amount: 200n * USDC,
        price: 3_000n * P,
        percentProfit: 0n,
        usdcSentToTrader: 200n * USDC + pnlEach,
      },
    ),
  ]).flat();
  const events = logs.map((l) => (decodeLog(l) as { ok: true; event: TradeEvent }).event);
  const fills = [...fillsFromEvents(events, (b) => start + b * 100).fills];
  await new DynamoFillStore(doc, info.tables.fills).putEvents(fills);
  await new DynamoStatsStore(doc, info.tables.stats).putMany([statsFromFills(trader, fills)]);
  return trader;
}

async function followItem(userId: number, trader: string) {
  return (
    await doc.send(
      new GetCommand({ TableName: info.tables.follows, Key: { userId: String(userId), trader } }),
    )
  ).Item;
}

const stats = new DynamoStatsStore(doc, info.tables.stats);
let star: string;
let second: string;

beforeAll(async () => {
  star = await rankedTrader(14, 5n * USDC);
  second = await rankedTrader(12, 1n * USDC);
  await materializeLeaderboards({ stats, now: () => new Date(), log: quiet }, rules);
});

describe('bot: help and unknown input', () => {
  it('lists every user command with an example, and admin commands to admins only', async () => {
    const help = only(await user().say('/help')).text;
    const adminHelp = only(
      await new ChatDriver(info, { id: Number(TEST_ADMIN_ID), firstName: 'Op' }).say('/help'),
    ).text;

    for (const c of [
      '/alfa',
      '/trader',
      '/follow',
      '/unfollow',
      '/following',
      '/set',
      '/settings',
      '/wallet',
      '/portfolio',
      '/pause',
      '/resume',
    ]) {
      expect(help).toContain(`${c} — `);
    }
    expect(help).not.toContain('/emergency');
    expect(adminHelp).toContain('/emergency — ');
    expect(adminHelp).toContain('<code>/copy mode LIVE</code>');
  });

  it('answers an unknown command, plain text and a sticker with a pointer to /help', async () => {
    const ada = user();
    expect(only(await ada.say('/frobnicate')).text).toContain("I don't know /frobnicate");
    expect(only(await ada.say('hello')).text).toContain('/help');
    const sticker = await ada.send({
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: ada.person.id, type: 'private', first_name: 'Ada' },
      from: { id: ada.person.id, is_bot: false, first_name: 'Ada' },
      sticker: {
        file_id: 'x',
        file_unique_id: 'y',
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    });
    expect(only(sticker).text).toContain('I only understand text commands');
  });
});

describe('bot: leaderboard', () => {
  it('/alfa shows the top traders with a Follow button each, and paging', async () => {
    const ada = user();
    const board = only(await ada.say('/alfa'));

    expect(board.text).toMatch(/Top \d+ by copyability score/);
    expect(board.text).toContain(star.slice(0, 6));
    expect(board.buttons.some((b) => b.text.startsWith('Follow #'))).toBe(true);
    expect(board.buttons.some((b) => b.text === 'Sort: PnL')).toBe(true);
  });

  it('/alfa top1 limits the list; a bad argument says what to type', async () => {
    const ada = user();
    const top1 = only(await ada.say('/alfa top1'));
    expect(top1.text).toContain('Top 1 by');
    expect(top1.buttons.filter((b) => b.text.startsWith('Follow'))).toHaveLength(1);

    expect(only(await ada.say('/alfa top999')).text).toContain('/alfa top20');
    expect(only(await ada.say('/alfa lots')).text).toContain('/alfa top20');
  });

  it('Follow on the leaderboard follows and ticks its row in the same message, naming the trader', async () => {
    const ada = user();
    const board = only(await ada.say('/alfa'));
    const row = board.buttons.find((b) => b.text.startsWith('Follow #'));
    const trader = `0x${String(row?.data.split(':')[2])}`;

    const after = await ada.press(board.messageId as number, row?.text ?? '');

    expect(only(after, 'answerCallbackQuery').params.text).toContain(`Following ${trader.slice(0, 6)}`);
    const edited = only(after, 'editMessageReplyMarkup');
    expect(edited.messageId).toBe(board.messageId);
    expect(edited.buttons.some((b) => b.text.startsWith('✓ Following'))).toBe(true);
    expect(after.filter((s) => s.method === 'editMessageText')).toHaveLength(0);
    expect(await followItem(ada.person.id, trader)).toMatchObject({ mode: 'ALERTS', notify: true });
  });

  it('sorting by PnL edits the menu in place', async () => {
    const ada = user();
    const board = only(await ada.say('/alfa'));

    const edited = only(await ada.press(board.messageId as number, 'Sort: PnL'), 'editMessageText');

    expect(edited.messageId).toBe(board.messageId);
    expect(edited.text).toContain('by 30-day PnL');
  });

  it('a stale or forged button answers politely and changes nothing', async () => {
    const ada = user();
    const board = only(await ada.say('/alfa'));

    const old = await ada.press(board.messageId as number, 'old', '0:f:deadbeef');
    const forged = await ada.press(board.messageId as number, 'forged', '1:f:not-an-address');

    for (const sent of [old, forged]) {
      expect(only(sent, 'answerCallbackQuery').params.text).toContain('expired');
      expect(sent.filter((s) => s.method === 'editMessageText')).toHaveLength(0);
    }
  });
});

describe('bot: traders and follows', () => {
  it('/trader shows stats and recent trades with Follow; bad and unknown addresses are explained', async () => {
    const ada = user();
    const card = only(await ada.say(`/trader ${star}`));
    expect(card.text).toContain(`<code>${star}</code>`);
    expect(card.text).toMatch(/30d: \+\$70\.00/); // 14 closes x $5
    expect(card.text).toContain('Recent trades');
    expect(card.buttons.map((b) => b.text)).toContain('Follow');

    expect(only(await ada.say('/trader 0x123')).text).toContain('40 hex digits');
    expect(only(await ada.say('/trader')).text).toContain('an address is needed');
    const unknown = only(await ada.say(`/trader ${address()}`));
    expect(unknown.text).toContain('No trades indexed');
    expect(unknown.text).toContain('$0.00');
    expect(unknown.text).not.toContain('NaN');
  });

  it('/follow, /following, /unfollow', async () => {
    const ada = user();
    const followed = only(await ada.say(`/follow ${second}`));
    expect(followed.text).toContain('Following');
    expect(followed.text).toContain('Copy settings');
    expect(only(await ada.say(`/follow ${second}`)).text).toContain('already follow');

    const list = only(await ada.say('/following'));
    expect(list.text).toContain('You follow 1 of at most');
    expect(list.buttons[0]?.text).toContain('⚙');

    expect(only(await ada.say(`/unfollow ${second}`)).text).toContain('Unfollowed');
    expect(only(await ada.say(`/unfollow ${second}`)).text).toContain('were not following');
    expect(await followItem(ada.person.id, second)).toBeUndefined();
  });

  it(`refuses a follow beyond ${FOLLOW_LIMIT}`, async () => {
    const ada = user();
    for (let i = 0; i < FOLLOW_LIMIT; i++) await ada.say(`/follow ${address()}`);

    const refused = only(await ada.say(`/follow ${address()}`));

    expect(refused.text).toContain(`already follow ${FOLLOW_LIMIT} traders`);
    expect(only(await ada.say('/following')).text).toContain(
      `You follow ${FOLLOW_LIMIT} of at most ${FOLLOW_LIMIT}`,
    );
  });

  it('settings buttons change each setting in place; AUTO says (DRY) while DRY', async () => {
    const ada = user();
    const screen = only(await ada.say(`/follow ${star}`));
    const id = screen.messageId as number;

    const ask = only(await ada.press(id, 'Auto copy'), 'editMessageText');
    expect(ask.text).toContain('Turn on Auto copy');
    const auto = only(await ada.press(id, 'Yes, Auto copy'), 'editMessageText');
    expect(auto.text).toContain('Mode: AUTO');
    expect(auto.text).toContain('(DRY)');
    await ada.press(id, '$50');
    await ada.press(id, '≤20x');
    await ada.press(id, 'max $1k');
    await ada.press(id, 'BTC');
    const last = only(await ada.press(id, '🔕 Silent'), 'editMessageText');

    expect(last.text).toContain('Size: $50.00 collateral per trade');
    expect(last.text).toContain('Max leverage: 20x · max collateral per copy: $1,000.00');
    expect(last.text).toContain('Pairs: BTC/USD');
    expect(last.text).toContain('Notifications: silent');
    expect(await followItem(ada.person.id, star)).toMatchObject({
      mode: 'AUTO',
      sizing: { kind: 'FIXED_USD', amount: '50000000' },
      maxLeverage: 20,
      maxPositionUsdc: '1000000000',
      pairs: [1],
      notify: false,
      notifications: 'SILENT',
    });
  });

  it('/set takes typed values and refuses bad ones with what to type', async () => {
    const ada = user();
    await ada.say(`/follow ${star}`);

    expect(only(await ada.say(`/set ${star} size 5%`)).text).toContain("5% of your wallet's USDC");
    expect(only(await ada.say(`/set ${star} maxpos 1k`)).text).toContain(
      'max collateral per copy: $1,000.00',
    );
    expect(only(await ada.say(`/set ${star} size 0.5x`)).text).toContain("0.5x the trader's collateral");
    expect(only(await ada.say(`/set ${star} pairs ETH, sol`)).text).toContain('Pairs: ETH/USD, SOL/USD');
    expect(only(await ada.say(`/set ${star} lev 150`)).text).toContain('Max leverage: 150x'); // at the limit: allowed

    const refusals = [
      [`/set ${star} lev 151`, 'from 1x to 150x'],
      [`/set ${star} size abc`, 'size is dollars'],
      [`/set ${star} size 0`, 'from $1'],
      [`/set ${star} maxpos 5`, 'from $10'],
      [`/set ${star} pairs FOO`, 'unknown pair FOO'],
      [`/set ${star} colour red`, 'unknown setting'],
      [`/set ${star} size`, 'Which setting'],
      ['/set 0xnope size 5', 'not an address'],
      [`/set ${address()} size 5`, 'do not follow'],
    ];
    for (const [command, expected] of refusals)
      expect(only(await ada.say(command as string)).text, command).toContain(expected);
  });
});

describe('bot: risk, wallet, portfolio', () => {
  it('/settings shows the caps; presets and custom values change them; pause mirrors onto follows', async () => {
    const ada = user();
    await ada.say(`/follow ${star}`);
    const screen = only(await ada.say('/settings'));
    expect(screen.text).toContain('Profile: conservative');

    const ask = only(await ada.press(screen.messageId as number, 'Aggressive'), 'editMessageText');
    expect(ask.text).toContain('Switch to the Aggressive risk profile?');
    const aggressive = only(
      await ada.press(screen.messageId as number, 'Yes, Aggressive'),
      'editMessageText',
    );
    expect(aggressive.text).toContain('Max leverage: 50x');
    expect(only(await ada.say('/settings dailyloss 200')).text).toContain('Daily loss limit: $200.00');
    expect(only(await ada.say('/settings floor 1000000')).text).toContain('must not be above the ceiling');
    expect(only(await ada.say('/settings speed 9')).text).toContain('unknown setting');

    expect(only(await ada.say('/pause')).text).toContain('Paused');
    expect(await followItem(ada.person.id, star)).toMatchObject({ paused: true });
    expect(only(await ada.say('/resume')).text).toContain('Resumed');
    expect(await followItem(ada.person.id, star)).toMatchObject({ paused: false });
  });

  it('/wallet shows the user’s own delegate key, and links the wallet once it has delegated to it', async () => {
    if (!info.avantis) throw new Error('needs the local Avantis v2');
    const ada = user();
    const chain = v2Provider(info.endpoints.rpc);
    const wallet = await V2Account.create(chain, info.avantis, 1_000n * USDC_UNIT);
    const key = (await (
      await fetch(info.delegates.invokeUrl, {
        method: 'POST',
        body: JSON.stringify({ userId: String(ada.person.id) }),
      })
    ).json()) as { delegate: string };

    const before = only(await ada.say(`/wallet ${wallet.address}`));
    expect(before.text).toContain(`Your Alfa delegate key: <code>${key.delegate}</code>`);
    expect(before.text).toContain('has not delegated to your Alfa key');
    expect(before.text).toContain(`setDelegate(${key.delegate}`);
    expect(before.text).toContain('USDC $1,000.00');

    const block = await chain.getBlock('latest');
    await wallet.setDelegate(key.delegate, (block?.timestamp ?? 0) + 86_400);
    const after = only(await ada.say('/wallet'));
    expect(after.text).toMatch(/linked, ✅ delegated to your key until/);
    expect(after.text).toContain('Ready: Auto copy follows can trade from this wallet.');
    expect(after.text).toContain('(DRY)');
    chain.destroy();

    expect(only(await ada.say('/wallet 0xabc')).text).toContain('40 hex digits');
  });

  it('/portfolio asks for a wallet, then shows its open positions from the chain', async () => {
    if (info.chain.mode !== 'local') throw new Error('needs the local chain');
    const ada = user();
    expect(only(await ada.say('/portfolio')).text).toContain('/wallet');
    const wallet = await LocalTrader.create(
      info.endpoints.rpc,
      info.chain.addresses,
      900 + (uniqueId() % 90),
    );
    await wallet.openAndWaitFill({ pairIndex: 0, collateralUsdc: 300n * USDC_UNIT, leverage: 3, buy: false });
    // A wallet counts as Ada's only once it has delegated to her own Alfa key.
    const key = (await (
      await fetch(info.delegates.invokeUrl, {
        method: 'POST',
        body: JSON.stringify({ userId: String(ada.person.id) }),
      })
    ).json()) as { delegate: string };
    await wallet.setDelegate(key.delegate);
    await ada.say(`/wallet ${wallet.address}`);

    let text = '';
    for (let i = 0; i < 50 && !text.includes('ETH/USD short'); i++) {
      text = only(await ada.say('/portfolio')).text;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('ETH/USD short');
    expect(text).toContain('(DRY)');
  });
});

describe('bot: admin', () => {
  const admin = () => new ChatDriver(info, { id: Number(TEST_ADMIN_ID), firstName: 'Op' });
  const modeSwitch = async () =>
    (await ssm.send(new GetParameterCommand({ Name: info.executionModeParameter }))).Parameter?.Value;

  it('refuses every admin command to a non-admin, and changes nothing', async () => {
    const eve = user('Eve');
    for (const command of [
      '/copy mode LIVE',
      '/emergency stop',
      '/autocopy_off_all',
      '/status admin',
      '/health',
      '/recent_errors',
    ]) {
      expect(only(await eve.say(command)).text, command).toContain('for Alfa operators only');
    }
    const forged = await eve.press(
      only(await eve.say('/alfa')).messageId as number,
      'live',
      encodeCallback({ a: 'live', confirm: true }),
    );
    expect(only(forged, 'answerCallbackQuery').params.text).toContain('operators only');
    expect(await modeSwitch()).toBe('DRY');
  });

  it('/copy mode LIVE asks to confirm; the switch turns LIVE but the deploy ceiling keeps the system DRY', async () => {
    const op = admin();
    const confirm = only(await op.say('/copy mode LIVE'));
    expect(confirm.text).toContain('Switch copy execution to LIVE?');

    const done = only(await op.press(confirm.messageId as number, 'Yes, go LIVE'), 'editMessageText');
    expect(await modeSwitch()).toBe('LIVE');
    expect(done.text).toContain('stays <b>DRY</b>');

    expect(only(await op.say('/copy mode DRY')).text).toContain('now <b>DRY</b>');
    expect(await modeSwitch()).toBe('DRY');
    expect(only(await op.say('/copy mode MAYBE')).text).toContain('Usage');
  });

  it('/emergency stop and start set the flag; /status shows it', async () => {
    const op = admin();
    expect(only(await op.say('/emergency stop')).text).toContain('Emergency stop');
    expect(only(await op.say('/status admin')).text).toContain('Emergency stop: ⛔ ON');
    // Clearing the stop asks first; the tap re-checks the flag before anything is sent.
    const q = only(await op.say('/emergency start'));
    expect(only(await op.press(q.messageId as number, 'Yes, restart'), 'editMessageText').text).toContain(
      'cleared',
    );
    const status = only(await op.say('/status admin')).text;
    expect(status).toContain('Emergency stop: off');
    expect(status).toContain('Mode: <b>DRY</b>');
    expect(status).toMatch(/Indexer: block \d+/);
    expect(status).toMatch(/saved 20\d\d-\d\d-\d\dT/); // when the indexer last saved, not "-"
    expect(status).toMatch(/Queue signals: \d+ waiting · DLQ 0/);
  });

  it('/autocopy_off_all turns AUTO off on every follow and says how many', async () => {
    const op = admin();
    const ada = user();
    await ada.say(`/follow ${second}`);
    const ask = only(await ada.say(`/set ${second} mode auto`));
    await ada.press(ask.messageId as number, 'Yes, Auto copy');

    const reply = only(await op.say('/autocopy_off_all')).text;

    expect(reply).toMatch(/Auto copy turned off on [1-9]\d* follows?/);
    expect(await followItem(ada.person.id, second)).toMatchObject({ mode: 'ALERTS' });
  });

  it('/health checks every dependency; /recent_errors answers', async () => {
    const op = admin();
    const health = only(await op.say('/health')).text;
    for (const part of ['✓ DynamoDB', '✓ SSM execution switch', '✓ SQS', '✓ chain RPC'])
      expect(health).toContain(part);
    expect(only(await op.say('/recent_errors')).text).toMatch(/errors/i);
  });

  it('an SSM outage shows the mode as DRY with the reason', async () => {
    const op = admin();
    const outage = (on: boolean) =>
      fetch(`${info.endpoints.awsControlPlane}/_alfa/ssm-outage`, {
        method: 'POST',
        body: JSON.stringify({ on }),
      });
    await ssm.send(
      new PutParameterCommand({
        Name: info.executionModeParameter,
        Value: 'LIVE',
        Type: 'String',
        Overwrite: true,
      }),
    );
    await outage(true);
    try {
      const status = only(await op.say('/status admin')).text;
      expect(status).toContain('Mode: <b>DRY</b>');
      expect(status).toContain('unreadable');
    } finally {
      await outage(false);
      await ssm.send(
        new PutParameterCommand({
          Name: info.executionModeParameter,
          Value: 'DRY',
          Type: 'String',
          Overwrite: true,
        }),
      );
    }
  });
});

describe('bot: chats it does not serve', () => {
  it('ignores commands in a group', async () => {
    const ada = user();
    const group = groupChat(uniqueId());
    const res = await fetch(info.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [info.webhook.header]: info.webhook.secret },
      body: JSON.stringify(textMessageUpdate(uniqueId(), ada.person, '/alfa', group)),
    });
    expect(res.status).toBe(200);
    const calls = (await (await fetch(`${info.telegram.callsUrl}?chat_id=${group.id}`)).json()) as {
      calls: unknown[];
    };
    expect(calls.calls).toHaveLength(0);
  });
});
