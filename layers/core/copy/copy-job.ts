// Running one copies.fifo message, its job parsed already (the copier's batch parser): the
// follower's copy of one signal (copy.ts's copySignal decides, signs and follows it; the handler
// passes it in). A close waiting for its open goes back to the queue for as long as copy.ts says; a
// failure before anything was signed (or behind a claim that makes a retry safe) comes back in
// 1, 2, 4 … 60 s, while the trader's price is still near, rather than in the queue's 9 minutes.
import type { CopyJob } from '../ports/copy.js';
import type { AppLog } from '../ports/runtime.js';
import type { CopyOutcome } from './copy.js';
import { retrySeconds } from './jobs.js';
import type { QueuedMessage } from './queued-message.js';

/** Thrown to keep a waiting close (and its user's later copies) on the queue; not a failure. */
export class WaitError extends Error {
  override readonly name = 'WaitError';
}

export async function runCopyJob(
  message: QueuedMessage<CopyJob>,
  copy: (job: CopyJob) => Promise<CopyOutcome>,
): Promise<void> {
  let outcome: CopyOutcome;
  try {
    outcome = await copy(message.job);
  } catch (err) {
    // If even the put-back fails, the visibility timeout brings it back.
    await message.putBack(retrySeconds(message.receiveCount)).catch(() => undefined);
    throw err;
  }
  if (outcome.status === 'WAIT') {
    await message.putBack(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)));
    throw new WaitError('waiting for the copy’s open to fill');
  }
}

/** What a failed copy leaves in the log: nothing for a wait, the record and its cause otherwise. */
export function logCopyFailure(log: AppLog) {
  return (message: Pick<QueuedMessage<unknown>, 'messageId' | 'groupId'>, err: unknown): void => {
    if (err instanceof WaitError) return;
    log.error('copy failed; its group is retried', {
      reason: 'COPY_JOB_FAILED',
      messageId: message.messageId,
      groupId: message.groupId,
      error: err as Error,
    });
  };
}
