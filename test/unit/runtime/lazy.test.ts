// The lazily created values of a container: one creation however many callers arrive at once, a
// failed creation tried again by the next caller, a success kept; and a value rebuilt only when
// its key (a bot token) changes.
import { describe, expect, it } from 'vitest';
import { lazy, rebuildOnChange } from '#core/runtime/lazy.js';

/** A creation the test finishes by hand, counting how often it was started. */
function gated<T>() {
  let starts = 0;
  const pending: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];
  const make = () => {
    starts += 1;
    return new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { make, starts: () => starts, settle: (i: number) => pending[i] as (typeof pending)[number] };
}

describe('lazy', () => {
  it('creates once for concurrent callers and hands each the same value', async () => {
    // Prepare
    const g = gated<{ id: number }>();
    const get = lazy(g.make);

    // Act
    const calls = [get(), get(), get()];
    g.settle(0).resolve({ id: 1 });
    const values = await Promise.all(calls);

    // Assess
    expect(g.starts()).toBe(1);
    expect(values[0]).toEqual({ id: 1 });
    expect(values[1]).toBe(values[0]);
    expect(values[2]).toBe(values[0]);
  });

  it('forgets a rejection: every waiting caller sees it, the next call creates again', async () => {
    // Prepare
    const g = gated<string>();
    const get = lazy(g.make);
    const first = [get(), get()];

    // Act
    g.settle(0).reject(new Error('all RPCs down'));
    const failures = await Promise.allSettled(first);
    const retry = get();
    g.settle(1).resolve('connected');

    // Assess
    expect(failures.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect((failures[0] as PromiseRejectedResult).reason).toEqual(new Error('all RPCs down'));
    expect(await retry).toBe('connected');
    expect(g.starts()).toBe(2);
  });

  it('keeps a success: later calls never create again', async () => {
    // Prepare
    let starts = 0;
    const get = lazy(async () => ({ n: ++starts }));

    // Act
    const first = await get();
    const later = await Promise.all([get(), get()]);

    // Assess
    expect(starts).toBe(1);
    expect(later).toEqual([first, first]);
    expect(later[0]).toBe(first);
  });

  it('a synchronous throw in the creation reaches the caller and is tried again', async () => {
    // Prepare
    let starts = 0;
    const get = lazy(() => {
      starts += 1;
      if (starts === 1) throw new Error('bad config');
      return Promise.resolve('ok');
    });

    // Act
    const first = (() => {
      try {
        void get();
        return 'no throw';
      } catch (err) {
        return (err as Error).message;
      }
    })();

    // Assess
    expect(first).toBe('bad config');
    expect(await get()).toBe('ok');
    expect(starts).toBe(2);
  });
});

describe('rebuildOnChange', () => {
  it('builds once per key and again only when the key changes', () => {
    // Prepare
    const built: string[] = [];
    const botFor = rebuildOnChange((token: string) => {
      built.push(token);
      return { token };
    });

    // Act
    const a = botFor('1:aaa');
    const again = botFor('1:aaa');
    const rotated = botFor('1:bbb');

    // Assess
    expect(again).toBe(a);
    expect(rotated).toEqual({ token: '1:bbb' });
    expect(built).toEqual(['1:aaa', '1:bbb']);
  });
});
