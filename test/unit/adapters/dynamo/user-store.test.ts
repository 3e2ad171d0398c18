// The users item codec: a user item as upsertFromStart, setRisk and claimWallet write it reads back
// as the same User and Profile (risk through the one JSON codec, bigints intact), an item of the
// wrong shape is refused with its key in the message, and old items (no firstName, no risk, null
// username from /start) read with today's defaults. walletOwner parses the claim item too.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoUserStore, profileFromItem, userFromItem } from '#core/adapters/dynamo/user-store.js';
import { toJson } from '#core/codec.js';
import { defaultRiskPolicy } from '#core/domain/risk.js';

const WALLET = '0x00000000000000000000000000000000000000bb';

describe('userFromItem / profileFromItem', () => {
  it('reads a full item back as the user, risk and wallets written', () => {
    // Prepare
    const risk = { ...defaultRiskPolicy(), maxLeverage: 7, capitalFloorUsdc: 123_000_000n };
    const item = {
      userId: 'u1',
      chatId: '100',
      firstName: 'Ada',
      username: 'ada',
      languageCode: 'en',
      active: true,
      risk: toJson(risk),
      paused: risk.paused,
      wallet: WALLET,
      pendingWallet: '0xcc',
      followCount: 2,
      digest: false,
    };
    // Act
    const profile = profileFromItem(item);
    // Assess
    expect(profile).toEqual({
      user: {
        userId: 'u1',
        chatId: '100',
        firstName: 'Ada',
        username: 'ada',
        languageCode: 'en',
        active: true,
      },
      risk,
      wallet: WALLET,
      pendingWallet: '0xcc',
    });
    expect(userFromItem(item)).toEqual(profile.user);
  });

  it('reads an old item: null username and language, no firstName, no risk, not active', () => {
    // Prepare
    const item = { userId: 'u2', chatId: '200', username: null, languageCode: null };
    // Act
    const profile = profileFromItem(item);
    // Assess
    expect(profile).toEqual({
      user: { userId: 'u2', chatId: '200', firstName: '', active: false },
      risk: defaultRiskPolicy(),
    });
  });

  it('reads a chat id stored as a number as its string', () => {
    // Prepare
    const item = { userId: 'u3', chatId: 300, firstName: 'Seed', active: true };
    // Act
    const user = userFromItem(item);
    // Assess
    expect(user.chatId).toBe('300');
  });

  it('refuses an item with a wrong type, naming the table and key', () => {
    // Prepare
    const bad = { userId: 'u4', chatId: '400', risk: { maxLeverage: 5 } };
    // Act
    const read = () => profileFromItem(bad);
    // Assess
    expect(read).toThrow('users item userId=u4 does not parse');
    expect(read).toThrow(/risk/);
  });
});

describe('DynamoUserStore.walletOwner', () => {
  const storeAnswering = (Item: Record<string, unknown> | undefined) =>
    new DynamoUserStore(
      { send: () => Promise.resolve({ Item }) } as unknown as DynamoDBDocumentClient,
      'users',
    );

  it('gives the owner of a claim item, and undefined when there is none', async () => {
    // Prepare
    const claimed = storeAnswering({ userId: `wallet#${WALLET}`, owner: 'u1' });
    const free = storeAnswering(undefined);
    // Act
    const owners = [await claimed.walletOwner(WALLET), await free.walletOwner(WALLET)];
    // Assess
    expect(owners).toEqual(['u1', undefined]);
  });

  it('refuses a claim item without an owner, naming its key', async () => {
    // Prepare
    const store = storeAnswering({ userId: `wallet#${WALLET}` });
    // Act
    const read = store.walletOwner(WALLET);
    // Assess
    await expect(read).rejects.toThrow(`users item userId=wallet#${WALLET} does not parse`);
  });
});
