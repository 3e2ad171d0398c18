// CDK app entry: `cdk synth -c stage=prod` (default stage from cdk.json context). Every synth runs
// the Control Tower policy rules (lib/policy.ts); a violation fails it.
import { App, Tags } from 'aws-cdk-lib';
import { AlfaStack } from '../lib/alfa-stack.js';
import {
  ALARM_EMAIL_CONTEXT_KEY,
  OPERATOR_CONFIG_CONTEXT_KEY,
  resolveAlarmEmail,
  resolveOperatorConfig,
  resolveStage,
  stackName,
} from '../lib/app-config.js';
import { addPolicyChecks } from '../lib/policy.js';

const app = new App();
const stage = resolveStage(app.node.tryGetContext('stage'));
addPolicyChecks(app);

new AlfaStack(app, stackName(stage), {
  stage,
  operatorEnv: resolveOperatorConfig(app.node.tryGetContext(OPERATOR_CONFIG_CONTEXT_KEY)),
  alarmEmail: resolveAlarmEmail(app.node.tryGetContext(ALARM_EMAIL_CONTEXT_KEY)),
  description: `Alfa copy-trading bot (${stage})`,
});
Tags.of(app).add('project', 'alfa');
Tags.of(app).add('stage', stage);

app.synth();
