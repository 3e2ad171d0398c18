// The fuzz drill's "wrong secret" (local/drills/fuzz.ts) always differs from the real one: it used
// to replace the last character with X, so a secret ending in X (one in 64) was sent as itself and
// the drill failed on 200 answers it had meant to be 401s.
import { describe, expect, it } from 'vitest';
import { wrongSecret } from '../../../../local/drills/fuzz.js';

describe('Function: wrongSecret', () => {
  it('changes the last character, also when it is already X', () => {
    for (const secret of ['abcdefghijklmnopX', 'abcdefghijklmnopY', 'abcdefghijklmnop_'])
      expect(wrongSecret(secret)).not.toBe(secret);
    expect(wrongSecret('abcdefghijklmnopX')).toHaveLength(17);
  });
});
