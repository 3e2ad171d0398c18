import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoUserStore } from '#core/adapters/dynamo/user-store.js';
import { userFromTelegram } from '#core/domain/users.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

describe('Class: DynamoUserStore', () => {
  let store: DynamoUserStore;
  beforeAll(() => {
    store = new DynamoUserStore(clients().doc, stackInfo().tables.users);
  });

  const someone = () => {
    const id = uniqueId();
    return userFromTelegram(
      { id, is_bot: false, first_name: 'Lin', username: 'lin', language_code: 'de' },
      id,
    );
  };

  it('creates a user on first /start and says so', async () => {
    const user = someone();

    expect(await store.upsertFromStart(user, new Date('2026-01-01T00:00:00Z'))).toEqual({ isNew: true });
    expect(await store.get(user.userId)).toEqual(user);
  });

  it('refreshes a known user without calling them new', async () => {
    const user = someone();
    await store.upsertFromStart(user, new Date('2026-01-01T00:00:00Z'));

    const again = await store.upsertFromStart(
      { ...user, firstName: 'Linh' },
      new Date('2026-02-01T00:00:00Z'),
    );

    expect(again).toEqual({ isNew: false });
    expect((await store.get(user.userId))?.firstName).toBe('Linh');
  });

  it('marks a user inactive and reactivates them on /start', async () => {
    const user = someone();
    await store.upsertFromStart(user, new Date());

    await store.markInactive(user.userId, new Date());
    expect((await store.get(user.userId))?.active).toBe(false);

    await store.upsertFromStart(user, new Date());
    expect((await store.get(user.userId))?.active).toBe(true);
  });

  it('does not create a user when an unknown one is marked inactive', async () => {
    const id = String(uniqueId());

    await store.markInactive(id, new Date());

    expect(await store.get(id)).toBeUndefined();
  });
});
