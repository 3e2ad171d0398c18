// The drills' alarm expectations: the same table as docs/RUNBOOK.md "Drills and the alarms they
// should raise", every named alarm one that lib/alarms.ts defines (the synthesized stack), and the
// verdict over a CloudWatch history: fired, missing, unexpected, and alarms already up at the start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synthesizeAlarms } from '../../../../local/alarms/definitions.js';
import {
  DRILL_ALARMS,
  expandAlarm,
  judgeAlarms,
  type AlarmExpectation,
} from '../../../../local/drills/alarm-expectations.js';
import type { AlarmsReport } from '../../../../local/standins/cloudwatch.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The RUNBOOK table's rows: drill -> [must raise, may raise, must stay quiet], backticked names. */
function runbookTable(): Record<string, string[][]> {
  const text = readFileSync(path.join(ROOT, 'docs', 'RUNBOOK.md'), 'utf8');
  const section = text.slice(text.indexOf('## Drills and the alarms they should raise'));
  const rows: Record<string, string[][]> = {};
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const drill = /^`([a-z]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!drill || cells.length !== 4) continue;
    rows[drill] = cells.slice(1).map((c) => [...c.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
  }
  return rows;
}

describe('drill alarm expectations', () => {
  it('are the RUNBOOK table, drill by drill', () => {
    // Prepare / Act
    const table = runbookTable();

    // Assess
    expect(Object.keys(table).sort()).toEqual(Object.keys(DRILL_ALARMS).sort());
    for (const [drill, e] of Object.entries(DRILL_ALARMS) as [string, AlarmExpectation][])
      expect(table[drill], drill).toEqual([[...e.raise], [...e.mayRaise], [...e.quiet]]);
  });

  it('name only alarms that lib/alarms.ts defines', async () => {
    // Prepare
    const defined = new Set((await synthesizeAlarms('local')).map((d) => d.name.replace(/^alfa-local-/, '')));

    // Act
    const named = Object.values(DRILL_ALARMS).flatMap((e: AlarmExpectation) =>
      [...e.raise, ...e.mayRaise, ...e.quiet].flatMap(expandAlarm),
    );

    // Assess
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !defined.has(n))).toEqual([]);
  }, 60_000);

  it('judges a window: fired, missing, unexpected, quiet, and what was already in ALARM', () => {
    // Prepare
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
    const report: AlarmsReport = {
      evaluatedAt: at(50),
      alarms: [
        { name: 'alfa-local-emergency-stop-set', state: 'OK', since: at(40) },
        { name: 'alfa-local-copies-behind', state: 'ALARM', since: at(1) },
        { name: 'alfa-local-intents-stuck', state: 'ALARM', since: at(30) },
        { name: 'alfa-local-copy-failure-rate', state: 'OK', since: at(0) },
      ],
      history: [
        { name: 'alfa-local-copies-behind', from: 'OK', to: 'ALARM', at: at(1), reason: '' },
        { name: 'alfa-local-emergency-stop-set', from: 'OK', to: 'ALARM', at: at(20), reason: '' },
        { name: 'alfa-local-intents-stuck', from: 'OK', to: 'ALARM', at: at(30), reason: '' },
        { name: 'alfa-local-emergency-stop-set', from: 'ALARM', to: 'OK', at: at(40), reason: '' },
      ],
    };
    const window = { from: new Date(at(10)), to: new Date(at(50)) };

    // Act
    const verdict = judgeAlarms(report, DRILL_ALARMS.emergency, window, 'local');
    const ssm = judgeAlarms(report, DRILL_ALARMS.ssm, window, 'local');

    // Assess
    expect(verdict).toEqual({
      expected: ['emergency-stop-set'],
      fired: ['emergency-stop-set', 'intents-stuck'],
      quiet: ['copy-failure-rate'],
      missing: [],
      unexpected: ['intents-stuck'],
      inAlarmAtStart: ['copies-behind'],
    });
    expect(ssm.missing).toEqual(['live-switched-on']);
    expect(ssm.quiet).toEqual(expandAlarm('*-dlq-not-empty').sort());
  });
});
