// Keyed work run once (Powertools Idempotency through ./idempotency.ts) that also says whether this
// call did the work or answered from an earlier run's stored result. The alerter counts AlertsSent
// and ChainToAlertMs only for real sends; telling the two apart by comparing a stored timestamp
// with the clock was wrong whenever clocks or stored results disagreed.
import type { Context } from 'aws-lambda';
import { once, type OnceOptions } from './idempotency.js';

export interface Ran<R> {
  readonly value: R;
  /** True when an earlier run's stored result answered and the work did not run in this call. */
  readonly replayed: boolean;
}

export interface OnceOrReplay<P, R> {
  run(payload: P): Promise<Ran<R>>;
  registerContext(context: Context): void;
}

/**
 * The work's result is stored as `{ value, replayed: false }`; Powertools' responseHook runs only
 * when a repeated key is answered from a COMPLETED record, and turns that into `replayed: true`.
 */
export function onceOrReplay<P extends object, R>(
  work: (payload: P) => Promise<R>,
  options: Omit<OnceOptions, 'responseHook'>,
): OnceOrReplay<P, R> {
  const inner = once(
    async (payload: P): Promise<Ran<R>> => ({ value: await work(payload), replayed: false }),
    {
      ...options,
      // A record stored before results carried the flag is the bare value.
      responseHook: (stored) =>
        (typeof stored === 'object' && stored !== null && 'replayed' in stored
          ? { ...stored, replayed: true }
          : { value: stored, replayed: true }) as typeof stored,
    },
  );
  return {
    run: async (payload) => {
      const ran = await inner.run(payload);
      if (typeof ran !== 'object' || ran === null || typeof ran.replayed !== 'boolean')
        throw new Error(`idempotency record of ${options.keyPrefix} is not a { value, replayed } result`);
      return ran;
    },
    registerContext: (context) => inner.registerContext(context),
  };
}
