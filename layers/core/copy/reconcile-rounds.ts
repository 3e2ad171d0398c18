// The reconciler's invocation: a reconcile round every couple of seconds for most of the minute
// (one round when the admin asks for one), ending before the next minute's run starts so runs
// never overlap and never leave a gap, and early when the Lambda's time runs short.
import { reconcile, type CopyDeps } from './copy.js';

const EVERY_MS = 2_000;
/** Time kept back from the Lambda timeout. */
const MARGIN_MS = 10_000;
/** Ends before the next minute's run starts. */
const RUN_FOR_MS = 55_000;

export interface ReconcileRun {
  /** One round only (the admin's reconcile). */
  readonly once: boolean;
  /** Milliseconds left before the Lambda timeout. */
  remainingMs(): number;
  /** Epoch ms. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface ReconcileSummary {
  readonly rounds: number;
  readonly settled: number;
  /** Intents still not terminal after the last round. */
  readonly open: number;
  readonly stuck: number;
}

export async function reconcileRounds(deps: CopyDeps, run: ReconcileRun): Promise<ReconcileSummary> {
  let rounds = 0;
  let settled = 0;
  let last = { seen: 0, settled: 0, stuck: 0 };
  const started = run.now();
  do {
    last = await reconcile(deps);
    settled += last.settled;
    rounds += 1;
    if (run.once) break;
    await run.sleep(EVERY_MS);
  } while (run.remainingMs() > MARGIN_MS && run.now() - started < RUN_FOR_MS);
  return { rounds, settled, open: last.seen - last.settled, stuck: last.stuck };
}
