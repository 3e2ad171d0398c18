// The dynamodb drill: DynamoDB Local killed (SIGKILL) for 20 s while the simulator trades, then
// started again on the same port with its data (the stack must run it on disk:
// ALFA_DYNAMODB_DATA_DIR=<dir> npm start). Every signal of the window must end with an alert or a
// terminal copy for each seeded follower, nothing twice, and the stack must catch up by itself.
import type { LocalStackInfo } from '../stack.js';
import { runRestartDrill, type RestartDrillOptions } from './harness.js';
import type { DrillResult } from './result.js';

export type DynamodbOptions = RestartDrillOptions & { readonly minutes?: number };

export async function runDynamodb(info: LocalStackInfo, opts: DynamodbOptions): Promise<DrillResult> {
  if (!info.control?.dynamodbOnDisk)
    throw new Error(
      'the dynamodb drill needs DynamoDB Local on disk: restart the stack with ALFA_DYNAMODB_DATA_DIR=.local/dynamodb npm start',
    );
  // --minutes stretches the traffic after the restart (the outage itself stays 20 s by default).
  const tailSeconds = opts.tailSeconds ?? (opts.minutes ? opts.minutes * 60 : undefined);
  return runRestartDrill('dynamodb', 'dynamodb', info, {
    ...opts,
    ...(tailSeconds !== undefined ? { tailSeconds } : {}),
  });
}
