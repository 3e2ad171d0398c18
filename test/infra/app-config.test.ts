// Deploy-time settings from CDK context fail early and say what they expect.
import { describe, expect, it } from 'vitest';
import { resolveAlarmEmail, resolveOperatorConfig, resolveStage, stackName } from '../../lib/app-config.js';
import { RESOURCE_ENV_VARS } from '../../layers/core/resources.js';

describe('stage', () => {
  it.each(['dev', 'prod', 'test-1', 'ab'])('accepts %s', (stage) => {
    expect(resolveStage(stage)).toBe(stage);
    expect(stackName(stage)).toBe(`alfa-${stage}`);
  });

  it.each([['Prod'], ['1dev'], ['d'], ['dev_1'], ['a-very-long-stage-name'], [42], ['dev prod']])(
    'rejects %j with the expected shape',
    (stage) => {
      expect(() => resolveStage(stage)).toThrow(/Invalid stage .*lowercase letter first/);
    },
  );

  it('says how to set a missing stage', () => {
    expect(() => resolveStage(undefined)).toThrow(/-c stage=/);
  });
});

describe('operator config (context alfa:config)', () => {
  it('takes an object from cdk.json or a JSON string from the command line', () => {
    expect(resolveOperatorConfig({ ADMIN_USER_IDS: '1,2' })).toEqual({ ADMIN_USER_IDS: '1,2' });
    expect(resolveOperatorConfig('{"RPC_URLS":"https://a,https://b"}')).toEqual({
      RPC_URLS: 'https://a,https://b',
    });
    expect(resolveOperatorConfig(undefined)).toEqual({});
  });

  it('refuses to override what the stack sets, Lambda reserved names and non-strings, listing all', () => {
    const bad = {
      [RESOURCE_ENV_VARS[0]]: 'x',
      STAGE: 'prod',
      AWS_REGION: 'x',
      INDEXER_PAGE: 100,
      'bad-name': 'x',
    };
    let message = '';
    try {
      resolveOperatorConfig(bad);
    } catch (e) {
      message = String(e);
    }
    for (const name of [RESOURCE_ENV_VARS[0], 'STAGE', 'AWS_REGION', 'INDEXER_PAGE', 'bad-name']) {
      expect(message).toContain(`${name}:`);
    }
  });

  it('rejects what is not an object', () => {
    expect(() => resolveOperatorConfig('not json')).toThrow(/JSON object/);
    expect(() => resolveOperatorConfig(['A'])).toThrow(/object/);
  });
});

describe('alarm e-mail', () => {
  it('is optional and checked when given', () => {
    expect(resolveAlarmEmail(undefined)).toBeUndefined();
    expect(resolveAlarmEmail('ops@example.com')).toBe('ops@example.com');
    expect(() => resolveAlarmEmail('ops')).toThrow(/e-mail/);
  });
});
