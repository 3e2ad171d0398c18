// The daily digest and the operator report, rendered from seeded data: what a user and an admin
// read, the day they cover, Telegram's length limit, a user's opt-out, and once per day.
import { describe, expect, it } from 'vitest';
import { isFill, type Fill } from '../../../layers/core/domain/fills.js';
import {
  TELEGRAM_MAX_MESSAGE,
  renderOperatorReport,
  renderUserDigest,
  usd,
  yesterdayUtc,
  type CopyRecord,
  type TraderDay,
} from '../../../layers/core/digest/report.js';
import { runDigest, traderDay, type DigestDeps, type DigestUser } from '../../../layers/core/digest/run.js';
import { DAY, FillTape, T0, address, slot, usdc } from '../../support/analytics-fills.js';

const day = yesterdayUtc(new Date((T0 + DAY + 8 * 3600) * 1000)); // 08:00 the day after T0
const trader = address('ada');
const other = address('bob');

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

const traders: TraderDay[] = [
  { trader, opens: 2, closes: 2, realizedPnlUsdc: usdc(15) },
  { trader: other, opens: 0, closes: 0, realizedPnlUsdc: 0n },
];
const copies: CopyRecord[] = [
  { userId: '1', trader, outcome: 'EXECUTED', notionalUsdc: usdc(1000), pnlUsdc: usdc(12.5) },
  { userId: '1', trader, outcome: 'CANCELED' },
  { userId: '2', trader, outcome: 'EXECUTED', notionalUsdc: usdc(500), pnlUsdc: usdc(-2.5) },
  { userId: '2', trader, outcome: 'FAILED' },
];

describe('the user digest', () => {
  it("tells yesterday's alerts, the followed traders' 24 h results and the user's copies with PnL", () => {
    const text = renderUserDigest({
      firstName: 'Ada <3',
      day,
      traders,
      copies: copies.filter((c) => c.userId === '1'),
    });
    expect(text).toContain('<b>Your Alfa day, 2025-10-10</b>');
    expect(text).toContain('Hi Ada &lt;3. Traders you follow made 4 trades (4 alerts to you).');
    expect(text).toMatch(/<code>0x[0-9a-f]{4}…[0-9a-f]{4}<\/code> 2 open, 2 close · \+\$15\.00/);
    expect(text).toContain('1 executed, 1 canceled');
    expect(text).toContain('Realized PnL: <b>+$12.50</b>');
    expect(text).toContain('/digest off');
    // A trader who did nothing is not listed.
    expect(text).not.toContain(other.slice(-4));
  });

  it('is not sent when nothing happened', () => {
    expect(renderUserDigest({ firstName: 'Ada', day, traders: [traders[1]!], copies: [] })).toBeUndefined();
  });

  it('stays within one Telegram message however many traders there are', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      trader: address(i),
      opens: 3,
      closes: 3,
      realizedPnlUsdc: usdc(i),
    }));
    const text = renderUserDigest({ firstName: 'A'.repeat(64), day, traders: many, copies: [] }) ?? '';
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_MAX_MESSAGE);
    expect(text).toContain('… and 490 more');
  });
});

describe('the operator report', () => {
  const report = renderOperatorReport({
    day,
    stage: 'prod',
    users: { total: 3, active: 2, digestsSent: 2 },
    copies: [...copies, { userId: '3', trader: other, outcome: 'SIMULATED' }],
    traders,
    errors: [
      { at: '2025-10-10T01:00:00Z', reason: 'RPC_DOWN', source: 'indexer' },
      { at: '2025-10-10T02:00:00Z', reason: 'RPC_DOWN', source: 'indexer' },
    ],
    incidents: ['Emergency stop set by cli:ada at 03:00 UTC'],
  });

  it('has volume copied, outcomes and success rate, average PnL per user, top traders, errors and incidents', () => {
    expect(report).toContain('<b>Alfa prod operator report, 2025-10-10</b>');
    expect(report).toContain('Users: 3 (2 active), digests sent: 2');
    expect(report).toContain('Volume copied: $1,500.00');
    expect(report).toContain('Outcomes: 2 executed, 1 cancelled, 1 failed, 0 open, 1 simulated');
    expect(report).toContain('Success rate: 50% of 4 finished');
    expect(report).toContain('Average PnL per copying user: +$5.00 (2 users)');
    expect(report).toMatch(/1\. <code>0x[0-9a-f]{4}…[0-9a-f]{4}<\/code> \+\$15\.00 · 2 closes/);
    expect(report).toContain('indexer RPC_DOWN: 2');
    expect(report).toContain('Emergency stop set by cli:ada at 03:00 UTC');
    expect(report.length).toBeLessThanOrEqual(TELEGRAM_MAX_MESSAGE);
  });

  it('formats USDC amounts with cents and sign', () => {
    expect([usd(1_234_567_890n), usd(-500_000n, true), usd(0n, true)]).toEqual([
      '$1,234.57',
      '-$0.50',
      '+$0.00',
    ]);
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
