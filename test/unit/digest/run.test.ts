// The daily run (digest/run.ts) on seeded data: what a trader's UTC day was, each user who wants it
// gets their digest and each admin the report, nothing twice a day, and the operator's off switch.
import { describe, expect, it } from 'vitest';
import { isFill, type Fill } from '#core/domain/fills.js';
import { yesterdayUtc, type CopyRecord } from '#core/digest/report.js';
import { runDigest, traderDay, type DigestDeps, type DigestUser } from '#core/digest/run.js';
import { DAY, FillTape, T0, address, slot, usdc } from '../../support/analytics-fills.js';

const day = yesterdayUtc(new Date((T0 + DAY + 8 * 3600) * 1000)); // 08:00 the day after T0
const trader = address('ada');

/** A trader's day at T0: two opens, one close at +$25 and one at -$10. */
function seededFills(): Fill[] {
  const tape = new FillTape(T0 - 3600);
  const a = slot(trader, { pairIndex: 0, index: 0 });
  const b = slot(trader, { pairIndex: 1, index: 0 });
  tape.openPosition(a, usdc(100)); // the day before: not counted
  tape.at(T0 + 600).openPosition(b, usdc(200));
  tape.after(600).close(a, usdc(125));
  tape.after(600).openPosition(a, usdc(50));
  tape.after(600).close(b, usdc(190));
  return tape.fills.filter(isFill).reverse();
}
const copies: CopyRecord[] = [
  { userId: '1', trader, outcome: 'EXECUTED', notionalUsdc: usdc(1000), pnlUsdc: usdc(12.5) },
  { userId: '1', trader, outcome: 'CANCELED' },
  { userId: '2', trader, outcome: 'EXECUTED', notionalUsdc: usdc(500), pnlUsdc: usdc(-2.5) },
  { userId: '2', trader, outcome: 'FAILED' },
];

describe('what a day of a trader was', () => {
  it('counts the opens and closes inside the UTC day and their realized PnL', () => {
    expect(day.from.toISOString()).toBe('2025-10-10T00:00:00.000Z');
    expect(traderDay(trader, seededFills(), day)).toEqual({
      trader,
      opens: 2,
      closes: 2,
      realizedPnlUsdc: usdc(15),
    });
  });
});

describe('the daily run', () => {
  function world(users: DigestUser[], enabled = true) {
    const sent: { chatId: string; text: string }[] = [];
    const marks = new Set<string>();
    const deps: DigestDeps = {
      stage: 'test',
      enabled,
      admins: new Set(['900']),
      now: () => new Date((T0 + DAY + 8 * 3600) * 1000),
      users: async function* () {
        yield* users;
      },
      tradersFollowedBy: async () => [trader],
      fillsOf: async (t) => (t === trader ? seededFills() : []),
      copies: async () => copies,
      errors: async () => [],
      incidents: async () => [],
      firstTime: async (key) => !marks.has(key) && Boolean(marks.add(key)),
      send: async (chatId, text) => {
        if (chatId === 'blocked') return 'BLOCKED';
        sent.push({ chatId, text });
        return 'SENT';
      },
      log: () => undefined,
    };
    return { deps, sent };
  }
  const user = (userId: string, over: Partial<DigestUser> = {}): DigestUser => ({
    userId,
    chatId: `c${userId}`,
    firstName: `U${userId}`,
    active: true,
    digest: true,
    ...over,
  });

  it('sends each user who wants it their digest and each admin the report, skipping the rest with a reason', async () => {
    const { deps, sent } = world([
      user('1'),
      user('2', { digest: false }),
      user('3', { active: false }),
      user('4', { chatId: 'blocked' }),
    ]);
    const summary = await runDigest(deps);
    expect(summary).toEqual({
      day: '2025-10-10',
      users: 4,
      sent: 1,
      skipped: { DIGEST_OFF: 1, INACTIVE: 1, BLOCKED: 1 },
      reports: 1,
    });
    expect(sent.map((s) => s.chatId)).toEqual(['c1', '900']);
    expect(sent[0]?.text).toContain('Realized PnL: <b>+$12.50</b>');
    expect(sent[1]?.text).toContain('operator report');
  });

  it('sends nothing twice when the schedule fires again the same day', async () => {
    const { deps, sent } = world([user('1')]);
    await runDigest(deps);
    const again = await runDigest(deps);
    expect(again).toMatchObject({ sent: 0, skipped: { ALREADY_SENT: 1 }, reports: 0 });
    expect(sent).toHaveLength(2);
  });

  it('the operator can turn every digest off; the report still goes out', async () => {
    const { deps, sent } = world([user('1')], false);
    expect(await runDigest(deps)).toMatchObject({ sent: 0, skipped: { DIGEST_DISABLED: 1 }, reports: 1 });
    expect(sent.map((s) => s.chatId)).toEqual(['900']);
  });
});
