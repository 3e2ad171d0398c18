// One admin invocation from request to answer: a malformed request is refused with what is wrong,
// an action's answer (success or refusal) is returned as it is, a failure becomes a FAILED answer,
// and every one of them leaves one audit line with who asked, what, the outcome and how long.
import { describe, expect, it } from 'vitest';
import { answerAdminRequest } from '#core/admin/audit.js';
import type { AdminDeps } from '#core/admin/run.js';

type Line = [level: string, message: string, attributes: Record<string, unknown>];

/** Only what the actions used here read; the rest is not part of these cases. */
function setup(turnOffAllAuto: () => Promise<number>) {
  const lines: Line[] = [];
  let clock = 1_000;
  const deps = { follows: { turnOffAllAuto } } as unknown as AdminDeps;
  const audit = {
    log: {
      info: (m: string, a = {}) => void lines.push(['info', m, a]),
      warn: (m: string, a = {}) => void lines.push(['warn', m, a]),
      error: (m: string, a = {}) => void lines.push(['error', m, a]),
    },
    requestId: 'req-9',
    // Each read of the clock is 40 ms after the last: the action takes 40 ms.
    now: () => (clock += 40),
  };
  return { deps, audit, lines };
}

describe('Function: answerAdminRequest', () => {
  it('runs the action and audits who asked, what, the outcome and how long', async () => {
    // Prepare
    const w = setup(async () => 3);

    // Act
    const answer = await answerAdminRequest({ action: 'autocopy-off-all', by: 'cli:ada' }, w.deps, w.audit);

    // Assess
    expect(answer).toEqual({ ok: true, action: 'autocopy-off-all', result: { followsChanged: 3 } });
    expect(w.lines).toEqual([
      [
        'info',
        'admin action',
        {
          reason: 'ADMIN_ACTION',
          action: 'autocopy-off-all',
          by: 'cli:ada',
          request: '{"action":"autocopy-off-all","by":"cli:ada"}',
          outcome: 'ok',
          ms: 40,
        },
      ],
    ]);
  });

  it('returns a refusal as it is and audits its code', async () => {
    // Prepare
    const w = setup(async () => 0);

    // Act
    const answer = await answerAdminRequest(
      { action: 'mode', by: 'telegram:42', mode: 'LIVE' },
      w.deps,
      w.audit,
    );

    // Assess
    expect(answer).toMatchObject({ ok: false, action: 'mode', code: 'CONFIRMATION_REQUIRED' });
    expect(w.lines[0]?.[2]).toMatchObject({
      reason: 'ADMIN_CONFIRMATION_REQUIRED',
      outcome: 'CONFIRMATION_REQUIRED',
    });
  });

  it('refuses a malformed request with every problem, logged with the invocation’s id', async () => {
    // Prepare
    const w = setup(async () => 0);

    // Act
    const answer = await answerAdminRequest(
      { action: 'backfill', by: 'cli:ada', fromBlock: -1 },
      w.deps,
      w.audit,
    );

    // Assess
    expect(answer).toMatchObject({ ok: false, action: 'unknown', code: 'BAD_REQUEST' });
    expect(answer.ok === false && answer.message).toMatch(/fromBlock: .*; toBlock: /);
    expect(w.lines).toHaveLength(1);
    expect(w.lines[0]?.[0]).toBe('warn');
    expect(w.lines[0]?.[2]).toMatchObject({ reason: 'ADMIN_BAD_REQUEST', requestId: 'req-9' });
  });

  it('answers a failed action with FAILED and why, logged as an error', async () => {
    // Prepare
    const w = setup(() => Promise.reject(new TypeError('table missing')));

    // Act
    const answer = await answerAdminRequest({ action: 'autocopy-off-all', by: 'cli:ada' }, w.deps, w.audit);

    // Assess
    expect(answer).toEqual({
      ok: false,
      action: 'autocopy-off-all',
      code: 'FAILED',
      message: 'TypeError: table missing',
    });
    expect(w.lines[0]?.slice(0, 2)).toEqual(['error', 'admin action']);
    expect(w.lines[0]?.[2]).toMatchObject({ reason: 'ADMIN_FAILED', by: 'cli:ada', ms: 40 });
  });
});
