// When the indexer sees a follower's own fill in a copy's transaction: the intent becomes MINED,
// the follower's mirrored position is remembered (opens) or forgotten (full closes), and the user
// is told the fill price and size.
import { pairName } from '../domain/avantis/pairs.js';
import type { Fill } from '../domain/fills.js';
import { formatChainLeverage, formatPrice, formatUsd } from '../domain/format.js';
import type { FanoutQueue, IntentStore, NoticeMessage } from '../ports.js';

export async function settleCopies(
  fills: readonly Fill[],
  deps: { intents: IntentStore; notices: FanoutQueue },
): Promise<number> {
  const executions = fills.filter(
    (f) => f.event.kind === 'MarketExecuted' || f.event.kind === 'LimitExecuted',
  );
  if (executions.length === 0) return 0;
  const copies = await deps.intents.byTx(executions.map((f) => f.event.txHash));
  const notices: NoticeMessage[] = [];
  for (const fill of executions) {
    const intentId = copies.get(fill.event.txHash);
    const e = fill.event;
    if (!intentId || (e.kind !== 'MarketExecuted' && e.kind !== 'LimitExecuted')) continue;
    const intent = await deps.intents.get(intentId);
    if (!intent) continue;
    const mined = await deps.intents.markMined(intentId, {
      price: e.price.toString(),
      collateralUsdc: e.positionSizeUsdc.toString(),
      block: e.blockNumber,
    });
    if (!mined) continue; // already settled: a replayed page
    const open = e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
    const key = intent.traderSlot && { userId: intent.userId, trader: intent.trader, ...intent.traderSlot };
    if (key && open)
      await deps.intents.putMirror(key, {
        wallet: fill.trader,
        pairIndex: e.trade.pairIndex,
        index: e.trade.index,
      });
    if (key && !open && e.positionSizeUsdc >= e.trade.initialPosToken) await deps.intents.deleteMirror(key);
    const lev = formatChainLeverage(e.trade.leverage);
    const side = `${e.trade.buy ? 'LONG' : 'SHORT'} ${pairName(e.trade.pairIndex)}`;
    const text = open
      ? `✅ Copy filled: opened <b>${side}</b> ${lev} with ${formatUsd(e.positionSizeUsdc)} at ${formatPrice(e.price)}.`
      : `✅ Copy filled: closed ${formatUsd(e.positionSizeUsdc)} of <b>${side}</b> at ${formatPrice(e.price)}; ${formatUsd(e.usdcSentToTrader)} back to your wallet.`;
    if (intent.chatId)
      notices.push({ notice: text, noticeId: intentId, userId: intent.userId, chatId: intent.chatId });
  }
  await deps.notices.publish(notices);
  return notices.length;
}
