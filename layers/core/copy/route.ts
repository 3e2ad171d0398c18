// Routing one signal: a Decision per user it concerns, logged with its reason code, then an alert
// to alerts.fifo and a copy to copies.fifo (both group = user), so copies never wait behind
// Telegram's pacing. Opens go to the trader's followers (the byTrader reverse index, page by page).
// Closes and adds go to every user holding a copy of that trader position (the mirrors), whatever
// became of their follow: reducing risk is never blocked by pause, ALERTS mode, unfollow or DRY;
// followers without a copy get the alert only.
import type { ModeReading } from '../ports/operator.js';
import { pairLimits } from '../domain/avantis/pairs.js';
import { alertText } from '../domain/alerts.js';
import { emergencyText } from '../domain/copy/notices.js';
import {
  decide,
  decideOnCopy,
  type CanaryCaps,
  type Decision,
  type FollowerView,
  type ReasonCode,
} from '../domain/decision.js';
import type { ExecutionMode } from '../domain/execution-mode.js';
import type { Signal } from '../domain/signals.js';
import type { AppLog } from '../ports/runtime.js';
import type { FollowStore, ProfileStore } from '../ports/stores.js';
import type { AlertJob, AlertQueue, CopyJob, CopyQueue, IntentStore } from '../ports/copy.js';

export interface RouteDeps {
  readonly followers: Pick<FollowStore, 'followersOf'>;
  readonly profiles: Pick<ProfileStore, 'profiles'>;
  readonly mirrors: Pick<IntentStore, 'mirrorsOfSlot'>;
  readonly alerts: AlertQueue;
  readonly copies: CopyQueue;
  readonly mode: { read(): Promise<ModeReading> };
  readonly canary: CanaryCaps;
  readonly now: () => number;
  readonly log: AppLog;
}

export interface RouteSummary {
  readonly followers: number;
  readonly alerts: number;
  readonly copies: number;
  readonly byReason: Readonly<Partial<Record<ReasonCode, number>>>;
}

/** The mode a message speaks in: a copy of a LIVE position is LIVE even while the system is DRY. */
function textMode(decision: Decision, mode: ExecutionMode): ExecutionMode {
  if (decision.reason === 'MODE_DRY') return 'DRY';
  return decision.action === 'COPY' ? 'LIVE' : mode;
}

export async function routeSignal(signal: Signal, deps: RouteDeps): Promise<RouteSummary> {
  const reading = await deps.mode.read();
  const pair = pairLimits(signal.pairIndex);
  const byReason: Partial<Record<ReasonCode, number>> = {};
  let followers = 0;
  let alertCount = 0;
  let copyCount = 0;
  const routedAt = deps.now();

  const emit = async (alerts: AlertJob[], copies: CopyJob[]) => {
    // Copies first: they are the money path and must not wait for the alert batch.
    await Promise.all([deps.copies.publish(copies), deps.alerts.publish(alerts)]);
    alertCount += alerts.length;
    copyCount += copies.length;
  };
  const count = (d: Decision, userId: string) => {
    byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
    deps.log.info('decision', {
      reason: d.reason,
      action: d.action,
      signalId: signal.id,
      userId,
      adjustments: d.adjustments,
    });
  };

  // Users who hold a copy of the position a close or add is about.
  const copied = new Set<string>();
  if (signal.kind === 'CLOSE' || signal.kind === 'UPDATE') {
    const mirrors = await deps.mirrors.mirrorsOfSlot(signal.trader, signal.pairIndex, signal.tradeIndex);
    const alerts: AlertJob[] = [];
    const copies: CopyJob[] = [];
    for (const m of mirrors) {
      copied.add(m.userId);
      const decision = decideOnCopy(
        signal,
        { userId: m.userId, chatId: m.chatId, simulated: m.simulated, notify: true },
        reading,
      );
      count(decision, m.userId);
      if (decision.action === 'COPY')
        copies.push({ signal, userId: m.userId, chatId: m.chatId, decision, routedAt });
      if (decision.notify) {
        const html =
          decision.reason === 'EMERGENCY_STOP'
            ? `${alertText(signal, decision, reading.mode)}\n${emergencyText(
                m.index === undefined ? [] : [{ pairIndex: m.pairIndex, buy: m.buy, index: m.index }],
              )}`
            : alertText(signal, decision, textMode(decision, reading.mode));
        alerts.push({
          id: `${signal.id}:${m.userId}`,
          userId: m.userId,
          chatId: m.chatId,
          html,
          signalTs: signal.ts,
        });
      }
    }
    await emit(alerts, copies);
  }

  for await (const page of deps.followers.followersOf(signal.trader)) {
    const rest = page.filter((f) => !copied.has(f.userId));
    followers += page.length;
    if (rest.length === 0) continue;
    const profiles = await deps.profiles.profiles(rest.map((f) => f.userId));
    const alerts: AlertJob[] = [];
    const copies: CopyJob[] = [];
    for (const follower of rest) {
      const profile = profiles.get(follower.userId);
      // A follower whose user item is gone, or who blocked the bot, gets nothing.
      if (!profile || !profile.user.active) continue;
      const decision = decide(signal, follower, {
        mode: reading.mode,
        emergencyStop: reading.emergencyStop,
        risk: profile.risk,
        // Loss, exposure (with copies in flight) and equity are read fresh by the copier.
        lossTodayUsdc: 0n,
        openCopiedUsdc: 0n,
        wallet: profile.wallet,
        equityUsdc: undefined,
        pair,
        canary: deps.canary,
      });
      count(decision, follower.userId);
      const chatId = profile.user.chatId;
      if (decision.action === 'COPY') copies.push(job(signal, follower, chatId, decision, routedAt));
      if (decision.notify)
        alerts.push({
          id: `${signal.id}:${follower.userId}`,
          userId: follower.userId,
          chatId,
          html: alertText(signal, decision, textMode(decision, reading.mode)),
          signalTs: signal.ts,
        });
    }
    await emit(alerts, copies);
  }
  return { followers, alerts: alertCount, copies: copyCount, byReason };
}

function job(
  signal: Signal,
  follower: FollowerView,
  chatId: string,
  decision: Decision,
  routedAt: number,
): CopyJob {
  return { signal, userId: follower.userId, chatId, decision, follower, routedAt };
}
