// Deploy-time settings read from CDK context: the stage and the operator's optional env vars.
// Every check fails synth with a message that says what was given and what is expected; operator
// settings are checked with the very zod schema the functions parse at cold start.
import { checkOperatorSettings, ConfigError } from '#core/config.js';
import { DELEGATE_KEY, RESOURCE_ENV_VARS } from '#core/resources.js';

export const STAGE_PATTERN = /^[a-z][a-z0-9-]{1,15}$/;

/** The context key of the operator's env vars, e.g. `{ "ADMIN_USER_IDS": "123,456" }`. */
export const OPERATOR_CONFIG_CONTEXT_KEY = 'alfa:config';

/** The context key of an optional e-mail address subscribed to the alarm topic. */
export const ALARM_EMAIL_CONTEXT_KEY = 'alfa:alarmEmail';

/** Env vars the stack sets itself; operator settings may not override them. */
export const STACK_ENV_VARS: readonly string[] = [
  ...RESOURCE_ENV_VARS,
  'STAGE',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_OPTIONS',
  'WEBHOOK_URL',
  'ADMIN_FUNCTION_NAME',
  'RECONCILER_FUNCTION_NAME',
  // Set on the functions granted the delegate key only; an operator value would reach every function.
  DELEGATE_KEY.envVar,
];

export function resolveStage(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') {
    throw new Error('Missing stage: pass -c stage=<name> or set "stage" in cdk.json context (e.g. "dev").');
  }
  if (typeof raw !== 'string' || !STAGE_PATTERN.test(raw)) {
    throw new Error(
      `Invalid stage ${JSON.stringify(raw)}: expected 2-16 characters, a lowercase letter first, then ` +
        `lowercase letters, digits or '-' (${String(STAGE_PATTERN)}), e.g. dev, prod, test-1.`,
    );
  }
  return raw;
}

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The operator's env vars from context. From cdk.json the value is an object; from the command line
 * (`-c 'alfa:config={"RPC_URLS":"https://..."}'`) it is a JSON string.
 */
export function resolveOperatorConfig(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`Context ${OPERATOR_CONFIG_CONTEXT_KEY} must be a JSON object of env var -> string.`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Context ${OPERATOR_CONFIG_CONTEXT_KEY} must be an object of env var -> string.`);
  }
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) problems.push(`${name}: expected an env var name like ADMIN_USER_IDS`);
    else if (name.startsWith('AWS_') || name.startsWith('LAMBDA_'))
      problems.push(`${name}: reserved by Lambda`);
    else if (STACK_ENV_VARS.includes(name) || name.endsWith('_FUNCTION_NAME'))
      problems.push(`${name}: set by the stack, cannot be overridden`);
    else if (typeof v !== 'string') problems.push(`${name}: expected a string, got ${typeof v}`);
    else out[name] = v;
  }
  // The values themselves, as every function would parse them: `"COPY_EXECUTION_MODE":"live"` must
  // fail here, not at the first cold start of every function.
  try {
    checkOperatorSettings(out);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) {
    throw new Error(
      `Invalid context ${OPERATOR_CONFIG_CONTEXT_KEY}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return out;
}

export function resolveAlarmEmail(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw)) {
    throw new Error(
      `Context ${ALARM_EMAIL_CONTEXT_KEY} must be an e-mail address, got ${JSON.stringify(raw)}.`,
    );
  }
  return raw;
}

/** CloudFormation stack name for a stage, e.g. `alfa-dev`. */
export const stackName = (stage: string): string => `alfa-${stage}`;
