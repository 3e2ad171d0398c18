// ModeSource (adapters/mode-source.ts): DRY on an outage until three healthy reads, DRY under the
// emergency flag or a DRY ceiling, cached readings, and fresh reads shared only among callers who
// asked before it started.
import { describe, expect, it } from 'vitest';
import { ModeSource } from '#core/adapters/mode-source.js';

/** A switch that answers from a script: a value, or an outage. */
function scripted(reads: (string | Error)[]) {
  return {
    read: async () => {
      const next = reads.shift();
      if (next instanceof Error) throw next;
      return next;
    },
    write: async () => undefined,
  };
}

const flags = (on = false) => ({ emergencyStop: async () => on, setEmergencyStop: async () => undefined });

describe('Class: ModeSource', () => {
  it('is DRY on an outage, and LIVE again only after three healthy reads in a row', async () => {
    const outage = Object.assign(new Error('down'), { name: 'InternalServerError' });
    const source = new ModeSource({
      switch: scripted(['LIVE', outage, 'LIVE', 'LIVE', 'LIVE', 'LIVE']),
      flags: flags(),
      ceiling: 'LIVE',
      envEmergencyStop: false,
      maxAgeMs: 0,
    });

    const modes = [];
    for (let i = 0; i < 6; i++) modes.push((await source.read({ fresh: true })).mode);

    expect(modes).toEqual(['LIVE', 'DRY', 'DRY', 'DRY', 'LIVE', 'LIVE']);
  });

  it('is DRY while the emergency flag is set or cannot be read, and under a DRY ceiling', async () => {
    const unreadable = {
      emergencyStop: async () => Promise.reject(new Error('no table')),
      setEmergencyStop: async () => undefined,
    };
    const base = {
      switch: scripted(['LIVE', 'LIVE', 'LIVE']),
      envEmergencyStop: false,
      maxAgeMs: 0,
    } as const;

    expect((await new ModeSource({ ...base, flags: flags(true), ceiling: 'LIVE' }).read()).mode).toBe('DRY');
    expect(
      (
        await new ModeSource({
          ...base,
          switch: scripted(['LIVE']),
          flags: unreadable,
          ceiling: 'LIVE',
        }).read()
      ).mode,
    ).toBe('DRY');
    expect(
      (await new ModeSource({ ...base, switch: scripted(['LIVE']), flags: flags(), ceiling: 'DRY' }).read())
        .mode,
    ).toBe('DRY');
  });

  it('caches a reading for maxAgeMs unless asked for a fresh one', async () => {
    let t = 0;
    const source = new ModeSource({
      switch: scripted(['DRY', 'LIVE', 'LIVE']),
      flags: flags(),
      ceiling: 'LIVE',
      envEmergencyStop: false,
      maxAgeMs: 5_000,
      now: () => t,
    });

    expect((await source.read()).mode).toBe('DRY');
    t = 4_999;
    expect((await source.read()).mode).toBe('DRY');
    expect((await source.read({ fresh: true })).mode).toBe('LIVE');
  });

  it('shares fresh reads asked together, but never one that started before the caller asked', async () => {
    // Prepare: a switch whose reads the test completes by hand, counting them.
    const pending: ((v: string) => void)[] = [];
    const source = new ModeSource({
      switch: { read: () => new Promise<string>((r) => pending.push(r)), write: async () => undefined },
      flags: flags(),
      ceiling: 'LIVE',
      envEmergencyStop: false,
      maxAgeMs: 0,
    });
    const tick = () => new Promise((r) => setTimeout(r, 0));

    // Act: one read in flight (DRY), then 100 callers ask while it runs.
    const first = source.read({ fresh: true });
    await tick();
    const later = Array.from({ length: 100 }, () => source.read({ fresh: true }));
    await tick();
    const readsWhileFirstRuns = pending.length;
    pending.shift()?.('DRY');
    await first;
    await tick();
    pending.shift()?.('LIVE');
    const modes = await Promise.all(later);

    // Assess: the 100 did not take the older DRY; they shared one read that started after them.
    expect(readsWhileFirstRuns).toBe(1);
    expect(pending).toHaveLength(0);
    expect(new Set(modes.map((m) => m.mode))).toEqual(new Set(['LIVE']));
  });
});
