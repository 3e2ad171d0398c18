// Per drill, the alarms it must raise, those it may raise, and those that must stay quiet: the
// table of docs/RUNBOOK.md "Drills and the alarms they should raise" (a unit test holds the two
// together), and the verdict over the local CloudWatch's history for a drill's window. Names are
// without the `alfa-<stage>-` prefix; `*-x` stands for that alarm of every function or queue.
//
// "Must raise" lists only what a short local drill honestly raises: a `*-behind` needs a message
// older than 300 s, `indexer-lag` 10 minutes behind, a handler that answers with batch item
// failures instead of throwing raises no `<fn>-errors`, and the fuzz drill reads its poison
// messages out of the DLQs within a second. Those are "may raise": not a failure either way.
import { FUNCTIONS, QUEUES } from '#core/resources.js';
import type { AlarmsReport } from '../standins/cloudwatch.js';

export interface AlarmExpectation {
  /** A drill that leaves one of these quiet has failed. */
  readonly raise: readonly string[];
  /** Fine either way. */
  readonly mayRaise: readonly string[];
  /** Named quiet (the RUNBOOK's column); any alarm outside raise and mayRaise must stay quiet too. */
  readonly quiet: readonly string[];
}

export const DRILL_ALARMS = {
  ssm: { raise: ['live-switched-on'], mayRaise: [], quiet: ['*-dlq-not-empty'] },
  emergency: {
    raise: ['emergency-stop-set'],
    mayRaise: ['live-switched-on'],
    quiet: ['copy-failure-rate', 'intents-stuck'],
  },
  avantis: {
    raise: [],
    mayRaise: ['live-switched-on', 'copier-errors', 'copier-near-timeout', 'copies-behind'],
    quiet: ['copy-failure-rate', 'copy-cancel-rate', 'intents-stuck'],
  },
  telegram: {
    raise: [],
    mayRaise: [
      'telegram-429',
      'telegram-403',
      'alerter-errors',
      'notifier-errors',
      'alerts-behind',
      'notices-behind',
    ],
    quiet: ['*-dlq-not-empty'],
  },
  rpc: {
    raise: [],
    // A read hanging past the client's 10 s timeout at the end of the indexer's 57 s tail takes
    // the run past 90% of its 75 s timeout: what indexer-near-timeout is there to show.
    mayRaise: [
      'live-switched-on',
      'indexer-lag',
      'indexer-recorded-errors',
      'indexer-errors',
      'indexer-near-timeout',
    ],
    quiet: ['unknown-topics', 'undecodable-logs'],
  },
  dynamodb: {
    raise: [],
    mayRaise: [
      '*-errors',
      'indexer-recorded-errors',
      'webhook-update-failed',
      'webhook-5xx',
      'signals-behind',
      'alerts-behind',
      'notices-behind',
      'copies-behind',
    ],
    quiet: ['*-dlq-not-empty'],
  },
  sqs: {
    raise: [],
    mayRaise: [
      '*-errors',
      'indexer-recorded-errors',
      'webhook-5xx',
      'webhook-update-failed',
      'signals-behind',
      'alerts-behind',
      'notices-behind',
      'copies-behind',
    ],
    quiet: ['*-dlq-not-empty'],
  },
  load: {
    raise: [],
    mayRaise: ['signals-behind', 'alerts-behind', 'notices-behind', 'copies-behind', '*-near-timeout'],
    quiet: ['copy-failure-rate'],
  },
  soak: { raise: [], mayRaise: [], quiet: [] },
  fuzz: {
    raise: [],
    mayRaise: ['*-dlq-not-empty'],
    quiet: ['webhook-5xx', 'telegram-webhook-errors'],
  },
} as const satisfies Record<string, AlarmExpectation>;
export type DrillWithAlarms = keyof typeof DRILL_ALARMS;

const FUNCTION_ALARMS = ['errors', 'throttles', 'near-timeout'];
const QUEUE_ALARMS = ['dlq-not-empty', 'behind'];

/** `*-errors` → every function's; `*-dlq-not-empty` → every queue's; a plain name → itself. */
export function expandAlarm(pattern: string): string[] {
  if (!pattern.startsWith('*-')) return [pattern];
  const what = pattern.slice(2);
  if (FUNCTION_ALARMS.includes(what)) return Object.keys(FUNCTIONS).map((f) => `${f}-${what}`);
  if (QUEUE_ALARMS.includes(what)) return Object.keys(QUEUES).map((q) => `${q}-${what}`);
  throw new Error(`no alarm pattern ${pattern}`);
}
const expand = (list: readonly string[]) => [...new Set(list.flatMap(expandAlarm))].sort();

export interface AlarmVerdict {
  /** Must raise. */
  readonly expected: string[];
  /** Went to ALARM in the window. */
  readonly fired: string[];
  /** The named-quiet alarms that stayed quiet. */
  readonly quiet: string[];
  /** Expected but never in ALARM during the window. */
  readonly missing: string[];
  /** Fired but neither expected nor allowed. */
  readonly unexpected: string[];
  /** Already in ALARM when the window began (an earlier cause; not counted against the drill). */
  readonly inAlarmAtStart: string[];
}

/** The drill's alarms over [from, to] from the local CloudWatch's report. */
export function judgeAlarms(
  report: AlarmsReport,
  expectation: AlarmExpectation,
  window: { readonly from: Date; readonly to: Date },
  stage: string,
): AlarmVerdict {
  const prefix = `alfa-${stage}-`;
  const short = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const from = window.from.getTime();
  const to = window.to.getTime();
  const inWindow = report.history.filter((t) => Date.parse(t.at) >= from && Date.parse(t.at) <= to);
  const fired = [...new Set(inWindow.filter((t) => t.to === 'ALARM').map((t) => short(t.name)))].sort();
  // The state at `from`: the last transition before it, or the current state when none came after.
  const inAlarmAtStart = report.alarms
    .filter((a) => {
      const before = report.history.filter((t) => t.name === a.name && Date.parse(t.at) < from).at(-1);
      return before ? before.to === 'ALARM' : a.state === 'ALARM' && Date.parse(a.since) < from;
    })
    .map((a) => short(a.name))
    .sort();
  const expected = expand(expectation.raise);
  const allowed = new Set([...expected, ...expand(expectation.mayRaise)]);
  const named = expand(expectation.quiet);
  const up = new Set([...fired, ...inAlarmAtStart]);
  return {
    expected,
    fired,
    quiet: named.filter((n) => !fired.includes(n)),
    missing: expected.filter((n) => !up.has(n)),
    unexpected: fired.filter((n) => !allowed.has(n)),
    inAlarmAtStart,
  };
}
