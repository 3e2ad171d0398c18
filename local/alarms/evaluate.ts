// CloudWatch's alarm evaluation, pure: per-period statistics of the samples of a metric, the metric
// math the alarms use (FILL, + - * /, IF, comparisons), evaluation periods, DatapointsToAlarm and
// TreatMissingData, and an AlarmBook holding each alarm's state and its transitions over time. The
// local CloudWatch stand-in (local/standins/cloudwatch.ts) feeds it; nothing here reads a clock.
//
// Periods: an evaluation at `now` looks at the N periods ending at `now` ((now-N·P, now] in steps
// of P; a sample taken at `now` counts), so a 5-minute Sum sees the last 5 minutes whatever the minute is, as CloudWatch's alarms do
// when they evaluate every minute.

export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface Sample {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly value: number;
}

export const STATISTICS = ['Sum', 'Maximum', 'Minimum', 'SampleCount', 'Average'] as const;
export type Statistic = (typeof STATISTICS)[number];

export type Comparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MetricQuery {
  readonly id: string;
  readonly metric: MetricId;
  readonly stat: Statistic;
  readonly periodSeconds: number;
}

export type AlarmMetric =
  | { readonly kind: 'metric'; readonly query: MetricQuery }
  | {
      readonly kind: 'math';
      /** The id whose value the alarm compares (ReturnData true). */
      readonly returnId: string;
      readonly queries: readonly MetricQuery[];
      readonly expressions: readonly { readonly id: string; readonly expression: string }[];
      readonly periodSeconds: number;
    };

export interface AlarmDefinition {
  readonly name: string;
  readonly metric: AlarmMetric;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/** The samples of one metric (exact dimensions, as CloudWatch matches them) in (from, to]. */
export type SampleSource = (metric: MetricId, from: number, to: number) => readonly Sample[];

/** One statistic of a period's samples; undefined when the period has none (a missing datapoint). */
export function statistic(samples: readonly Sample[], stat: Statistic): number | undefined {
  if (samples.length === 0) return undefined;
  switch (stat) {
    case 'SampleCount':
      return samples.length;
    case 'Sum':
      return samples.reduce((s, x) => s + x.value, 0);
    case 'Average':
      return samples.reduce((s, x) => s + x.value, 0) / samples.length;
    case 'Maximum':
      return samples.reduce((m, x) => Math.max(m, x.value), -Infinity);
    case 'Minimum':
      return samples.reduce((m, x) => Math.min(m, x.value), Infinity);
  }
}

// --- Metric math: a small parser for what lib/alarms.ts writes.

type Node =
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'id'; readonly id: string }
  | { readonly t: 'neg'; readonly a: Node }
  | { readonly t: 'bin'; readonly op: string; readonly a: Node; readonly b: Node }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Node[] };

const TOKEN = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),<>])/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`metric math: unexpected "${expression.slice(at, at + 10)}" in ${expression}`);
    tokens.push(m[1] as string);
  }
  return tokens;
}

const FUNCTIONS: Readonly<Record<string, number>> = { FILL: 2, IF: 3 };

/** Parses a metric math expression (FILL, IF, + - * /, comparisons, parentheses). */
export function parseExpression(expression: string): Node {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const take = (want?: string): string => {
    const tok = tokens[i++];
    if (tok === undefined || (want !== undefined && tok !== want))
      throw new Error(`metric math: expected ${want ?? 'more'} in ${expression}`);
    return tok;
  };
  const comparison = (): Node => {
    const a = additive();
    const op = peek();
    if (op && ['>=', '>', '<=', '<', '==', '!='].includes(op)) {
      take();
      return { t: 'bin', op, a, b: additive() };
    }
    return a;
  };
  const additive = (): Node => {
    let a = multiplicative();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      a = { t: 'bin', op, a, b: multiplicative() };
    }
    return a;
  };
  const multiplicative = (): Node => {
    let a = unary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      a = { t: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      take();
      return { t: 'neg', a: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const tok = take();
    if (tok === '(') {
      const inner = comparison();
      take(')');
      return inner;
    }
    if (/^\d/.test(tok)) return { t: 'num', v: Number(tok) };
    if (!/^[A-Za-z_]/.test(tok)) throw new Error(`metric math: unexpected "${tok}" in ${expression}`);
    if (peek() !== '(') return { t: 'id', id: tok };
    const arity = FUNCTIONS[tok];
    if (arity === undefined)
      throw new Error(`metric math: ${tok}() is not supported locally (${expression})`);
    take('(');
    const args: Node[] = [comparison()];
    while (peek() === ',') {
      take();
      args.push(comparison());
    }
    take(')');
    if (args.length !== arity)
      throw new Error(`metric math: ${tok} takes ${arity} arguments (${expression})`);
    return { t: 'call', fn: tok, args };
  };
  const node = comparison();
  if (i !== tokens.length) throw new Error(`metric math: trailing "${tokens[i]}" in ${expression}`);
  return node;
}

/** The ids an expression reads. */
export function idsOf(node: Node): string[] {
  switch (node.t) {
    case 'num':
      return [];
    case 'id':
      return [node.id];
    case 'neg':
      return idsOf(node.a);
    case 'bin':
      return [...idsOf(node.a), ...idsOf(node.b)];
    case 'call':
      return node.args.flatMap(idsOf);
  }
}

/**
 * One period's value of an expression. A missing input makes the result missing, except where
 * FILL replaces it; IF picks a branch per period (any non-zero condition is true); x/0 is missing.
 */
export function evaluateNode(node: Node, value: (id: string) => number | undefined): number | undefined {
  switch (node.t) {
    case 'num':
      return node.v;
    case 'id':
      return value(node.id);
    case 'neg': {
      const a = evaluateNode(node.a, value);
      return a === undefined ? undefined : -a;
    }
    case 'call': {
      const [x, y, z] = node.args as [Node, Node, Node];
      if (node.fn === 'FILL') return evaluateNode(x, value) ?? evaluateNode(y, value);
      const cond = evaluateNode(x, value);
      if (cond === undefined) return undefined;
      return cond !== 0 ? evaluateNode(y, value) : evaluateNode(z, value);
    }
    case 'bin': {
      const a = evaluateNode(node.a, value);
      const b = evaluateNode(node.b, value);
      if (a === undefined || b === undefined) return undefined;
      switch (node.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? undefined : a / b;
        case '>=':
          return a >= b ? 1 : 0;
        case '>':
          return a > b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '<':
          return a < b ? 1 : 0;
        case '==':
          return a === b ? 1 : 0;
        default:
          return a !== b ? 1 : 0;
      }
    }
  }
}

const periodMs = (metric: AlarmMetric) =>
  (metric.kind === 'metric' ? metric.query.periodSeconds : metric.periodSeconds) * 1000;

/** The alarm's datapoints, oldest first: one per period ending at `now` (undefined: missing). */
export function datapoints(def: AlarmDefinition, source: SampleSource, now: number): (number | undefined)[] {
  const p = periodMs(def.metric);
  const out: (number | undefined)[] = [];
  const parsed =
    def.metric.kind === 'math'
      ? new Map(def.metric.expressions.map((e) => [e.id, parseExpression(e.expression)]))
      : undefined;
  for (let k = def.evaluationPeriods - 1; k >= 0; k--) {
    const from = now - (k + 1) * p;
    const to = now - k * p;
    const stat = (q: MetricQuery) => statistic(source(q.metric, from, to), q.stat);
    if (def.metric.kind === 'metric') {
      out.push(stat(def.metric.query));
      continue;
    }
    const queries = new Map(def.metric.queries.map((q) => [q.id, q]));
    const cache = new Map<string, number | undefined>();
    const value = (id: string, depth = 0): number | undefined => {
      if (cache.has(id)) return cache.get(id);
      if (depth > 20) throw new Error(`metric math: ${def.name} refers to itself through ${id}`);
      const q = queries.get(id);
      const node = parsed?.get(id);
      if (!q && !node) throw new Error(`metric math: ${def.name} has no metric or expression "${id}"`);
      const v = q ? stat(q) : evaluateNode(node as Node, (x) => value(x, depth + 1));
      cache.set(id, v);
      return v;
    };
    out.push(value(def.metric.returnId));
  }
  return out;
}

export function breaches(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

const SYMBOL: Record<Comparison, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

export interface Verdict {
  /** undefined: keep the current state (TreatMissingData ignore with no data). */
  readonly state: AlarmState | undefined;
  readonly reason: string;
  readonly points: readonly (number | undefined)[];
}

const show = (points: readonly (number | undefined)[]) =>
  `[${points.map((v) => (v === undefined ? '-' : String(Math.round(v * 1000) / 1000))).join(', ')}]`;

/**
 * CloudWatch's decision over the evaluation range. breaching/notBreaching: a missing datapoint
 * counts as that, then M of N breaching is ALARM. missing/ignore: no datapoint at all is
 * INSUFFICIENT_DATA (missing) or no change (ignore); otherwise only the datapoints there are count,
 * ALARM when min(M, how many there are) of them breach.
 */
export function decide(def: AlarmDefinition, points: readonly (number | undefined)[]): Verdict {
  const m = def.datapointsToAlarm;
  const rule = `${SYMBOL[def.comparison]} ${def.threshold}`;
  const present = points.filter((v): v is number => v !== undefined);
  const breached = present.filter((v) => breaches(v, def.comparison, def.threshold)).length;
  const missing = points.length - present.length;
  if (def.treatMissingData === 'breaching' || def.treatMissingData === 'notBreaching') {
    const counted = breached + (def.treatMissingData === 'breaching' ? missing : 0);
    const alarm = counted >= m;
    return {
      state: alarm ? 'ALARM' : 'OK',
      reason: `${counted} of the last ${points.length} datapoints ${show(points)} breached ${rule} (${missing} missing, treated as ${def.treatMissingData}); ${m} needed`,
      points,
    };
  }
  if (present.length === 0)
    return {
      state: def.treatMissingData === 'missing' ? 'INSUFFICIENT_DATA' : undefined,
      reason: `no datapoints in the last ${points.length} period(s) (treated as ${def.treatMissingData})`,
      points,
    };
  const need = Math.min(m, present.length);
  return {
    state: breached >= need ? 'ALARM' : 'OK',
    reason: `${breached} of the ${present.length} datapoints there are ${show(points)} breached ${rule}; ${need} needed`,
    points,
  };
}

export interface AlarmStatus {
  readonly name: string;
  readonly state: AlarmState;
  /** Epoch ms of the last transition (or the book's start). */
  readonly since: number;
}

export interface Transition {
  readonly name: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly at: number;
  readonly reason: string;
}

/** Every alarm's state and its transitions; evaluate() is what CloudWatch does each minute. */
export class AlarmBook {
  private readonly states = new Map<string, { state: AlarmState; since: number }>();
  readonly history: Transition[] = [];
  /** When the last evaluation ran (epoch ms), undefined before the first. */
  evaluatedAt: number | undefined;

  constructor(
    readonly definitions: readonly AlarmDefinition[],
    start: number,
  ) {
    // A new alarm starts in INSUFFICIENT_DATA, as a freshly created CloudWatch alarm does.
    for (const d of definitions) this.states.set(d.name, { state: 'INSUFFICIENT_DATA', since: start });
  }

  evaluate(source: SampleSource, now: number): Transition[] {
    const changed: Transition[] = [];
    for (const def of this.definitions) {
      const current = this.states.get(def.name) as { state: AlarmState; since: number };
      let verdict: Verdict;
      try {
        verdict = decide(def, datapoints(def, source, now));
      } catch (err) {
        verdict = { state: 'INSUFFICIENT_DATA', reason: `cannot evaluate: ${String(err)}`, points: [] };
      }
      if (verdict.state === undefined || verdict.state === current.state) continue;
      const t: Transition = {
        name: def.name,
        from: current.state,
        to: verdict.state,
        at: now,
        reason: verdict.reason,
      };
      this.states.set(def.name, { state: verdict.state, since: now });
      this.history.push(t);
      changed.push(t);
    }
    this.evaluatedAt = now;
    return changed;
  }

  statuses(): AlarmStatus[] {
    return [...this.states].map(([name, s]) => ({ name, state: s.state, since: s.since }));
  }
}
