// The sqs drill: the SQS stand-in (fauxqs, in the `npm start` process) closed for 20 s while the
// simulator trades, then served again on the same port with the same queues and every message it
// held, visible, delayed or in flight, as real SQS keeps them through anything (the control
// endpoint hands the closed server's store to the new one and reports how many it carried).
// Producers see the endpoint refuse for the whole outage and consumers cannot receive or delete,
// which is what the drill is about: nothing may be lost or done twice there.
import type { LocalStackInfo } from '../stack.js';
import { runRestartDrill, type RestartDrillOptions } from './harness.js';
import type { DrillResult } from './result.js';

export type SqsOptions = RestartDrillOptions & { readonly minutes?: number };

export async function runSqs(info: LocalStackInfo, opts: SqsOptions): Promise<DrillResult> {
  const tailSeconds = opts.tailSeconds ?? (opts.minutes ? opts.minutes * 60 : undefined);
  return runRestartDrill('sqs', 'sqs', info, {
    whileQueued: true,
    ...opts,
    ...(tailSeconds !== undefined ? { tailSeconds } : {}),
  });
}
