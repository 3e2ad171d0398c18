// A stack of its own with a LIVE deploy ceiling on Avantis v2 with 1 s blocks, for the test files
// and the benchmark that copy for real (live-copy, drills-emergency, the copy bench): copies need
// the ceiling, and the shared stack's other files must never see a LIVE they did not ask for.
import { FUNCTIONS, type FunctionDef } from '#core/resources.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

export interface LiveStackOptions {
  /** Functions a copy plays no part in, left out to save start-up time (e.g. digest, leaderboard). */
  readonly without: readonly string[];
  /** Handler logs at INFO instead of SILENT. */
  readonly logs: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

export function startLiveStack(options: LiveStackOptions): Promise<LocalStack> {
  const functions: Record<string, FunctionDef> = Object.fromEntries(
    Object.entries(FUNCTIONS as Record<string, FunctionDef>).filter(
      ([name]) => !options.without.includes(name),
    ),
  );
  return startLocalStack({
    blockTimeSeconds: 1,
    upgrade: 'start',
    functions,
    env: {
      COPY_EXECUTION_MODE: 'LIVE',
      POWERTOOLS_LOG_LEVEL: options.logs ? 'INFO' : 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...options.env,
    },
    log: options.log,
  });
}
