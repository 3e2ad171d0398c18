// Users (domain/users.ts): the zero address is refused as a wallet.
import { describe, expect, it } from 'vitest';
import { parseWalletAddress } from '#core/domain/users.js';

describe('rough edges a new user hit', () => {
  it('the zero address is refused as a wallet', () => {
    expect(parseWalletAddress(`0x${'0'.repeat(40)}`)).toMatchObject({ ok: false });
    expect(
      parseWalletAddress(`0x${'0'.repeat(40)}`).ok || parseWalletAddress(`0x${'0'.repeat(40)}`),
    ).toMatchObject({
      error: expect.stringContaining('nobody can sign for it'),
    });
    expect(parseWalletAddress(`0x${'1'.repeat(40)}`).ok).toBe(true);
  });
});
