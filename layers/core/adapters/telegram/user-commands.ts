// The user commands and buttons: leaderboard, trader cards, follows and their settings, risk,
// wallet and portfolio. Rules live in domain/; this maps Telegram to them and back.
import type { Composer, Context } from 'telegraf';
import { parseAddress } from '../../domain/addresses.js';
import { traderView } from '../../domain/analytics/leaderboard.js';
import { emptyStats, windowStats } from '../../domain/analytics/stats.js';
import {
  followingScreen,
  followSettingsScreen,
  leaderboardScreen,
  portfolioScreen,
  riskScreen,
  traderScreen,
  walletScreen,
  type Screen,
} from '../../domain/bot-views.js';
import type { BoardPage, Callback, SettingsField } from '../../domain/callbacks.js';
import {
  FOLLOW_LIMIT,
  applySetting,
  newFollow,
  parseSettingText,
  type Follow,
  type SettingChange,
} from '../../domain/follows.js';
import { escapeHtml, tagMode } from '../../domain/messages.js';
import { applyRiskText, withPreset, type RiskPolicy } from '../../domain/risk.js';
import { logger } from '../../observability.js';
import type { Profile } from '../../ports.js';
import type { BotDeps } from './deps.js';
import { edit, say, send } from './screens.js';

const USDC = 1_000_000n;
const DEFAULT_TOP = 50;
const MAX_TOP = 200;

export type AlfaContext = Context;

/** The profile the bot's middleware loaded (or created) for this update. */
export const profileOf = (ctx: Context): Profile => ctx.state.profile as Profile;
export const setProfile = (ctx: Context, profile: Profile): void => {
  ctx.state.profile = profile;
};

const argsOf = (ctx: Context): string[] => {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  return text.split(/\s+/).slice(1).filter(Boolean);
};

/** `/alfa`, `/alfa 20`, `/alfa top20`, `/alfa top 20` -> 20; an error message otherwise. */
export function parseTop(args: readonly string[]): { ok: true; top: number } | { ok: false; error: string } {
  const joined = args.join('').toLowerCase();
  if (joined === '') return { ok: true, top: DEFAULT_TOP };
  const m = /^(?:top)?(\d{1,4})$/.exec(joined);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 1 && n <= MAX_TOP))
    return { ok: false, error: `Send /alfa, or /alfa top20 for the top 20 (from 1 to ${MAX_TOP}).` };
  return { ok: true, top: n };
}

/** Registers the commands; returns what the button handler needs to redraw screens. */
export function registerUserCommands(bot: Composer<AlfaContext>, deps: BotDeps): UserHelpers {
  const userId = (ctx: AlfaContext) => profileOf(ctx).user.userId;
  const mode = async () => (await deps.mode.read()).mode;

  async function board(ctx: AlfaContext, page: BoardPage): Promise<Screen> {
    const [stored, follows] = await Promise.all([
      deps.stats.getLeaderboard(page.sort),
      deps.follows.listByUser(userId(ctx)),
    ]);
    return leaderboardScreen({
      rows: stored?.rows ?? [],
      sort: page.sort,
      offset: page.offset,
      limit: page.limit,
      followed: new Set(follows.map((f) => f.trader)),
      traders: stored?.traders ?? 0,
      rules: deps.rules,
    });
  }

  async function traderCard(ctx: AlfaContext, trader: string): Promise<Screen> {
    const [stats, scoreBoard, recent, follow, prices] = await Promise.all([
      deps.stats.getMany([trader]),
      deps.stats.getLeaderboard('score'),
      deps.fills.recentOf(trader, 20),
      deps.follows.get(userId(ctx), trader),
      deps.stats.getPrices(),
    ]);
    const known = stats.get(trader);
    return traderScreen({
      view: traderView(
        known ?? emptyStats(trader),
        Math.floor(deps.clock.now().getTime() / 1000),
        deps.rules,
        prices,
      ),
      rank: scoreBoard?.rows.find((r) => r.trader === trader)?.rank,
      recent,
      following: follow !== undefined,
      indexed: known !== undefined,
    });
  }

  /** Creates a follow; says what happened in words the user can act on. */
  async function follow(ctx: AlfaContext, trader: string): Promise<{ created: boolean; message: string }> {
    const { user } = profileOf(ctx);
    const outcome = await deps.follows.create(
      newFollow(user.userId, user.chatId, trader, deps.clock.now()),
      FOLLOW_LIMIT,
    );
    logger.info('follow', { reason: `FOLLOW_${outcome}`, userId: user.userId, trader });
    if (outcome === 'LIMIT')
      return {
        created: false,
        message: `You already follow ${FOLLOW_LIMIT} traders, the most allowed. /unfollow one first.`,
      };
    if (outcome === 'EXISTS') return { created: false, message: 'You already follow this trader.' };
    return { created: true, message: 'Following: you will get an alert when this trader opens or closes.' };
  }

  async function changeSetting(
    ctx: AlfaContext,
    trader: string,
    change: SettingChange,
  ): Promise<{ follow?: Follow; error?: string }> {
    const current = await deps.follows.get(userId(ctx), trader);
    if (!current) return { error: 'You do not follow this trader (any more). /follow it first.' };
    const next = applySetting(current, change);
    if (!next.ok) return { error: next.error };
    await deps.follows.save(next.value);
    logger.info('follow settings changed', {
      reason: 'FOLLOW_SETTINGS',
      userId: userId(ctx),
      trader,
      field: change.field,
    });
    return { follow: next.value };
  }

  async function setRisk(ctx: AlfaContext, risk: RiskPolicy): Promise<void> {
    await deps.users.setRisk(userId(ctx), risk);
    if (risk.paused !== profileOf(ctx).risk.paused) await deps.follows.setPaused(userId(ctx), risk.paused);
    setProfile(ctx, { ...profileOf(ctx), risk });
  }

  const addressArg = async (ctx: AlfaContext, command: string): Promise<string | undefined> => {
    const [arg] = argsOf(ctx);
    const parsed = parseAddress(arg ?? '');
    if (parsed.ok) return parsed.address;
    await say(
      ctx,
      `${escapeHtml(parsed.error)}.\nExample: <code>/${command} 0x5a3a245e0523b2728ec8d914358e33671e27872d</code>`,
    );
    return undefined;
  };

  // --- Commands ---

  bot.command('alfa', async (ctx) => {
    const top = parseTop(argsOf(ctx));
    if (!top.ok) return say(ctx, escapeHtml(top.error));
    await send(ctx, await board(ctx, { sort: 'score', offset: 0, limit: top.top }));
  });

  bot.command('trader', async (ctx) => {
    const trader = await addressArg(ctx, 'trader');
    if (trader) await send(ctx, await traderCard(ctx, trader));
  });

  bot.command('follow', async (ctx) => {
    const trader = await addressArg(ctx, 'follow');
    if (!trader) return;
    const result = await follow(ctx, trader);
    const current = await deps.follows.get(userId(ctx), trader);
    if (!current) return say(ctx, escapeHtml(result.message));
    const screen = followSettingsScreen(current, await mode());
    await send(ctx, { ...screen, text: `${escapeHtml(result.message)}\n\n${screen.text}` });
  });

  bot.command('unfollow', async (ctx) => {
    const trader = await addressArg(ctx, 'unfollow');
    if (!trader) return;
    const removed = await deps.follows.remove(userId(ctx), trader);
    await say(
      ctx,
      removed ? `Unfollowed <code>${trader}</code>.` : `You were not following <code>${trader}</code>.`,
    );
  });

  bot.command('following', async (ctx) => {
    await send(ctx, followingScreen(await deps.follows.listByUser(userId(ctx)), await mode()));
  });

  bot.command('set', async (ctx) => {
    const [address, field, ...rest] = argsOf(ctx);
    const usage =
      'Example: <code>/set 0x5a3a…872d size 50</code> (settings: mode, size, lev, maxpos, pairs, notify)';
    const parsed = parseAddress(address ?? '');
    if (!parsed.ok) return say(ctx, `${escapeHtml(parsed.error)}.\n${usage}`);
    if (!field || rest.length === 0) return say(ctx, `Which setting, and to what?\n${usage}`);
    const change = parseSettingText(field, rest.join(' '));
    if (!change.ok) return say(ctx, `${escapeHtml(change.error)}.`);
    const result = await changeSetting(ctx, parsed.address, change.value);
    if (!result.follow) return say(ctx, escapeHtml(result.error ?? 'Not changed.'));
    await send(ctx, followSettingsScreen(result.follow, await mode()));
  });

  bot.command('settings', async (ctx) => {
    const [field, ...rest] = argsOf(ctx);
    if (field) {
      if (rest.length === 0) return say(ctx, 'To what value? e.g. <code>/settings dailyloss 200</code>');
      const next = applyRiskText(profileOf(ctx).risk, field, rest.join(' '));
      if (!next.ok) return say(ctx, `${escapeHtml(next.error)}.`);
      await setRisk(ctx, next.value);
    }
    await send(ctx, riskScreen(profileOf(ctx).risk, await mode()));
  });

  for (const [command, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    bot.command(command, async (ctx) => {
      await setRisk(ctx, { ...profileOf(ctx).risk, paused });
      await say(
        ctx,
        tagMode(
          paused
            ? '⏸ Paused: no alerts and no copies until /resume.'
            : '▶ Resumed: alerts and copies are on.',
          await mode(),
        ),
      );
    });
  }

  bot.command('wallet', async (ctx) => {
    const [arg] = argsOf(ctx);
    let wallet = profileOf(ctx).wallet;
    if (arg) {
      const parsed = parseAddress(arg);
      if (!parsed.ok)
        return say(ctx, `${escapeHtml(parsed.error)}.\nExample: <code>/wallet 0xYourWalletAddress</code>`);
      wallet = parsed.address;
      await deps.users.setWallet(userId(ctx), wallet);
      logger.info('wallet linked', { reason: 'WALLET_LINKED', userId: userId(ctx) });
    }
    const currentMode = await mode();
    if (!wallet || !deps.wallets)
      return send(
        ctx,
        walletScreen(undefined, wallet, currentMode, wallet ? 'no chain configured' : undefined),
      );
    try {
      await send(ctx, walletScreen(await deps.wallets.status(wallet), wallet, currentMode));
    } catch (err) {
      logger.warn('wallet status unavailable', { reason: 'WALLET_READ_FAILED', error: err as Error });
      await send(ctx, walletScreen(undefined, wallet, currentMode, 'the chain did not answer'));
    }
  });

  bot.command('portfolio', async (ctx) => {
    const wallet = profileOf(ctx).wallet;
    const [positions, stats] = wallet
      ? await Promise.all([deps.positions.positionsOf(wallet), deps.stats.getMany([wallet])])
      : [[], new Map()];
    const own = wallet ? stats.get(wallet) : undefined;
    await send(
      ctx,
      portfolioScreen({
        wallet,
        positions,
        realized: own ? windowStats(own, Math.floor(deps.clock.now().getTime() / 1000), 30) : undefined,
        mode: await mode(),
      }),
    );
  });

  return { board, traderCard, follow, changeSetting, setRisk, mode, userId };
}

export interface UserHelpers {
  board(ctx: AlfaContext, page: BoardPage): Promise<Screen>;
  traderCard(ctx: AlfaContext, trader: string): Promise<Screen>;
  follow(ctx: AlfaContext, trader: string): Promise<{ created: boolean; message: string }>;
  changeSetting(
    ctx: AlfaContext,
    trader: string,
    change: SettingChange,
  ): Promise<{ follow?: Follow; error?: string }>;
  setRisk(ctx: AlfaContext, risk: RiskPolicy): Promise<void>;
  mode(): Promise<'DRY' | 'LIVE'>;
  userId(ctx: AlfaContext): string;
}

/** What a settings button means, as a change the domain validates. */
function buttonChange(field: SettingsField, value: string): SettingChange | undefined {
  const amount = Number(value.slice(1));
  switch (field) {
    case 'mode':
      return value === 'A'
        ? { field: 'mode', value: 'ALERTS' }
        : value === 'U'
          ? { field: 'mode', value: 'AUTO' }
          : undefined;
    case 'size':
      if (!Number.isInteger(amount)) return undefined;
      if (value.startsWith('F'))
        return { field: 'sizing', value: { kind: 'FIXED_USD', usdc: BigInt(amount) * USDC } };
      if (value.startsWith('P')) return { field: 'sizing', value: { kind: 'PCT_EQUITY', bps: amount } };
      if (value.startsWith('M')) return { field: 'sizing', value: { kind: 'MULTIPLIER', milli: amount } };
      return undefined;
    case 'lev':
      return /^\d+$/.test(value) ? { field: 'maxLeverage', value: Number(value) } : undefined;
    case 'maxpos':
      return /^\d+$/.test(value) ? { field: 'maxPosition', value: BigInt(value) * USDC } : undefined;
    case 'pair':
      return /^\d+$/.test(value) ? { field: 'togglePair', value: Number(value) } : undefined;
    case 'allpairs':
      return { field: 'pairs', value: 'ALL' };
    case 'notify':
      return { field: 'notify', value: value === '1' };
  }
}

/** Handles a decoded user button; returns false when it is not a user button. */
export async function handleUserButton(
  ctx: AlfaContext,
  cb: Callback,
  deps: BotDeps,
  h: UserHelpers,
): Promise<boolean> {
  switch (cb.a) {
    case 'board':
      await ctx.answerCbQuery();
      await edit(ctx, await h.board(ctx, cb));
      return true;
    case 'trader':
      await ctx.answerCbQuery();
      await edit(ctx, await h.traderCard(ctx, cb.trader));
      return true;
    case 'follow': {
      const result = await h.follow(ctx, cb.trader);
      await ctx.answerCbQuery(result.message.slice(0, 190));
      await edit(ctx, cb.back ? await h.board(ctx, cb.back) : await h.traderCard(ctx, cb.trader));
      return true;
    }
    case 'unfollow': {
      const removed = await deps.follows.remove(h.userId(ctx), cb.trader);
      await ctx.answerCbQuery(removed ? 'Unfollowed.' : 'You were not following this trader.');
      await edit(ctx, followingScreen(await deps.follows.listByUser(h.userId(ctx)), await h.mode()));
      return true;
    }
    case 'following':
      await ctx.answerCbQuery();
      await edit(ctx, followingScreen(await deps.follows.listByUser(h.userId(ctx)), await h.mode()));
      return true;
    case 'settings': {
      const follow = await deps.follows.get(h.userId(ctx), cb.trader);
      if (!follow) {
        await ctx.answerCbQuery('You no longer follow this trader.');
        return true;
      }
      await ctx.answerCbQuery();
      await edit(ctx, followSettingsScreen(follow, await h.mode()));
      return true;
    }
    case 'set': {
      const change = buttonChange(cb.field, cb.value);
      const result = change
        ? await h.changeSetting(ctx, cb.trader, change)
        : { error: 'That button has expired.' };
      if (!result.follow) {
        await ctx.answerCbQuery((result.error ?? 'Not changed.').slice(0, 190), { show_alert: true });
        return true;
      }
      await ctx.answerCbQuery('Saved.');
      await edit(ctx, followSettingsScreen(result.follow, await h.mode()));
      return true;
    }
    case 'risk': {
      const current = profileOf(ctx).risk;
      const next =
        cb.action === 'pause' || cb.action === 'resume'
          ? { ...current, paused: cb.action === 'pause' }
          : withPreset(current, cb.action.toUpperCase() as 'CONSERVATIVE' | 'MODERATE' | 'AGGRESSIVE');
      await h.setRisk(ctx, next);
      await ctx.answerCbQuery('Saved.');
      await edit(ctx, riskScreen(next, await h.mode()));
      return true;
    }
    default:
      return false;
  }
}
