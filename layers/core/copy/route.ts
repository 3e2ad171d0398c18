// Routing one signal: the trader's followers from the reverse index, page by page, a Decision for
// each (logged with its reason code), and one fanout message per follower who gets an alert or a copy.
import type { ModeReading } from '../adapters/mode-source.js';
import { pairLimits } from '../domain/avantis/pairs.js';
import { decide, type CanaryCaps, type ReasonCode } from '../domain/decision.js';
import type { Signal } from '../domain/signals.js';
import type { AppLog, FanoutMessage, FanoutQueue, FollowStore, ProfileStore } from '../ports.js';

export interface RouteDeps {
  readonly followers: Pick<FollowStore, 'followersOf'>;
  readonly profiles: Pick<ProfileStore, 'profiles'>;
  readonly fanout: FanoutQueue;
  readonly mode: { read(): Promise<ModeReading> };
  readonly canary: CanaryCaps;
  readonly log: AppLog;
}

export interface RouteSummary {
  readonly followers: number;
  readonly messages: number;
  readonly byReason: Readonly<Partial<Record<ReasonCode, number>>>;
}

export async function routeSignal(signal: Signal, deps: RouteDeps): Promise<RouteSummary> {
  const reading = await deps.mode.read();
  const pair = pairLimits(signal.pairIndex);
  const byReason: Partial<Record<ReasonCode, number>> = {};
  let followers = 0;
  let messages = 0;
  for await (const page of deps.followers.followersOf(signal.trader)) {
    const profiles = await deps.profiles.profiles(page.map((f) => f.userId));
    const out: FanoutMessage[] = [];
    for (const follower of page) {
      const profile = profiles.get(follower.userId);
      // A follower whose user item is gone, or who blocked the bot, gets nothing.
      if (!profile || !profile.user.active) continue;
      const decision = decide(signal, follower, {
        mode: reading.mode,
        emergencyStop: reading.emergencyStop,
        risk: profile.risk,
        // Losses today and open copied collateral are checked again with fresh numbers before signing.
        lossTodayUsdc: 0n,
        openCopiedUsdc: 0n,
        wallet: profile.wallet,
        equityUsdc: undefined,
        pair,
        canary: deps.canary,
      });
      byReason[decision.reason] = (byReason[decision.reason] ?? 0) + 1;
      deps.log.info('decision', {
        reason: decision.reason,
        action: decision.action,
        signalId: signal.id,
        userId: follower.userId,
        adjustments: decision.adjustments,
      });
      if (decision.action === 'SKIP' && !decision.notify) continue;
      out.push({ signal, userId: follower.userId, chatId: profile.user.chatId, follower, decision });
    }
    followers += page.length;
    await deps.fanout.publish(out);
    messages += out.length;
  }
  return { followers, messages, byReason };
}
