import { describe, expect, it } from 'vitest';
import type { LeaderboardRow } from '../../../layers/core/domain/analytics/leaderboard.js';
import { followSettingsScreen, leaderboardScreen, sizeFloor } from '../../../layers/core/domain/bot-views.js';
import { applySetting, newFollow } from '../../../layers/core/domain/follows.js';
import { parseWalletAddress } from '../../../layers/core/domain/users.js';
import { decodeCallback } from '../../../layers/core/domain/callbacks.js';
import { parseAddress } from '../../../layers/core/domain/addresses.js';
import { applyRiskText, defaultRiskPolicy } from '../../../layers/core/domain/risk.js';
import { formatUsd } from '../../../layers/core/domain/format.js';
import { parseTop } from '../../../layers/core/adapters/telegram/user-commands.js';

const rows: LeaderboardRow[] = Array.from({ length: 25 }, (_, i) => ({
  rank: i + 1,
  trader: `0x${String(i).padStart(40, '0')}`,
  score: 900 - i,
  realizedPnl30dUsdc: String(1_000_000n * BigInt(100 - i)),
  roi30d: 0.1,
  winRate30d: 0.6,
  trades30d: 20,
  volume30dUsdc: '1000000000',
  maxDrawdown30dUsdc: '5000000',
  medianLeverage30d: 5,
  lastActive: 0,
}));
const rules = { minTrades30d: 10, minVolume30dUsd: 10_000, activeHours: 72 };

describe('Function: leaderboardScreen', () => {
  it('pages ten at a time with Prev/Next that carry the page', () => {
    const page2 = leaderboardScreen({
      rows,
      sort: 'score',
      offset: 10,
      limit: 25,
      followed: new Set([rows[12]?.trader ?? '']),
      traders: 30,
      rules,
    });

    expect(page2.text).toContain('(11-20)');
    const nav = page2.keyboard.at(-1)?.map((b) => [b.text, decodeCallback(b.data)]);
    expect(nav).toEqual([
      ['‹ Prev', { a: 'board', sort: 'score', offset: 0, limit: 25 }],
      ['Sort: PnL', { a: 'board', sort: 'pnl', offset: 0, limit: 25 }],
      ['Next ›', { a: 'board', sort: 'score', offset: 20, limit: 25 }],
    ]);
    expect(page2.keyboard[2]?.[1]?.text).toMatch(/^✓ Following #13/);
  });

  it('honours the requested top N and explains an empty board', () => {
    expect(
      leaderboardScreen({ rows, sort: 'pnl', offset: 0, limit: 5, followed: new Set(), traders: 30, rules })
        .text,
    ).toContain('Top 5 by 30-day PnL');
    expect(
      leaderboardScreen({
        rows: [],
        sort: 'score',
        offset: 0,
        limit: 50,
        followed: new Set(),
        traders: 3,
        rules,
      }).text,
    ).toContain('No trader qualifies yet (3 traders indexed)');
  });
});

describe('small parsers', () => {
  it.each([
    [[], 50],
    [['top20'], 20],
    [['top', '7'], 7],
    [['200'], 200],
  ] as const)('/alfa %j -> top %i', (args, top) => {
    expect(parseTop(args)).toEqual({ ok: true, top });
  });

  it.each([[['top0']], [['top201']], [['best']]] as const)('/alfa %j -> an error', (args) => {
    expect(parseTop(args).ok).toBe(false);
  });

  it('addresses: case-insensitive unless mixed case, whose checksum must hold', () => {
    expect(parseAddress('0x44914408AF82BC9983BBB330E3578E1105E11D4E')).toEqual({
      ok: true,
      address: '0x44914408af82bc9983bbb330e3578e1105e11d4e',
    });
    expect(parseAddress('0x44914408af82bC9983bbb330e3578E1105e11d4e').ok).toBe(true);
    expect(parseAddress('0x44914408af82bC9983bbb330e3578E1105e11d4E').ok).toBe(false);
    expect(parseAddress('hello').ok).toBe(false);
  });

  it('risk: custom caps mark the profile CUSTOM; floor above ceiling is refused', () => {
    const custom = applyRiskText(defaultRiskPolicy(), 'dailyloss', '$75');
    expect(custom.ok && custom.value).toMatchObject({ profile: 'CUSTOM', dailyLossLimitUsdc: 75_000_000n });
    expect(applyRiskText(defaultRiskPolicy(), 'floor', '600').ok).toBe(false);
  });

  it('money: rounds to the cent and signs', () => {
    expect(formatUsd(1_234_565_000n)).toBe('$1,234.57');
    expect(formatUsd(-4_999n)).toBe('$0.00');
    expect(formatUsd(-5_000n)).toBe('-$0.01');
    expect(formatUsd(12_000_000n, { sign: true })).toBe('+$12.00');
  });
});

describe('rough edges a new user hit', () => {
  it('the leaderboard lets a user view a trader before following, with units on every number', () => {
    const board = leaderboardScreen({
      rows,
      sort: 'score',
      offset: 0,
      limit: 25,
      followed: new Set(),
      traders: 30,
      rules,
    });
    const first = board.keyboard[0]?.map((b) => decodeCallback(b.data));

    expect(first?.[0]).toEqual({
      a: 'trader',
      trader: rows[0]?.trader,
      back: { sort: 'score', offset: 0, limit: 25 },
    });
    expect(first?.[1]).toMatchObject({ a: 'follow', trader: rows[0]?.trader });
    expect(board.text).toContain('median 5x leverage');
    expect(board.text).toContain('PnL: realized over 30 days');
  });

  it('the zero address is refused as a wallet', () => {
    expect(parseWalletAddress(`0x${'0'.repeat(40)}`)).toMatchObject({ ok: false });
    expect(
      parseWalletAddress(`0x${'0'.repeat(40)}`).ok || parseWalletAddress(`0x${'0'.repeat(40)}`),
    ).toMatchObject({
      error: expect.stringContaining('nobody can sign for it'),
    });
    expect(parseWalletAddress(`0x${'1'.repeat(40)}`).ok).toBe(true);
  });

  it('size buttons below the pair minimum are not offered, and the minimum is said', () => {
    const eth = { ...newFollow('1', '1', `0x${'2'.repeat(40)}`, new Date(0)), pairs: [0], maxLeverage: 5 };
    const screen = followSettingsScreen(eth, 'DRY');
    const sizes = screen.keyboard.flat().filter((b) => {
      const cb = decodeCallback(b.data);
      return cb?.a === 'set' && cb.field === 'size' && cb.value.startsWith('F');
    });

    expect(sizeFloor(eth).minCollateralUsdc).toBe(20_000_000n); // $100 notional at 5x
    expect(sizes.map((b) => b.text.replace('✓ ', ''))).toEqual(['$25', '$50', '$100', '$250']);
    expect(screen.text).toContain("Avantis' smallest position is $100.00 notional");
    expect(screen.text).toContain('max collateral per copy: $250.00 (up to $1,250.00 notional at 5x)');
  });

  it('notifications have three levels, each a button', () => {
    const f = newFollow('1', '1', `0x${'2'.repeat(40)}`, new Date(0));
    const silent = applySetting(f, { field: 'notifications', value: 'SILENT' });
    const screen = silent.ok ? followSettingsScreen(silent.value, 'DRY') : undefined;

    expect(silent.ok && silent.value).toMatchObject({ notify: false, notifications: 'SILENT' });
    expect(screen?.text).toContain('Notifications: silent (nothing)');
    expect(screen?.keyboard.flat().map((b) => b.text)).toEqual(
      expect.arrayContaining(['🔔 All', '💼 Copies only', '✓ 🔕 Silent']),
    );
  });
});
