// The sqs drill: the SQS stand-in (fauxqs, in the `npm start` process) closed for 20 s while the
// simulator trades, then served again on the same port with the same queues. Real SQS keeps its
// messages through anything; fauxqs keeps them only in its own memory, so the restart re-creates
// the queues empty and whatever was queued or in flight at that moment is gone with it (the
// stand-in's limit: the control endpoint reports messagesKept false). Producers see the endpoint
// refuse for the whole outage, which is what the drill is about: nothing may be lost there.
import type { LocalStackInfo } from '../stack.js';
import { runRestartDrill, type RestartDrillOptions } from './harness.js';
import type { DrillResult } from './result.js';

export type SqsOptions = RestartDrillOptions & { readonly minutes?: number };

export async function runSqs(info: LocalStackInfo, opts: SqsOptions): Promise<DrillResult> {
  const tailSeconds = opts.tailSeconds ?? (opts.minutes ? opts.minutes * 60 : undefined);
  return runRestartDrill('sqs', 'sqs', info, {
    ...opts,
    ...(tailSeconds !== undefined ? { tailSeconds } : {}),
  });
}
