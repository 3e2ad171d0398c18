// Risky changes ask first: the Aggressive preset, Auto copy on, 100% sizing and unfollowing while
// the wallet has open positions. The question's "yes" is bound to the state it was asked about and
// expires (domain/confirmations.ts); pressing it re-reads the state and changes nothing if it moved.
import type { Context } from 'telegraf';
import {
  confirmScreen,
  followingScreen,
  followSettingsScreen,
  riskScreen,
  type Screen,
} from '../../../domain/bot-views.js';
import type { Callback, ConfirmKind } from '../../../domain/callbacks.js';
import { checkConfirmation, confirmCallback } from '../../../domain/confirmations.js';
import type { Follow, SettingChange } from '../../../domain/follows.js';
import { shortAddress } from '../../../domain/format.js';
import { PRESETS, withPreset } from '../../../domain/risk.js';
import { formatUsd } from '../../../domain/format.js';
import { logger } from '../../../observability.js';
import type { BotDeps } from '../deps.js';
import { edit } from '../screens.js';
import { profileOf, type UserHelpers } from '../user-commands.js';

type UserKind = Extract<ConfirmKind, 'aggressive' | 'auto' | 'pct100' | 'unfollow'>;
const USER_KINDS: ReadonlySet<ConfirmKind> = new Set(['aggressive', 'auto', 'pct100', 'unfollow']);

/** The change that needs a second tap, if this one is risky for this follow. */
export function riskyChange(current: Follow, change: SettingChange): 'auto' | 'pct100' | undefined {
  if (change.field === 'mode' && change.value === 'AUTO' && current.mode !== 'AUTO') return 'auto';
  if (
    change.field === 'sizing' &&
    change.value.kind === 'PCT_EQUITY' &&
    change.value.bps >= 10_000 &&
    !(current.sizing.kind === 'PCT_EQUITY' && current.sizing.bps >= 10_000)
  )
    return 'pct100';
  return undefined;
}

const followState = (f: Follow | undefined) =>
  f && { trader: f.trader, mode: f.mode, sizing: f.sizing, maxLeverage: f.maxLeverage };

/** The open positions of the user's wallet: an AUTO follow may have copies among them. */
async function openPositions(ctx: Context, deps: BotDeps): Promise<number> {
  const wallet = profileOf(ctx).wallet;
  if (!wallet) return 0;
  return (await deps.positions.positionsOf(wallet)).length;
}

/** What the "yes" of each kind is bound to: the state that would make the answer different. */
async function stateFor(ctx: Context, deps: BotDeps, kind: UserKind, trader?: string): Promise<unknown> {
  const userId = profileOf(ctx).user.userId;
  switch (kind) {
    case 'aggressive':
      return (await deps.users.profile(userId))?.risk ?? profileOf(ctx).risk;
    case 'auto':
    case 'pct100':
      return followState(trader ? await deps.follows.get(userId, trader) : undefined) ?? null;
    case 'unfollow': {
      const f = trader ? await deps.follows.get(userId, trader) : undefined;
      return { follow: followState(f) ?? null, open: await openPositions(ctx, deps) };
    }
  }
}

/** The question for a risky change, with its bound "yes". */
export async function askRisky(
  ctx: Context,
  deps: BotDeps,
  kind: UserKind,
  trader?: string,
): Promise<Screen> {
  const yes = confirmCallback(kind, await stateFor(ctx, deps, kind, trader), deps.clock.now(), trader);
  const who = trader ? shortAddress(trader) : '';
  switch (kind) {
    case 'aggressive': {
      const p = PRESETS.AGGRESSIVE;
      return confirmScreen(
        'Switch to the Aggressive risk profile?',
        `Copies may then use up to ${p.maxLeverage}x leverage and ${formatUsd(p.maxPositionUsdc)} collateral each, ` +
          `and copying stops for the day only after a ${formatUsd(p.dailyLossLimitUsdc)} loss.`,
        'Yes, Aggressive',
        yes,
      );
    }
    case 'auto':
      return confirmScreen(
        `Turn on Auto copy for ${who}?`,
        'Alfa will then open and close trades in your wallet whenever this trader does, within your caps (when the system is LIVE; in DRY they are simulated).',
        'Yes, Auto copy',
        yes,
      );
    case 'pct100':
      return confirmScreen(
        `Size each copy of ${who} at 100% of your wallet?`,
        "Every copied trade would then put all of the wallet's USDC at stake (within your caps).",
        'Yes, 100%',
        yes,
      );
    case 'unfollow': {
      const open = await openPositions(ctx, deps);
      return confirmScreen(
        `Unfollow ${who}?`,
        `Your wallet has ${open} open position${open === 1 ? '' : 's'}, which may include copies of this trader. ` +
          'They stay open after you unfollow: see /portfolio.',
        'Yes, unfollow',
        yes,
      );
    }
  }
}

/** The question to ask before unfollowing, or undefined when unfollowing risks nothing (no Auto copy, nothing open). */
export async function unfollowQuestion(
  ctx: Context,
  deps: BotDeps,
  trader: string,
): Promise<Screen | undefined> {
  const follow = await deps.follows.get(profileOf(ctx).user.userId, trader);
  if (follow?.mode !== 'AUTO' || (await openPositions(ctx, deps)) === 0) return undefined;
  return askRisky(ctx, deps, 'unfollow', trader);
}

/** A pressed "yes" (or Cancel): checked against the state now, then applied; false for admin kinds. */
export async function handleConfirmButton(
  ctx: Context,
  cb: Extract<Callback, { a: 'confirm' } | { a: 'cancel' }>,
  deps: BotDeps,
  h: UserHelpers,
): Promise<boolean> {
  if (cb.a === 'cancel') {
    await ctx.answerCbQuery('Cancelled.');
    await edit(ctx, { text: 'Cancelled: nothing was changed.', keyboard: [] });
    return true;
  }
  if (!USER_KINDS.has(cb.kind)) return false; // the admin commands' confirmations
  const kind = cb.kind as UserKind;
  const check = checkConfirmation(cb, await stateFor(ctx, deps, kind, cb.trader), deps.clock.now());
  if (!check.ok) {
    logger.info('confirmation refused', { reason: check.reason, kind, userId: h.userId(ctx) });
    await ctx.answerCbQuery(check.message.slice(0, 190), { show_alert: true });
    await edit(ctx, { text: check.message, keyboard: [] });
    return true;
  }
  logger.info('confirmed', { reason: 'CONFIRMED', kind, userId: h.userId(ctx) });
  switch (kind) {
    case 'aggressive': {
      const next = withPreset(profileOf(ctx).risk, 'AGGRESSIVE');
      await h.setRisk(ctx, next);
      await ctx.answerCbQuery('Saved.');
      await edit(ctx, riskScreen(next, await h.mode()));
      return true;
    }
    case 'auto':
    case 'pct100': {
      const change: SettingChange =
        kind === 'auto'
          ? { field: 'mode', value: 'AUTO' }
          : { field: 'sizing', value: { kind: 'PCT_EQUITY', bps: 10_000 } };
      const result = await h.changeSetting(ctx, cb.trader ?? '', change);
      if (!result.follow) {
        await ctx.answerCbQuery((result.error ?? 'Not changed.').slice(0, 190), { show_alert: true });
        return true;
      }
      await ctx.answerCbQuery('Saved.');
      await edit(ctx, followSettingsScreen(result.follow, await h.mode(), ctx.from?.language_code));
      return true;
    }
    case 'unfollow': {
      const removed = await deps.follows.remove(h.userId(ctx), cb.trader ?? '');
      await ctx.answerCbQuery(
        removed ? `Unfollowed ${shortAddress(cb.trader ?? '')}.` : 'You were not following this trader.',
      );
      await edit(ctx, followingScreen(await deps.follows.listByUser(h.userId(ctx)), await h.mode()));
      return true;
    }
  }
}
