// The ssm drill: the DRY/LIVE switch becomes unreadable while LIVE, then healthy again. It drives
// the SSM stand-in's outage switch (POST /_alfa/ssm-outage) and watches the mode through the very
// factory every function uses (modeSourceFromConfig, cache off so each read goes to SSM), counting
// reads: the first failed read must be DRY at once, and after the outage LIVE may come back only
// on exactly the third healthy read in a row (HEALTHY_READS_AFTER_ERROR). The stand-in's own count
// of GetParameter calls shows each read really reached SSM.
//
// The local stack's deploy ceiling (COPY_EXECUTION_MODE) is DRY unless set otherwise; the drill
// observes with a LIVE ceiling so the switch's own logic is what it tests, and reports the stack's
// real ceiling alongside. It writes LIVE to the switch for the drill (the stack's own through the
// admin function, as the operator does: that raises live-switched-on) and puts the old value back.
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { modeSourceFromConfig } from '#core/adapters/mode-source.js';
import { SsmExecutionSwitch } from '#core/adapters/ssm/execution-switch.js';
import { config } from '#core/config.js';
import { HEALTHY_READS_AFTER_ERROR, type ExecutionMode } from '#core/domain/execution-mode.js';
import type { LocalStackInfo } from '../stack.js';
import { DRILL_ALARMS } from './alarm-expectations.js';
import { checkAlarms } from './harness.js';
import type { DrillResult } from './result.js';
import { setSwitch } from './traffic.js';

export interface SsmOptions {
  /** Another parameter than the stack's switch (the e2e test uses its own, not to flip others' LIVE). */
  readonly parameter?: string;
  /** Reads while the switch is unreadable. */
  readonly outageReads?: number;
  readonly log: (line: string) => void;
}

const Stats = z.object({ getParameterCalls: z.number() });

async function ssmCalls(info: LocalStackInfo): Promise<number | undefined> {
  // An older stand-in has no counter: the drill still runs, without the SSM-side count.
  const res = await fetch(`${info.endpoints.awsControlPlane}/_alfa/ssm-stats`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const parsed = Stats.safeParse(await res.json());
  return parsed.success ? parsed.data.getParameterCalls : undefined;
}

async function setOutage(info: LocalStackInfo, on: boolean): Promise<void> {
  const res = await fetch(`${info.endpoints.awsControlPlane}/_alfa/ssm-outage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ on }),
  });
  if (!res.ok) throw new Error(`the SSM stand-in refused the outage switch (${res.status})`);
}

export async function runSsm(info: LocalStackInfo, opts: SsmOptions): Promise<DrillResult> {
  const startedAt = new Date();
  // The functions' environment: the SDK clients resolve the stand-ins from it.
  Object.assign(process.env, info.env);
  const parameter = opts.parameter ?? info.executionModeParameter;
  const viaAdmin = parameter === info.executionModeParameter;
  const cfg = config();
  const ssm = new SSMClient({});
  const original = await ssm
    .send(new GetParameterCommand({ Name: parameter }))
    .then((o) => o.Parameter?.Value)
    .catch(() => undefined);
  const switchAdapter = new SsmExecutionSwitch(parameter);
  const source = modeSourceFromConfig(
    { ...cfg, executionModeParameter: parameter, copyExecutionModeCeiling: 'LIVE' },
    documentDb(),
    0,
  );
  const trace: { phase: string; mode: ExecutionMode; switchValue: string; ms: number }[] = [];
  const read = async (phase: string) => {
    const t0 = performance.now();
    const r = await source.read({ fresh: true });
    trace.push({ phase, mode: r.mode, switchValue: r.switchValue, ms: Math.round(performance.now() - t0) });
    return r;
  };
  const failures: string[] = [];
  let firstDryMs = 0;
  let healthyReadsToLive = -1;
  let ssmReads: { before?: number; outage?: number; after?: number } = {};
  try {
    // The stack's own switch is set LIVE the operator's way (the admin function), which raises
    // live-switched-on; a drill-owned parameter is written directly and raises nothing.
    if (viaAdmin) await setSwitch(info, 'LIVE', 'cli:drill-ssm');
    else await switchAdapter.write('LIVE');
    const before = await read('healthy');
    if (before.emergencyStop) failures.push('the emergency stop is set: the switch cannot be seen LIVE');
    if (before.mode !== 'LIVE')
      failures.push(`LIVE switch read ${before.mode} before the fault (${before.switchValue})`);
    const calls0 = await ssmCalls(info);

    const outageStart = performance.now();
    await setOutage(info, true);
    const outageReads = opts.outageReads ?? 5;
    for (let i = 0; i < outageReads; i++) {
      const r = await read('outage');
      if (i === 0) firstDryMs = Math.round(performance.now() - outageStart);
      if (r.mode !== 'DRY') failures.push(`read ${i + 1} during the outage was ${r.mode}, not DRY`);
    }
    const calls1 = await ssmCalls(info);
    await setOutage(info, false);

    for (let i = 1; i <= HEALTHY_READS_AFTER_ERROR + 2; i++) {
      const r = await read('recovering');
      if (r.mode === 'LIVE' && healthyReadsToLive < 0) healthyReadsToLive = i;
      if (healthyReadsToLive > 0 && r.mode !== 'LIVE')
        failures.push(`read ${i} after the outage fell back to ${r.mode}`);
    }
    const calls2 = await ssmCalls(info);
    if (healthyReadsToLive !== HEALTHY_READS_AFTER_ERROR)
      failures.push(
        `LIVE came back after ${healthyReadsToLive} healthy reads, not ${HEALTHY_READS_AFTER_ERROR}`,
      );
    ssmReads =
      calls0 !== undefined && calls1 !== undefined && calls2 !== undefined
        ? { before: calls0, outage: calls1 - calls0, after: calls2 - calls1 }
        : {};
    // Every healthy read is one GetParameter; fewer would mean a cache answered instead of SSM.
    if (ssmReads.after !== undefined && ssmReads.after < HEALTHY_READS_AFTER_ERROR + 2)
      failures.push(
        `only ${ssmReads.after} GetParameter calls reached SSM for ${HEALTHY_READS_AFTER_ERROR + 2} reads`,
      );
  } finally {
    await setOutage(info, false).catch(() => undefined);
    // Back to what it said (anything but LIVE is DRY anyway); a switch the drill created ends DRY.
    await switchAdapter
      .write(original === 'LIVE' ? 'LIVE' : 'DRY')
      .catch((err: unknown) => failures.push(`could not restore the switch: ${String(err)}`));
    ssm.destroy();
  }
  for (const t of trace) opts.log(`ssm: ${t.phase.padEnd(10)} ${t.mode} (${t.switchValue}) ${t.ms} ms`);
  const finishedAt = new Date();
  const result: DrillResult = {
    drill: 'ssm',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    passed: failures.length === 0,
    signalsIn: 0,
    alertsSent: 0,
    copiesSubmitted: 0,
    copiesTerminal: {},
    lost: 0,
    duplicated: 0,
    worstLatencyMs: Math.max(firstDryMs, ...trace.map((t) => t.ms)),
    recovered: healthyReadsToLive === HEALTHY_READS_AFTER_ERROR,
    failures,
    details: {
      parameter,
      stackCeiling: cfg.copyExecutionModeCeiling,
      switchBefore: original ?? '(unreadable)',
      outageToDryMs: firstDryMs,
      readsDuringOutage: trace.filter((t) => t.phase === 'outage').length,
      healthyReadsToLive,
      getParameterCalls: ssmReads,
      trace: trace.map((t) => `${t.phase}:${t.mode}`),
    },
  };
  // A drill-owned parameter is no operator's LIVE: live-switched-on cannot be asked of it.
  const expectation = viaAdmin ? DRILL_ALARMS.ssm : { ...DRILL_ALARMS.ssm, raise: [], mayRaise: [] };
  return checkAlarms(info, result, expectation);
}
