// /copies through the webhook on the local stack: the user's copies as stored in the intents
// table (byUser index) come back as totals, per trader and a history with each outcome; /help and
// the command menu list /copies.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const info = stackInfo();
const { doc } = clients(info);
const TRADER = `0x${uniqueId().toString(16).padStart(40, '0')}`;
const P = 10n ** 10n;

function copy(userId: string, n: number, over: Partial<CopyIntent>): CopyIntent {
  return {
    intentId: `e2e-copies-${userId}-${n}:${userId}`,
    signalId: `e2e-copies-${userId}-${n}`,
    userId,
    chatId: userId,
    trader: TRADER,
    slot: { pairIndex: 0, tradeIndex: 0 },
    kind: 'OPEN',
    state: 'CREATED',
    reason: 'COPY_OK',
    mode: 'LIVE',
    order: {
      kind: 'OPEN',
      pairIndex: 0,
      buy: true,
      leverage: (10n * P).toString(),
      collateralUsdc: '100000000',
    },
    // Within the 90 days /copies reads, in order.
    createdAt: new Date(Date.now() - (10 - n) * 60_000).toISOString(),
    // Past copies whose outcome the user was told then: the reconciler owes no notice for them.
    notifiedAt: new Date(Date.now() - (10 - n) * 60_000).toISOString(),
    ...over,
  };
}

describe('bot: /copies', () => {
  let store: DynamoIntentStore;
  beforeAll(() => {
    store = new DynamoIntentStore(doc, info.tables.intents);
  });

  it('shows the user’s copies with their results and outcomes', async () => {
    // Prepare: an open filled at 3,000 (99.40 after the fee), half closed for 51.90, and a failed open.
    const ada = new ChatDriver(info, { id: uniqueId(), firstName: 'Ada' });
    await ada.say('/start');
    const me = String(ada.person.id);
    const empty = ChatDriver.only(await ada.say('/copies')).text;
    await store.claim(
      copy(me, 1, {
        state: 'EXECUTED',
        reason: 'FILLED',
        fill: {
          price: (3_000n * P).toString(),
          collateralUsdc: '99400000',
          usdcSentToTrader: '0',
          leverage: (10n * P).toString(),
        },
      }),
    );
    await store.claim(
      copy(me, 2, {
        kind: 'CLOSE',
        state: 'EXECUTED',
        reason: 'FILLED',
        order: { kind: 'CLOSE', pairIndex: 0, fraction: { closed: '1', of: '2' } },
        fill: { price: (3_060n * P).toString(), collateralUsdc: '49700000', usdcSentToTrader: '51900000' },
      }),
    );
    await store.claim(
      copy(me, 3, {
        state: 'FAILED',
        reason: 'SERVICE_ERROR',
        code: 'BelowMinPosition',
        slot: { pairIndex: 0, tradeIndex: 1 },
      }),
    );

    // Act
    const reply = ChatDriver.only(await ada.say('/copies')).text;

    // Assess
    expect(empty).toContain('No copies yet');
    expect(reply).toContain('1 copy filled · 1 failed');
    expect(reply).toContain('Realized: <b>+$2.20</b>');
    expect(reply).toContain('result <b>+$2.20</b>');
    expect(reply).toContain('$99.40 collateral × 10x = $994.00 notional');
    expect(reply).toContain('failed: Avantis refused it (BelowMinPosition)');
    expect(reply).toMatch(/\d\d-\d\d \d\d:\d\d UTC/);
    expect(ChatDriver.only(await ada.say('/help')).text).toContain('/copies — ');
  });
});
