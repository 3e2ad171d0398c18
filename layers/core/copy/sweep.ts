// Copies sent but not mined: a stuck one (unmined for STUCK_AFTER_BLOCKS) is sent again with the
// same nonce and a higher fee, so it replaces itself rather than queueing a second trade; a
// reverted one is marked FAILED and its user told.
import type { CopyExecutor } from '../adapters/chain/executor.js';
import { stuckAction } from '../domain/decision.js';
import type { AppLog, FanoutQueue, IntentStore } from '../ports.js';

export interface SweepDeps {
  readonly intents: Pick<IntentStore, 'pendingOf' | 'markReplaced' | 'markFailed'>;
  readonly executor: Pick<CopyExecutor, 'address' | 'send' | 'blockNumber' | 'receiptStatus'>;
  readonly notices: FanoutQueue;
  readonly log: AppLog;
}

export async function sweepStuckCopies(deps: SweepDeps): Promise<{ replaced: number; failed: number }> {
  const pending = await deps.intents.pendingOf(deps.executor.address);
  if (pending.length === 0) return { replaced: 0, failed: 0 };
  const head = await deps.executor.blockNumber();
  let replaced = 0;
  let failed = 0;
  for (const copy of pending) {
    const action = stuckAction({
      sentBlock: copy.sentBlock,
      head,
      receipt: await deps.executor.receiptStatus(copy.txHash),
    });
    if (action === 'REPLACE') {
      const tx = await deps.executor.send(copy.calldata, {
        nonce: copy.nonce,
        bumpFrom: BigInt(copy.maxFeePerGas),
      });
      await deps.intents.markReplaced(copy.intentId, tx);
      deps.log.warn('stuck copy replaced', {
        reason: 'COPY_REPLACED',
        intentId: copy.intentId,
        nonce: copy.nonce,
        txHash: tx.txHash,
        maxFeePerGas: tx.maxFeePerGas,
      });
      replaced += 1;
    } else if (action === 'FAIL') {
      await deps.intents.markFailed(copy.intentId, 'reverted on chain');
      deps.log.warn('copy reverted', {
        reason: 'COPY_REVERTED',
        intentId: copy.intentId,
        txHash: copy.txHash,
      });
      if (copy.chatId) {
        await deps.notices.publish([
          {
            notice: 'Copy failed: the transaction reverted on chain. Nothing was traded.',
            noticeId: `${copy.intentId}:failed`,
            userId: copy.userId,
            chatId: copy.chatId,
          },
        ]);
      }
      failed += 1;
    }
  }
  return { replaced, failed };
}
