// A held value (the bot secret's, adapters/secrets/bot-secret.ts): one read for callers asking together, the held value answering while
// its refresh runs, and a value too old to trust (every refresh failed) no longer used.
import { describe, expect, it } from 'vitest';
import { HeldValue } from '#core/runtime/lazy.js';

function reader() {
  const calls: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const read = () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { calls, read };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A HeldValue on a settable clock whose first read has answered `v1`. */
async function holding(refreshAfterMs: number, usableForMs: number) {
  const clock = { now: 0 };
  const { calls, read } = reader();
  const held = new HeldValue(read, { refreshAfterMs, usableForMs, now: () => clock.now });
  const first = held.get();
  calls[0]?.resolve('v1');
  await first;
  return { clock, calls, held };
}

describe('Class: HeldValue', () => {
  it('makes one read for every caller that asks before it answers', async () => {
    // Prepare
    const { calls, read } = reader();
    const held = new HeldValue(read, { refreshAfterMs: 300_000, usableForMs: 3_600_000, now: () => 0 });

    // Act
    const asked = [held.get(), held.get(), held.get()];
    calls[0]?.resolve('v1');

    // Assess
    expect(await Promise.all(asked)).toEqual(['v1', 'v1', 'v1']);
    expect(calls).toHaveLength(1);
    expect(await held.get()).toBe('v1');
    expect(calls).toHaveLength(1);
  });

  it('answers with the held value while one refresh runs, then with the new value', async () => {
    // Prepare
    const { clock, calls, held } = await holding(300_000, 3_600_000);

    // Act
    clock.now = 300_000;
    const during = await Promise.all([held.get(), held.get()]);
    calls[1]?.resolve('rotated');
    await tick();

    // Assess
    expect(during).toEqual(['v1', 'v1']);
    expect(calls).toHaveLength(2);
    expect(await held.get()).toBe('rotated');
  });

  it('keeps answering with the held value while refreshes fail, within its usable age', async () => {
    // Prepare
    const { clock, calls, held } = await holding(1_000, 10_000);

    // Act
    clock.now = 5_000;
    const stale = await held.get();
    calls[1]?.reject(new Error('Secrets Manager unavailable'));
    await tick();
    const again = await held.get();

    // Assess: the failed refresh is forgotten and a new one started by the next caller.
    expect([stale, again]).toEqual(['v1', 'v1']);
    expect(calls).toHaveLength(3);
  });

  it('makes callers wait for the read, and see its error, once the held value is too old', async () => {
    // Prepare
    const { clock, calls, held } = await holding(1_000, 10_000);

    // Act
    clock.now = 10_000;
    const waiting = held.get();
    calls[1]?.reject(new Error('AccessDeniedException'));

    // Assess
    await expect(waiting).rejects.toThrow('AccessDeniedException');
  });

  it('reads again after a first read that failed', async () => {
    // Prepare
    const { calls, read } = reader();
    const held = new HeldValue(read, { refreshAfterMs: 300_000, usableForMs: 3_600_000, now: () => 0 });
    const failed = held.get();
    calls[0]?.reject(new Error('timeout'));
    await expect(failed).rejects.toThrow('timeout');

    // Act
    const next = held.get();
    calls[1]?.resolve('v1');

    // Assess
    expect(await next).toBe('v1');
  });
});
