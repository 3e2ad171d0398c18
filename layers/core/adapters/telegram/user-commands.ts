// The user commands and buttons: leaderboard, trader cards, follows and their settings, risk,
// wallet and portfolio. Rules live in domain/; this maps Telegram to them and back.
import { TelegramError, type Composer, type Context } from 'telegraf';
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
  type Screen,
} from '../../domain/bot-views.js';
import {
  decodeCallback,
  encodeCallback,
  type BoardPage,
  type Callback,
  type SettingsField,
} from '../../domain/callbacks.js';
import { cut, normalizeAmountText, shortAddress } from '../../domain/format.js';
import { parseWalletAddress } from '../../domain/users.js';
import { linkState, walletLinkText } from '../../domain/wallet-link.js';
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
import type { Profile } from '../../ports/stores.js';
import type { BotDeps } from './deps.js';
import { backtestButton } from './commands/backtest.js';
import { registerCopies, userCopyResults } from './commands/copies.js';
import { sendPnlChart, traderChartTitle, walletChartTitle } from './commands/charts.js';
import { askRisky, handleConfirmButton, riskyChange, unfollowQuestion } from './commands/confirm.js';
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

  async function traderCard(ctx: AlfaContext, trader: string, back?: BoardPage): Promise<Screen> {
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
      ...(back ? { back } : {}),
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
    const who = shortAddress(trader);
    if (outcome === 'EXISTS') return { created: false, message: `You already follow ${who}.` };
    return {
      created: true,
      message: `Following ${who}: you will get an alert when this trader opens or closes.`,
    };
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
    if (!trader) return;
    await send(ctx, await traderCard(ctx, trader));
    await sendPnlChart(ctx, deps, trader, traderChartTitle(trader));
  });

  bot.command('follow', async (ctx) => {
    const trader = await addressArg(ctx, 'follow');
    if (!trader) return;
    const result = await follow(ctx, trader);
    const current = await deps.follows.get(userId(ctx), trader);
    if (!current) return say(ctx, escapeHtml(result.message));
    const screen = followSettingsScreen(current, await mode(), languageOf(ctx));
    await send(ctx, { ...screen, text: `${escapeHtml(result.message)}\n\n${screen.text}` });
  });

  bot.command('unfollow', async (ctx) => {
    const trader = await addressArg(ctx, 'unfollow');
    if (!trader) return;
    const risky = await unfollowQuestion(ctx, deps, trader);
    if (risky) return send(ctx, risky);
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
      'Example: <code>/set 0x5a3a…872d size 50</code> (settings: mode, size, lev, maxpos, pairs, notify, reverse, sl, minlev)';
    const parsed = parseAddress(address ?? '');
    if (!parsed.ok) return say(ctx, `${escapeHtml(parsed.error)}.\n${usage}`);
    if (!field || rest.length === 0) return say(ctx, `Which setting, and to what?\n${usage}`);
    const amount = normalizeAmountText(rest.join(' '), languageOf(ctx));
    if (!amount.ok) return say(ctx, `${escapeHtml(amount.error)}.`);
    const change = parseSettingText(field, amount.value);
    if (!change.ok) return say(ctx, `${escapeHtml(change.error)}.`);
    const current = await deps.follows.get(userId(ctx), parsed.address);
    const risky = current && riskyChange(current, change.value);
    if (risky) return send(ctx, await askRisky(ctx, deps, risky, parsed.address));
    const result = await changeSetting(ctx, parsed.address, change.value);
    if (!result.follow) return say(ctx, escapeHtml(result.error ?? 'Not changed.'));
    await send(ctx, followSettingsScreen(result.follow, await mode(), languageOf(ctx)));
  });

  bot.command('settings', async (ctx) => {
    const [field, ...rest] = argsOf(ctx);
    if (field) {
      if (rest.length === 0) return say(ctx, 'To what value? e.g. <code>/settings dailyloss 200</code>');
      const amount = normalizeAmountText(rest.join(' '), languageOf(ctx));
      if (!amount.ok) return say(ctx, `${escapeHtml(amount.error)}.`);
      const next = applyRiskText(profileOf(ctx).risk, field, amount.value);
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
    const profile = profileOf(ctx);
    const me = userId(ctx);
    const currentMode = await mode();
    let wallet = profile.wallet ?? profile.pendingWallet;
    if (arg) {
      const parsed = parseWalletAddress(arg);
      if (!parsed.ok)
        return say(ctx, `${escapeHtml(parsed.error)}.\nExample: <code>/wallet 0xYourWalletAddress</code>`);
      wallet = parsed.address;
    }
    const links = deps.wallets;
    if (!links)
      return say(
        ctx,
        tagMode(
          '<b>Wallet</b>\nWallet links are not available right now (no chain configured).',
          currentMode,
        ),
      );
    let delegate: string;
    try {
      delegate = await links.delegateOf(me);
    } catch (err) {
      logger.warn('delegate address unavailable', { reason: 'DELEGATE_ADDRESS_FAILED', error: err as Error });
      return say(ctx, 'Your Alfa key could not be read right now. Try again in a minute.');
    }
    if (!wallet) return say(ctx, walletLinkText({ delegate, linked: false, mode: currentMode }));
    let chain;
    try {
      chain = await links.status(wallet, delegate);
    } catch (err) {
      logger.warn('wallet status unavailable', { reason: 'WALLET_READ_FAILED', error: err as Error });
      return say(
        ctx,
        walletLinkText({
          delegate,
          wallet,
          linked: false,
          error: 'the chain did not answer',
          mode: currentMode,
        }),
      );
    }
    const owner = await links.owner(wallet);
    if (owner && owner !== me) {
      logger.info('wallet held by another user', { reason: 'WALLET_TAKEN', userId: me });
      return say(
        ctx,
        walletLinkText({ delegate, wallet, chain, linked: false, takenByOther: true, mode: currentMode }),
      );
    }
    // Linked only while the wallet delegates to this user's own key; otherwise it is at most pending.
    let linked = false;
    if (linkState(chain) === 'DELEGATED') {
      const claimed = await links.claim(me, wallet, profile.wallet);
      if (claimed === 'TAKEN')
        return say(
          ctx,
          walletLinkText({ delegate, wallet, linked: false, takenByOther: true, mode: currentMode }),
        );
      linked = true;
      if (profile.wallet !== wallet) logger.info('wallet linked', { reason: 'WALLET_LINKED', userId: me });
    } else if (profile.wallet === wallet) {
      await links.unlink(me, wallet);
      logger.info('wallet unlinked: no longer delegated', { reason: 'WALLET_UNLINKED', userId: me });
    } else if (profile.pendingWallet !== wallet) {
      await links.setPending(me, wallet);
      logger.info('wallet not delegated to the user key', { reason: 'NOT_DELEGATED', userId: me });
    }
    await say(ctx, walletLinkText({ delegate, wallet, chain, linked, mode: currentMode }));
  });

  bot.command('portfolio', async (ctx) => {
    const wallet = profileOf(ctx).wallet;
    const [positions, stats, copies] = wallet
      ? await Promise.all([
          deps.positions.positionsOf(wallet),
          deps.stats.getMany([wallet]),
          userCopyResults(deps, userId(ctx)),
        ])
      : [[], new Map(), undefined];
    const own = wallet ? stats.get(wallet) : undefined;
    await send(
      ctx,
      portfolioScreen({
        wallet,
        positions,
        realized: own ? windowStats(own, Math.floor(deps.clock.now().getTime() / 1000), 30) : undefined,
        mode: await mode(),
        copies: copies?.total,
      }),
    );
    if (wallet) await sendPnlChart(ctx, deps, wallet, walletChartTitle(wallet));
  });

  registerCopies(bot, deps);

  return { board, traderCard, follow, changeSetting, setRisk, mode, userId };
}

/** The sender's Telegram language, which decides how numbers are read and shown. */
export const languageOf = (ctx: Context): string | undefined =>
  ctx.from?.language_code ?? profileOf(ctx).user.languageCode;

export interface UserHelpers {
  board(ctx: AlfaContext, page: BoardPage): Promise<Screen>;
  traderCard(ctx: AlfaContext, trader: string, back?: BoardPage): Promise<Screen>;
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
    case 'dir':
      return value === 'S' || value === 'R'
        ? { field: 'direction', value: value === 'R' ? 'REVERSE' : 'SAME' }
        : undefined;
    case 'sl':
      if (value === 'off') return { field: 'stopLoss', value: undefined };
      return value.startsWith('P') && Number.isInteger(amount)
        ? { field: 'stopLoss', value: { kind: 'PCT', bps: amount } }
        : undefined;
    case 'notify':
      // '1'/'0' are the on/off buttons of before notification levels.
      return value === 'A' || value === '1'
        ? { field: 'notifications', value: 'ALL' }
        : value === 'C' || value === '0'
          ? { field: 'notifications', value: 'COPIES' }
          : value === 'S'
            ? { field: 'notifications', value: 'SILENT' }
            : undefined;
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
      await edit(ctx, await h.traderCard(ctx, cb.trader, cb.back));
      return true;
    case 'follow': {
      const result = await h.follow(ctx, cb.trader);
      await ctx.answerCbQuery(result.message.slice(0, 190));
      if (cb.back) await markFollowedInPlace(ctx, cb.trader);
      else await edit(ctx, await h.traderCard(ctx, cb.trader));
      return true;
    }
    case 'confirm':
    case 'cancel':
      return handleConfirmButton(ctx, cb, deps, h);
    case 'backtest':
      await backtestButton(ctx, deps, cb.trader);
      return true;
    case 'chart': {
      await ctx.answerCbQuery('Drawing the chart…');
      const sent = await sendPnlChart(ctx, deps, cb.trader, traderChartTitle(cb.trader));
      if (!sent) await say(ctx, 'No closed trades to chart for this trader yet.');
      return true;
    }
    case 'unfollow': {
      const risky = await unfollowQuestion(ctx, deps, cb.trader);
      if (risky) {
        await ctx.answerCbQuery();
        await edit(ctx, risky);
        return true;
      }
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
      await edit(ctx, followSettingsScreen(follow, await h.mode(), languageOf(ctx)));
      return true;
    }
    case 'set': {
      const change = buttonChange(cb.field, cb.value);
      const current = change && (await deps.follows.get(h.userId(ctx), cb.trader));
      const risky = current && change && riskyChange(current, change);
      if (risky) {
        await ctx.answerCbQuery();
        await edit(ctx, await askRisky(ctx, deps, risky, cb.trader));
        return true;
      }
      const result = change
        ? await h.changeSetting(ctx, cb.trader, change)
        : { error: 'That button has expired.' };
      if (!result.follow) {
        await ctx.answerCbQuery((result.error ?? 'Not changed.').slice(0, 190), { show_alert: true });
        return true;
      }
      await ctx.answerCbQuery('Saved.');
      await edit(ctx, followSettingsScreen(result.follow, await h.mode(), languageOf(ctx)));
      return true;
    }
    case 'risk': {
      const current = profileOf(ctx).risk;
      if (cb.action === 'aggressive' && current.profile !== 'AGGRESSIVE') {
        await ctx.answerCbQuery();
        await edit(ctx, await askRisky(ctx, deps, 'aggressive'));
        return true;
      }
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

/**
 * After Follow on a leaderboard page, only the pressed row changes (its Follow becomes a tick):
 * the page is not re-read, so rows never re-sort under the user's thumb.
 */
async function markFollowedInPlace(ctx: AlfaContext, trader: string): Promise<void> {
  const message = ctx.callbackQuery?.message;
  const rows = message && 'reply_markup' in message ? message.reply_markup?.inline_keyboard : undefined;
  if (!rows) return;
  const hex = trader.slice(2).toLowerCase();
  const keyboard = rows.map((row) =>
    row.map((b) => {
      const data = 'callback_data' in b ? b.callback_data : undefined;
      const cb = decodeCallback(data);
      if (cb?.a !== 'follow' || cb.trader.slice(2) !== hex) return b;
      return {
        text: `✓ Following ${cut(b.text.replace(/^Follow\s*/, ''), 12)}`,
        callback_data: encodeCallback({ a: 'settings', trader }),
      };
    }),
  );
  try {
    await ctx.editMessageReplyMarkup({ inline_keyboard: keyboard });
  } catch (err) {
    if (err instanceof TelegramError && /message is not modified/i.test(err.description)) return;
    throw err;
  }
}
