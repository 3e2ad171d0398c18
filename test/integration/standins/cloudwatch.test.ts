// The local CloudWatch inside a stack started by test code: a handler that throws raises its
// `<fn>-errors` alarm (the runner's AWS/Lambda Errors), and the ssm drill, which sets the stack's
// switch LIVE through the admin function, finds `live-switched-on` fired in its window (the admin's
// EMF ModeSetLive, counted under service admin) — through GET /_alfa/alarms, as `npm run drill`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#core/resources.js';
import { runSsm } from '../../../local/drills/ssm.js';
import { AlarmsReportSchema, ROOT, startLocalStack, type LocalStack } from '../../../local/stack.js';

let stack: LocalStack;
let failing = false;

beforeAll(async () => {
  stack = await startLocalStack({
    functions: { admin: FUNCTIONS.admin, leaderboard: FUNCTIONS.leaderboard },
    load: async (entry) => {
      // The leaderboard (a schedule, also run at start) fails while the test says so; the admin is the real one.
      if (entry === FUNCTIONS.leaderboard.entry)
        return async () => {
          if (failing) throw new Error('leaderboard drill failure');
          return {};
        };
      const mod = (await import(pathToFileURL(path.join(ROOT, entry)).href)) as {
        handler: (e: unknown, c: unknown) => Promise<unknown>;
      };
      return mod.handler;
    },
    control: true,
    rpcProxies: 0,
    // The stack project keeps metrics off; these alarms read them. Evaluated every 0.5 s, not 60 s.
    env: { POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    alarms: { evaluateEveryMs: 500 },
  });
  await stack.alarmsReady;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const transitions = (name: string) =>
  (stack.alarms()?.history ?? []).filter((t) => t.name === `alfa-local-${name}`).map((t) => t.to);

describe('local CloudWatch in the stack', () => {
  it('raises leaderboard-errors when the handler throws, and leaves the admin quiet', async () => {
    // Prepare / Act
    failing = true;
    await expect(stack.tick('leaderboard')).rejects.toThrow(/drill failure/);
    failing = false;
    const deadline = Date.now() + 5_000;
    while (!transitions('leaderboard-errors').includes('ALARM') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    // Assess
    expect(transitions('leaderboard-errors')).toContain('ALARM');
    const report = AlarmsReportSchema.parse(await (await fetch(stack.info.control?.alarmsUrl ?? '')).json());
    expect(report.alarms.find((a) => a.name === 'alfa-local-leaderboard-errors')?.state).toBe('ALARM');
    expect(report.alarms.find((a) => a.name === 'alfa-local-admin-errors')?.state).toBe('OK');
    expect(report.alarms.length).toBeGreaterThan(50);
  });

  it('the ssm drill finds live-switched-on fired, set LIVE through the admin function', async () => {
    // Prepare / Act
    const result = await runSsm(stack.info, { log: () => undefined });

    // Assess
    expect(result.details.alarms).toMatchObject({
      expected: ['live-switched-on'],
      missing: [],
      unexpected: [],
    });
    expect((result.details.alarms as { fired: string[] }).fired).toContain('live-switched-on');
    expect(result.failures).toEqual([]);
    expect(transitions('live-switched-on')).toContain('ALARM');
  });
});
