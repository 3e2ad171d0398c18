import { describe, expect, it } from 'vitest';
import { normalizeAmountText, normalizeNumber } from '../../../layers/core/domain/format.js';
import { parseSettingText } from '../../../layers/core/domain/follows.js';

describe('Function: normalizeNumber (by the user language_code)', () => {
  it.each([
    ['1k', 'en', '1000'],
    ['1.5k', 'en', '1500'],
    ['1,5k', 'de', '1500'],
    ['1,000', 'en', '1000'],
    ['1.000', 'de', '1000'],
    ['1.000.000', 'en', '1000000'],
    ['1,000.50', 'de', '1000.50'],
    ['1.000,50', 'en', '1000.50'],
    ['12,5', 'de', '12.5'],
    ['0.500', 'en', '0.500'],
    ['1 000', 'fr', '1000'],
    ['2.5m', 'en', '2500000'],
    ['1.2345k', 'en', '1234.5'],
    ['250', undefined, '250'],
  ])('reads %s from a %s user as %s', (text, lang, expected) => {
    expect(normalizeNumber(text, lang)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['1.000', 'en', '1,000.50'],
    ['1,000', 'de', '1.000,50'],
    ['1,00,0', 'en', '1,000.50'],
    ['1.000,00,5', 'en', '1,000.50'],
  ])('refuses the ambiguous or malformed %s from a %s user with an example', (text, lang, example) => {
    const parsed = normalizeNumber(text, lang);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(`write it like ${example} or 1k`);
  });

  it('keeps $, % and x around the number and leaves words alone', () => {
    expect(normalizeAmountText('$1.000', 'de')).toEqual({ ok: true, value: '$1000' });
    expect(normalizeAmountText('2,5%', 'de')).toEqual({ ok: true, value: '2.5%' });
    expect(normalizeAmountText('0,5x', 'de')).toEqual({ ok: true, value: '0.5x' });
    expect(normalizeAmountText('ETH,BTC', 'de')).toEqual({ ok: true, value: 'ETH,BTC' });
  });

  it('never echoes more than a few dozen characters of what was typed', () => {
    const long = `1.${'0'.repeat(3)}`.padEnd(5_000, '.000');
    const parsed = normalizeNumber(long, 'en');
    const setting = parseSettingText('x'.repeat(5_000), '5');

    expect(!parsed.ok && parsed.error.length).toBeLessThan(200);
    expect(!setting.ok && setting.error.length).toBeLessThan(200);
  });
});
