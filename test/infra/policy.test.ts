// The policy checks fail synth on a violation, and acknowledging one rule on one construct does not
// let any other violation through.
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it, vi } from 'vitest';
import { ACKNOWLEDGED_RULES, acknowledgeRule, addPolicyChecks } from '../../lib/policy.js';

/**
 * Two unencrypted queues, the second using the first as its DLQ: three violations
 * (sqs_queue_encrypted_check twice, sqs_dlq_check on the first), one of them optionally acknowledged.
 */
function bareQueues(opts: { acknowledge: boolean; strict: boolean }): () => void {
  const app = new App();
  if (opts.strict) addPolicyChecks(app);
  else Validations.of(app).addPlugins(new CfnGuardValidator());
  const stack = new Stack(app, 'policy');
  const first = new Queue(stack, 'First');
  new Queue(stack, 'Second', { deadLetterQueue: { queue: first, maxReceiveCount: 3 } });
  if (opts.acknowledge) acknowledgeRule(first, 'sqs_dlq_check');
  return () => app.synth();
}

function synthError(synth: () => void): string | undefined {
  try {
    synth();
    return undefined;
  } catch (e) {
    return String(e);
  }
}

describe('policy checks', () => {
  it('fail synth on a violation, naming the rule', () => {
    const message = synthError(bareQueues({ acknowledge: false, strict: true }));
    expect(message).toMatch(/sqs_dlq_check/);
    expect(message).toMatch(/sqs_queue_encrypted_check/);
  });

  it('an acknowledgement removes its rule on its construct; the other violations still fail synth', () => {
    const message = synthError(bareQueues({ acknowledge: true, strict: true }));
    expect(message).toMatch(/sqs_queue_encrypted_check/);
    expect(message).not.toMatch(/sqs_dlq_check/);
  });

  it('why StrictPolicyPlugin exists: with the plain plugin, one acknowledgement lets every violation pass', () => {
    // aws-cdk-lib 2.276 re-derives pass/fail from severities after suppressing, and cfn-guard reports
    // none. If this starts failing, aws-cdk-lib fixed it and the wrapper in lib/policy.ts can go.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(synthError(bareQueues({ acknowledge: true, strict: false }))).toBeUndefined();
      expect(printed.mock.calls.join('\n')).toMatch(/sqs_queue_encrypted_check/); // reported, yet passed
    } finally {
      printed.mockRestore();
    }
  });

  it('every acknowledged rule carries a reason', () => {
    for (const [rule, reason] of Object.entries(ACKNOWLEDGED_RULES)) {
      expect(reason.length, rule).toBeGreaterThan(60);
    }
  });
});
