// Trader addresses as users type them: validated, with a message that says what is wrong.
import { getAddress } from 'ethers';

export type AddressCheck =
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly error: string };

/** A 0x address, case-insensitive unless mixed case (then its EIP-55 checksum must hold); lower-cased. */
export function parseAddress(input: string): AddressCheck {
  const text = input.trim();
  if (text === '')
    return { ok: false, error: 'an address is needed, e.g. 0x44914408af82bC9983bbb330e3578E1105e11d4e' };
  if (!/^0x[0-9a-fA-F]*$/.test(text)) {
    return {
      ok: false,
      error: `"${text.slice(0, 50)}" is not an address: it must start with 0x followed by 40 hex digits`,
    };
  }
  if (text.length !== 42) {
    return {
      ok: false,
      error: `an address has 40 hex digits after 0x; "${text.slice(0, 50)}" has ${text.length - 2}`,
    };
  }
  const mixed = /[a-f]/.test(text.slice(2)) && /[A-F]/.test(text.slice(2));
  if (mixed) {
    try {
      getAddress(text);
    } catch {
      return {
        ok: false,
        error: `"${text}" fails its checksum (a typo?); paste it again, or in all lower case`,
      };
    }
  }
  return { ok: true, address: text.toLowerCase() };
}
