// Address parsing (domain/addresses.ts): case-insensitive unless mixed case, whose checksum must hold.
import { describe, expect, it } from 'vitest';
import { parseAddress } from '#core/domain/addresses.js';

describe('small parsers', () => {
  it('addresses: case-insensitive unless mixed case, whose checksum must hold', () => {
    expect(parseAddress('0x44914408AF82BC9983BBB330E3578E1105E11D4E')).toEqual({
      ok: true,
      address: '0x44914408af82bc9983bbb330e3578e1105e11d4e',
    });
    expect(parseAddress('0x44914408af82bC9983bbb330e3578E1105e11d4e').ok).toBe(true);
    expect(parseAddress('0x44914408af82bC9983bbb330e3578E1105e11d4E').ok).toBe(false);
    expect(parseAddress('hello').ok).toBe(false);
  });
});
