// The operator state items over a fake GetItem: the emergency flag reads from the flags item (absent
// item = off, a stop from before emergencyAt existed = 'unknown'), the journal from the errors item
// (absent = empty, entries without source still read), and a wrong type is refused naming its pk.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoErrorJournal, DynamoOperatorFlags } from '#core/adapters/dynamo/operator-state.js';

const db = (Item: Record<string, unknown> | undefined) =>
  ({ send: () => Promise.resolve({ Item }) }) as unknown as DynamoDBDocumentClient;

describe('DynamoOperatorFlags', () => {
  it('reads a set stop with its time, an old stop without one, and no item as off', async () => {
    // Prepare
    const set = new DynamoOperatorFlags(
      db({ pk: 'flags', emergencyStop: true, emergencyBy: 'a', emergencyAt: 'T' }),
      's',
    );
    const old = new DynamoOperatorFlags(db({ pk: 'flags', emergencyStop: true }), 's');
    const none = new DynamoOperatorFlags(db(undefined), 's');
    // Act
    const read = [
      [await set.emergencyStop(), await set.emergencySince()],
      [await old.emergencyStop(), await old.emergencySince()],
      [await none.emergencyStop(), await none.emergencySince()],
    ];
    // Assess
    expect(read).toEqual([
      [true, 'T'],
      [true, 'unknown'],
      [false, undefined],
    ]);
  });

  it('refuses a flags item whose stop is not a boolean, naming its pk', async () => {
    // Prepare
    const flags = new DynamoOperatorFlags(db({ pk: 'flags', emergencyStop: 'yes' }), 's');
    // Act
    const reading = flags.emergencyStop();
    // Assess
    await expect(reading).rejects.toThrow('state item pk=flags does not parse');
  });
});

describe('DynamoErrorJournal.recent', () => {
  it('gives the newest entries up to the limit, and none without an item', async () => {
    // Prepare
    const entries = [
      { at: '3', reason: 'R', message: 'c', source: 'copy' },
      { at: '2', reason: 'R', message: 'b' },
      { at: '1', reason: 'R', message: 'a' },
    ];
    const journal = new DynamoErrorJournal(db({ pk: 'errors', entries }), 's', undefined);
    const empty = new DynamoErrorJournal(db(undefined), 's', undefined);
    // Act
    const recent = [await journal.recent(2), await empty.recent(2)];
    // Assess
    expect(recent).toEqual([entries.slice(0, 2), []]);
  });

  it('refuses an entry without a message, naming its pk', async () => {
    // Prepare
    const journal = new DynamoErrorJournal(
      db({ pk: 'errors', entries: [{ at: '1', reason: 'R' }] }),
      's',
      undefined,
    );
    // Act
    const reading = journal.recent(5);
    // Assess
    await expect(reading).rejects.toThrow('state item pk=errors does not parse');
  });
});
