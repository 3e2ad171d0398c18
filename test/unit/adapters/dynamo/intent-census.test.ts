// The intent census over a fake Scan: intents are counted by state, pointer items (no state) are
// skipped, and an item whose state is not a string is refused with its key in the message.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoIntentCensus } from '#core/adapters/dynamo/intent-census.js';

/** A Scan stand-in: segment 0 holds every item, the other parallel segments none. */
const censusOf = (Items: Record<string, unknown>[]) => {
  const send = (c: { input: { Segment?: number } }) =>
    Promise.resolve({ Items: c.input.Segment ? [] : Items });
  return new DynamoIntentCensus({ send } as unknown as DynamoDBDocumentClient, 'intents');
};

describe('DynamoIntentCensus.countByState', () => {
  it('counts intents by state and skips pointer items', async () => {
    // Prepare
    const census = censusOf([
      { intentId: 's1:u1', state: 'EXECUTED' },
      { intentId: 's2:u1', state: 'EXECUTED' },
      { intentId: 's3:u2', state: 'FAILED' },
      { intentId: 'tx#0xabc' },
      { intentId: 'mirror#u1#0xaa#1#0' },
    ]);
    // Act
    const counts = await census.countByState();
    // Assess
    expect(counts).toEqual({ EXECUTED: 2, FAILED: 1 });
  });

  it('refuses an item with a state that is not a string, naming its key', async () => {
    // Prepare
    const census = censusOf([{ intentId: 's1:u1', state: 7 }]);
    // Act
    const counting = census.countByState();
    // Assess
    await expect(counting).rejects.toThrow('intents item intentId=s1:u1 does not parse');
  });
});
