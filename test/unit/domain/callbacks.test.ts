// Button callbacks (domain/callbacks.ts): every kind round-trips within Telegram's 64 bytes.
import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback, type Callback } from '#core/domain/callbacks.js';

const T = `0x${'ab'.repeat(20)}`;
const all: Callback[] = [
  { a: 'board', sort: 'pnl', offset: 190, limit: 200 },
  { a: 'trader', trader: T },
  { a: 'follow', trader: T },
  { a: 'follow', trader: T, back: { sort: 'score', offset: 190, limit: 200 } },
  { a: 'unfollow', trader: T },
  { a: 'following' },
  { a: 'settings', trader: T },
  { a: 'set', trader: T, field: 'allpairs', value: 'M10000' },
  { a: 'risk', action: 'conservative' },
  { a: 'live', confirm: true },
  { a: 'trader', trader: T, back: { sort: 'pnl', offset: 190, limit: 200 } },
  { a: 'backtest', trader: T },
  { a: 'confirm', kind: 'unfollow', trader: T, at: 1_893_456_000, token: 'AbC-_123' },
  { a: 'confirm', kind: 'emergency_start', at: 1_893_456_000, token: 'AbC-_123' },
  { a: 'cancel' },
];

describe('Module: callbacks', () => {
  it.each(all.map((c) => [c.a, c] as const))('round-trips %s within 64 bytes', (_a, c) => {
    const data = encodeCallback(c);

    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(decodeCallback(data)).toEqual(c);
  });

  it.each([
    ['another version', `0:t:${'ab'.repeat(20)}`],
    ['an unknown kind', '1:z'],
    ['a short address', '1:f:abcd'],
    ['an upper-case address', `1:t:${'AB'.repeat(20)}`],
    ['a bad sort', '1:b:x:0:50'],
    ['a page past the limits', '1:b:s:0:999'],
    ['an unknown field', `1:v:${'ab'.repeat(20)}:colour:red`],
    ['a value with spaces', `1:v:${'ab'.repeat(20)}:size:F 5`],
    ['over 64 bytes', `1:t:${'a'.repeat(70)}`],
    ['nothing', undefined],
    ['a confirmation of an unknown kind', `1:c:zz:-:abc:AbCdEf12`],
    ['a confirmation without a time', `1:c:ag:-::AbCdEf12`],
  ])('refuses %s', (_what, data) => {
    expect(decodeCallback(data)).toBeUndefined();
  });
});
