// Policy checks at every synth: the AWS Control Tower rules shipped with cdk-validator-cfnguard.
//
// No rule is disabled globally. Where a rule does not fit Alfa, it is acknowledged on the one
// construct it does not fit, with the reason below, so the same rule still fails synth for any
// other resource (e.g. a new queue without a DLQ, or a second public URL nobody meant to add).
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  Validations,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Rule name (as cfn-guard reports it) -> why Alfa acknowledges it where it is acknowledged. */
export const ACKNOWLEDGED_RULES = {
  dynamodb_table_pitr_enabled_check:
    'Only on tables whose definition in layers/core/resources.ts says pointInTimeRecovery: false ' +
    '(stats: rebuilt from fills; dedupe: records that expire within a day). Backups of either ' +
    'would restore nothing worth having.',
  sqs_dlq_check:
    'Only on the dead-letter queues themselves: a DLQ is the end of the line, and a DLQ of a DLQ ' +
    'would only move the problem. Every DLQ has an alarm on its depth instead.',
  lambda_inside_vpc_check:
    'Alfa keeps no private network resources: it calls DynamoDB, SQS, SSM and Secrets Manager ' +
    'through their public IAM-authenticated endpoints and must reach Telegram and public Base RPC ' +
    'endpoints on the internet. A VPC would add a NAT gateway (cost, another failure point) and ' +
    'protect nothing.',
  lambda_function_url_auth_check:
    'Only on Function URLs that the Telegram Bot API calls as a webhook: Telegram cannot sign ' +
    'requests with SigV4. The handler rejects every request without the secret token header ' +
    '(X-Telegram-Bot-Api-Secret-Token, compared in constant time) before reading the body.',
  lambda_function_public_access_prohibited_check:
    'Only on the permission that lets anyone invoke a webhook Function URL (lambda:FunctionUrlAuthType ' +
    'NONE), required for the same reason as lambda_function_url_auth_check; it does not allow ' +
    'lambda:InvokeFunction by other means.',
} as const satisfies Record<string, string>;

export type AcknowledgedRule = keyof typeof ACKNOWLEDGED_RULES;

export const CFN_GUARD_PLUGIN_NAME = 'cdk-validator-cfnguard';

/** Acknowledges `rule` for `scope` and everything under it, with the reason from ACKNOWLEDGED_RULES. */
export function acknowledgeRule(scope: IConstruct, rule: AcknowledgedRule): void {
  Validations.of(scope).acknowledge({
    id: `${CFN_GUARD_PLUGIN_NAME}::${rule}`,
    reason: ACKNOWLEDGED_RULES[rule],
  });
}

/**
 * cfn-guard reports violations without a severity. aws-cdk-lib then marks a whole report as passed as
 * soon as one violation in it is acknowledged, because it re-derives pass/fail from severities only
 * (error|fatal). Marking every violation as an error keeps the unacknowledged ones failing synth.
 */
export class StrictPolicyPlugin implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor(private readonly inner: IPolicyValidationPluginBeta1) {
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.inner.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}

/** Runs the Control Tower rules on every synth of `app` (CLI or in-memory); violations fail synth. */
export function addPolicyChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(
    new StrictPolicyPlugin(new CfnGuardValidator({ controlTowerRulesEnabled: true })),
  );
}
