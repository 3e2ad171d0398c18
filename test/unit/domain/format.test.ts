// Number formats (domain/format.ts): numbers as the user's language types them, units kept around
// them, and money rounded to the cent with its sign.
import { describe, expect, it } from 'vitest';
import { normalizeAmountText, normalizeNumber, formatUsd } from '#core/domain/format.js';

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
});

describe('small parsers', () => {
  it('money: rounds to the cent and signs', () => {
    expect(formatUsd(1_234_565_000n)).toBe('$1,234.57');
    expect(formatUsd(-4_999n)).toBe('$0.00');
    expect(formatUsd(-5_000n)).toBe('-$0.01');
    expect(formatUsd(12_000_000n, { sign: true })).toBe('+$12.00');
  });
});
