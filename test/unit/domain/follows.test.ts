// A follow's settings (domain/follows.ts): applySetting within range and off, parseSettingText for
// typed values (dollars exact to the micro-dollar, long input never echoed in full), reverse copy,
// a stop-loss per copy and skip below a leverage.
import { describe, expect, it } from 'vitest';
import { applySetting, newFollow, parseSettingText, parseUsd, type Follow } from '#core/domain/follows.js';
import { normalizeNumber } from '#core/domain/format.js';

const follow: Follow = newFollow('1', '1', `0x${'1'.repeat(40)}`, new Date(0));
const USDC = 1_000_000n;

describe('Function: applySetting', () => {
  it.each([
    ['maxLeverage', 150, true],
    ['maxLeverage', 151, false],
    ['maxLeverage', 1, true],
    ['maxLeverage', 0, false],
    ['maxLeverage', 2.5, false],
  ] as const)('%s %s -> allowed %s (at the limit is allowed, over is refused)', (_f, value, allowed) => {
    expect(applySetting(follow, { field: 'maxLeverage', value }).ok).toBe(allowed);
  });

  it.each([
    [{ kind: 'FIXED_USD', usdc: 1n * USDC }, true],
    [{ kind: 'FIXED_USD', usdc: 999_999n }, false],
    [{ kind: 'FIXED_USD', usdc: 100_000n * USDC }, true],
    [{ kind: 'FIXED_USD', usdc: 100_000n * USDC + 1n }, false],
    [{ kind: 'PCT_EQUITY', bps: 10 }, true],
    [{ kind: 'PCT_EQUITY', bps: 9 }, false],
    [{ kind: 'PCT_EQUITY', bps: 10_000 }, true],
    [{ kind: 'MULTIPLIER', milli: 10_001 }, false],
  ] as const)('sizing %o -> allowed %s', (value, allowed) => {
    expect(applySetting(follow, { field: 'sizing', value }).ok).toBe(allowed);
  });

  it('toggles pairs and falls back to all pairs when none is left', () => {
    const eth = applySetting(follow, { field: 'togglePair', value: 0 });
    expect(eth.ok && eth.value.pairs).toEqual([0]);
    const none = eth.ok ? applySetting(eth.value, { field: 'togglePair', value: 0 }) : eth;
    expect(none.ok && none.value.pairs).toBe('ALL');
  });
});

describe('Function: parseSettingText', () => {
  it.each([
    ['size', '$1,250.50', { field: 'sizing', value: { kind: 'FIXED_USD', usdc: 1_250_500_000n } }],
    ['size', '2.5%', { field: 'sizing', value: { kind: 'PCT_EQUITY', bps: 250 } }],
    ['size', '0.25x', { field: 'sizing', value: { kind: 'MULTIPLIER', milli: 250 } }],
    ['lev', '10x', { field: 'maxLeverage', value: 10 }],
    ['mode', 'AUTO', { field: 'mode', value: 'AUTO' }],
    ['pairs', 'eth, BTC/USD 21', { field: 'pairs', value: [0, 1, 21] }],
    ['pairs', 'all', { field: 'pairs', value: 'ALL' }],
    ['notify', 'off', { field: 'notifications', value: 'SILENT' }],
    ['notify', 'copies', { field: 'notifications', value: 'COPIES' }],
    ['notify', 'all', { field: 'notifications', value: 'ALL' }],
  ])('%s %s', (field, value, change) => {
    expect(parseSettingText(field, value)).toEqual({ ok: true, value: change });
  });

  it.each([
    ['size', '-5'],
    ['size', '5 dollars'],
    ['lev', 'ten'],
    ['pairs', 'DOGECOIN'],
    ['pairs', '32'], // delisted
    ['mode', 'yolo'],
    ['notify', 'maybe'],
    ['colour', 'red'],
  ])('refuses %s %s with a message', (field, value) => {
    const result = parseSettingText(field, value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.length).toBeGreaterThan(10);
  });

  it('reads dollars exactly, to the micro-dollar', () => {
    expect(parseUsd('0.000001')).toBe(1n);
    expect(parseUsd('12.1234567')).toBeUndefined();
    expect(parseUsd('1,23')).toBeUndefined();
  });
});

describe('more ways to copy (reverse, a stop-loss per copy, skip below a leverage)', () => {
  it.each([
    ['reverse', 'on', { field: 'direction', value: 'REVERSE' }],
    ['reverse', 'off', { field: 'direction', value: 'SAME' }],
    ['sl', '25%', { field: 'stopLoss', value: { kind: 'PCT', bps: 2_500 } }],
    ['sl', '20', { field: 'stopLoss', value: { kind: 'USD', usdc: 20_000_000n } }],
    ['sl', 'off', { field: 'stopLoss', value: undefined }],
    ['minlev', '5', { field: 'minTraderLeverage', value: 5 }],
    ['minlev', 'off', { field: 'minTraderLeverage', value: undefined }],
  ] as const)('/set … %s %s', (field, value, change) => {
    expect(parseSettingText(field, value)).toEqual({ ok: true, value: change });
  });

  it('keeps the settings within range and removes them with off', () => {
    const withSl = applySetting(follow, { field: 'stopLoss', value: { kind: 'PCT', bps: 2_500 } });
    const off = withSl.ok ? applySetting(withSl.value, { field: 'stopLoss', value: undefined }) : withSl;

    expect(withSl.ok && withSl.value.stopLoss).toEqual({ kind: 'PCT', bps: 2_500 });
    expect(off.ok && 'stopLoss' in off.value).toBe(false);
    expect(applySetting(follow, { field: 'stopLoss', value: { kind: 'PCT', bps: 50 } }).ok).toBe(false);
    expect(applySetting(follow, { field: 'minTraderLeverage', value: 151 }).ok).toBe(false);
  });
});

describe('Function: normalizeNumber (by the user language_code)', () => {
  it('never echoes more than a few dozen characters of what was typed', () => {
    const long = `1.${'0'.repeat(3)}`.padEnd(5_000, '.000');
    const parsed = normalizeNumber(long, 'en');
    const setting = parseSettingText('x'.repeat(5_000), '5');

    expect(!parsed.ok && parsed.error.length).toBeLessThan(200);
    expect(!setting.ok && setting.error.length).toBeLessThan(200);
  });
});
