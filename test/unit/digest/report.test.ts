// The daily digest and the operator report (digest/report.ts), rendered from seeded data: what a
// user and an admin read, Telegram's length limit, nothing sent on a quiet day, USDC with cents.
import { describe, expect, it } from 'vitest';
import {
  TELEGRAM_MAX_MESSAGE,
  isDailyReport,
  renderOperatorReport,
  renderUserDigest,
  usd,
  yesterdayUtc,
  type CopyRecord,
  type TraderDay,
} from '#core/digest/report.js';
import { DAY, T0, address, usdc } from '../../support/analytics-fills.js';

const day = yesterdayUtc(new Date((T0 + DAY + 8 * 3600) * 1000)); // 08:00 the day after T0
const trader = address('ada');
const other = address('bob');

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
    users: { total: 3, active: 2, digestsQueued: 2 },
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
    expect(report).toContain('Users: 3 (2 active), digests queued: 2');
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

describe('isDailyReport', () => {
  it('knows both reports and no alert', () => {
    const digest = renderUserDigest({ firstName: 'Ada', day, traders, copies }) ?? '';
    const operator = renderOperatorReport({
      day,
      stage: 'local',
      users: { total: 1, active: 1, digestsQueued: 1 },
      copies,
      traders,
      errors: [],
      incidents: [],
    });
    expect([digest, operator].map(isDailyReport)).toEqual([true, true]);
    expect(isDailyReport('<b>🟢 OPEN</b> Your Alfa day, ETH-USD long')).toBe(false);
  });
});
