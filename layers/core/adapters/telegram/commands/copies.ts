// /copies, and the copy results /portfolio shows: the user's copies of the last 90 days (the
// intents' byUser index) folded into results per followed trader and in total, at the latest
// prices, next to each trader's own result on the same closes (their stored fills).
import type { Composer, Context } from 'telegraf';
import { COPY_WINDOW_DAYS, copiesScreen } from '../../../domain/bot-views.js';
import { copyResults, type CopyResults } from '../../../domain/copy/results.js';
import { firstFillKeyOfBlock, type TradeEventRecord } from '../../../domain/fills.js';
import type { CopyIntent } from '../../../ports/copy.js';
import { logger } from '../../../observability.js';
import type { BotDeps } from '../deps.js';
import { say, send } from '../screens.js';
import { profileOf } from '../user-commands.js';

const DAY_MS = 86_400_000;
/** Telegram refuses a message over 4,096 characters: the history and the trader list stay short. */
const RECENT = 10;
const TRADERS_SHOWN = 8;

/** Each copied trader's fills from the block of the first copied signal on: their side of the closes. */
async function traderFillsOf(
  deps: BotDeps,
  intents: readonly CopyIntent[],
): Promise<Map<string, readonly TradeEventRecord[]>> {
  const firstBlock = new Map<string, number>();
  for (const i of intents) {
    const t = i.trader.toLowerCase();
    const b = i.signalBlock ?? 0;
    firstBlock.set(t, Math.min(firstBlock.get(t) ?? b, b));
  }
  const out = new Map<string, readonly TradeEventRecord[]>();
  await Promise.all(
    [...firstBlock].map(async ([trader, block]) => {
      out.set(trader, await deps.fills.eventsOf(trader, block > 0 ? firstFillKeyOfBlock(block) : undefined));
    }),
  );
  return out;
}

export interface UserCopyResults {
  readonly byTrader: readonly CopyResults[];
  readonly total: CopyResults;
  readonly intents: readonly CopyIntent[];
}

/** The user's copy results, or undefined when the bot has no copy history wired. */
export async function userCopyResults(deps: BotDeps, userId: string): Promise<UserCopyResults | undefined> {
  if (!deps.copies) return undefined;
  const since = new Date(deps.clock.now().getTime() - COPY_WINDOW_DAYS * DAY_MS);
  const intents = await deps.copies.allOf(userId, since);
  const [prices, fills] = await Promise.all([deps.stats.getPrices(), traderFillsOf(deps, intents)]);
  return { ...copyResults(intents, prices, fills), intents };
}

export function registerCopies(bot: Composer<Context>, deps: BotDeps): void {
  bot.command('copies', async (ctx) => {
    const started = Date.now();
    const { user } = profileOf(ctx);
    const [results, recent, mode] = await Promise.all([
      userCopyResults(deps, user.userId),
      deps.copies ? deps.copies.recentOf(user.userId, RECENT) : Promise.resolve([]),
      deps.mode.read().then((m) => m.mode),
    ]);
    if (!results) return say(ctx, 'Copy history is not available right now.');
    logger.info('copies', {
      reason: 'COPIES',
      intents: results.intents.length,
      ms: Date.now() - started,
    });
    await send(
      ctx,
      copiesScreen({
        total: results.total,
        byTrader: results.byTrader.slice(0, TRADERS_SHOWN),
        recent,
        mode,
      }),
    );
  });
}
