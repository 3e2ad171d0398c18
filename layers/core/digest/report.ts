// The daily digest a user gets and the report admins get, as pure functions of the day's data:
// what their followed traders did (the alerts they were sent), their copies and those copies' PnL,
// and for operators volume, outcomes, success rate, PnL per user, top traders, errors, incidents.
// Every text fits one Telegram message (4096 characters): long lists end in "… and N more".
import { escapeHtml } from '../domain/messages.js';

/** Telegram's limit on one message's text, after entities are parsed; we count the HTML to be safe. */
export const TELEGRAM_MAX_MESSAGE = 4096;
/** Rows a list shows before it says how many more there are. */
const MAX_ROWS = 10;

/** A day, [from, to) in UTC. */
export interface DayWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The UTC day before `now`: the digest sent at 08:00 covers all of yesterday. */
export function yesterdayUtc(now: Date): DayWindow {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: new Date(to.getTime() - 86_400_000), to };
}
export const dayLabel = (w: DayWindow): string => w.from.toISOString().slice(0, 10);

/** A followed trader's day: opens and closes (each one an alert to followers), realized PnL. */
export interface TraderDay {
  readonly trader: string;
  readonly opens: number;
  readonly closes: number;
  /** USDC 1e6: what the trader's closes returned minus the collateral they closed. */
  readonly realizedPnlUsdc: bigint;
}

export type CopyOutcome = 'EXECUTED' | 'CANCELED' | 'FAILED' | 'OPEN' | 'SIMULATED';

/** One copy of the day, as the digest needs it. */
export interface CopyRecord {
  readonly userId: string;
  readonly trader: string;
  readonly outcome: CopyOutcome;
  /** USDC 1e6, when known. */
  readonly notionalUsdc?: bigint;
  /** USDC 1e6, realized on the copy's close, when known. */
  readonly pnlUsdc?: bigint;
}

export interface UserDigest {
  readonly firstName: string;
  readonly day: DayWindow;
  readonly traders: readonly TraderDay[];
  readonly copies: readonly CopyRecord[];
}

/** USDC 1e6 as `+$1,234.56` / `-$0.50`. */
export function usd(amount: bigint, signed = false): string {
  const negative = amount < 0n;
  const cents = ((negative ? -amount : amount) + 5_000n) / 10_000n;
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `$${whole}.${(cents % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : signed ? `+${text}` : text;
}
const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Keeps a message within Telegram's limit, cutting whole lines and saying so. */
export function fitTelegram(lines: readonly string[], limit = TELEGRAM_MAX_MESSAGE): string {
  const note = '\n…(shortened)';
  let text = lines.join('\n');
  if (text.length <= limit) return text;
  const kept: string[] = [];
  let length = note.length;
  for (const line of lines) {
    if (length + line.length + 1 > limit) break;
    kept.push(line);
    length += line.length + 1;
  }
  text = kept.join('\n') + note;
  return text;
}

function rows<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, MAX_ROWS).map(line);
  if (items.length > MAX_ROWS) shown.push(`… and ${items.length - MAX_ROWS} more`);
  return shown;
}

const sumOf = (xs: readonly (bigint | undefined)[]) => xs.reduce<bigint>((a, b) => a + (b ?? 0n), 0n);

/** A user's digest; undefined when there is nothing to tell (no followed trader traded, no copy). */
/** Whether a message is one of the daily reports these render (the drills' ledger leaves them out). */
export function isDailyReport(html: string): boolean {
  return /^<b>(Your Alfa day, |Alfa \S+ operator report, )/.test(html);
}

export function renderUserDigest(d: UserDigest): string | undefined {
  const active = d.traders.filter((t) => t.opens + t.closes > 0);
  if (active.length === 0 && d.copies.length === 0) return undefined;
  const alerts = active.reduce((n, t) => n + t.opens + t.closes, 0);
  const finished = d.copies.filter((c) => c.outcome !== 'SIMULATED');
  const pnl = sumOf(finished.map((c) => c.pnlUsdc));
  const lines = [
    `<b>Your Alfa day, ${dayLabel(d.day)}</b>`,
    `Hi ${escapeHtml(d.firstName)}. Traders you follow made ${plural(alerts, 'trade')} (${plural(alerts, 'alert')} to you).`,
  ];
  if (active.length > 0) {
    lines.push('', '<b>Traders you follow (24 h)</b>');
    lines.push(
      ...rows(
        [...active].sort((a, b) => (b.realizedPnlUsdc > a.realizedPnlUsdc ? 1 : -1)),
        (t) =>
          `<code>${short(t.trader)}</code> ${t.opens} open, ${t.closes} close · ${usd(t.realizedPnlUsdc, true)}`,
      ),
    );
  }
  if (d.copies.length > 0) {
    const by = (o: CopyOutcome) => d.copies.filter((c) => c.outcome === o).length;
    lines.push('', '<b>Your copies</b>');
    const parts = (['EXECUTED', 'CANCELED', 'FAILED', 'OPEN', 'SIMULATED'] as const)
      .filter((o) => by(o) > 0)
      .map((o) => `${by(o)} ${o.toLowerCase()}`);
    lines.push(parts.join(', '));
    if (finished.some((c) => c.pnlUsdc !== undefined)) lines.push(`Realized PnL: <b>${usd(pnl, true)}</b>`);
    if (by('SIMULATED') > 0) lines.push('<i>Simulated copies are DRY-mode: nothing was traded.</i>');
  }
  lines.push('', 'Turn this daily message off with /digest off.');
  return fitTelegram(lines);
}

export interface OperatorDay {
  readonly day: DayWindow;
  readonly stage: string;
  readonly users: { readonly total: number; readonly active: number; readonly digestsQueued: number };
  readonly copies: readonly CopyRecord[];
  /** All traders' days, for the top list. */
  readonly traders: readonly TraderDay[];
  readonly errors: readonly { readonly at: string; readonly reason: string; readonly source?: string }[];
  /** Emergency stops, mode changes: what an operator should know happened. */
  readonly incidents: readonly string[];
}

export function renderOperatorReport(d: OperatorDay): string {
  const count = (o: CopyOutcome) => d.copies.filter((c) => c.outcome === o).length;
  const executed = count('EXECUTED');
  const finished = executed + count('CANCELED') + count('FAILED');
  const volume = sumOf(d.copies.filter((c) => c.outcome === 'EXECUTED').map((c) => c.notionalUsdc));
  const pnlByUser = new Map<string, bigint>();
  for (const c of d.copies) {
    if (c.pnlUsdc !== undefined) pnlByUser.set(c.userId, (pnlByUser.get(c.userId) ?? 0n) + c.pnlUsdc);
  }
  const avgPnl = pnlByUser.size === 0 ? undefined : sumOf([...pnlByUser.values()]) / BigInt(pnlByUser.size);
  const errorsBy = new Map<string, number>();
  for (const e of d.errors) {
    const key = `${e.source ?? '?'} ${e.reason}`;
    errorsBy.set(key, (errorsBy.get(key) ?? 0) + 1);
  }
  const top = [...d.traders]
    .filter((t) => t.closes > 0)
    .sort((a, b) =>
      b.realizedPnlUsdc > a.realizedPnlUsdc ? 1 : b.realizedPnlUsdc < a.realizedPnlUsdc ? -1 : 0,
    )
    .slice(0, 5);
  const lines = [
    `<b>Alfa ${escapeHtml(d.stage)} operator report, ${dayLabel(d.day)}</b>`,
    `Users: ${d.users.total} (${d.users.active} active), digests queued: ${d.users.digestsQueued}`,
    '',
    '<b>Copies</b>',
    `Volume copied: ${usd(volume)}`,
    `Outcomes: ${executed} executed, ${count('CANCELED')} cancelled, ${count('FAILED')} failed, ${count('OPEN')} open, ${count('SIMULATED')} simulated`,
    `Success rate: ${finished === 0 ? '-' : `${Math.round((100 * executed) / finished)}%`} of ${finished} finished`,
    `Average PnL per copying user: ${avgPnl === undefined ? '-' : usd(avgPnl, true)} (${plural(pnlByUser.size, 'user')})`,
    '',
    '<b>Top traders (24 h realized)</b>',
    ...(top.length === 0
      ? ['-']
      : top.map(
          (t, i) =>
            `${i + 1}. <code>${short(t.trader)}</code> ${usd(t.realizedPnlUsdc, true)} · ${plural(t.closes, 'close')}`,
        )),
    '',
    `<b>Errors</b> (${d.errors.length})`,
    ...(errorsBy.size === 0
      ? ['none recorded']
      : rows(
          [...errorsBy].sort((a, b) => b[1] - a[1]),
          ([k, n]) => `${escapeHtml(k)}: ${n}`,
        )),
    '',
    `<b>Incidents</b> (${d.incidents.length})`,
    ...(d.incidents.length === 0 ? ['none'] : rows(d.incidents, (i) => escapeHtml(i))),
  ];
  return fitTelegram(lines);
}
