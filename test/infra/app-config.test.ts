// Deploy-time settings from CDK context fail early and say what they expect.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAlarmEmail, resolveOperatorConfig, resolveStage, stackName } from '../../lib/app-config.js';
import { RESOURCE_ENV_VARS } from '#core/resources.js';

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

describe('operator settings are checked at synth with the schema the functions use', () => {
  const messageOf = (raw: unknown): string => {
    try {
      resolveOperatorConfig(raw);
    } catch (e) {
      return String(e);
    }
    throw new Error('expected synth to refuse the settings');
  };

  it.each([
    ['COPY_EXECUTION_MODE', 'live', /expected DRY or LIVE/],
    ['EMERGENCY_STOP', 'maybe', /expected true or false/],
    ['INDEXER_PAGE', '0', /expected at least 1/],
    ['INDEXER_BACKFILL_RANGE', 'lots', /expected a whole number/],
    ['ADMIN_USER_IDS', 'ada', /Telegram user ids/],
    ['RPC_URLS', 'ftp://rpc.example', /http\(s\) or ws\(s\)/],
    ['CANARY_MAX_LEVERAGE', '500', /at most 150/],
    ['CANARY_PAIRS', 'BTC', /ALL or pair indexes/],
    ['AVANTIS_UPGRADE_BLOCK', 'soon', /expected a whole number/],
    ['AVANTIS_CONTRACTS', '{', /expected JSON/],
    ['TELEGRAM_API_ROOT', 'not a url', /Bot API base URL/],
    ['COPY_EXECUTION_MOD', 'LIVE', /not a setting Alfa reads/],
  ])('refuses %s=%j and says what it expects', (name, value, expected) => {
    const message = messageOf({ [name]: value });
    expect(message).toContain(`${name}:`);
    expect(message).toMatch(expected);
  });

  it('lists every bad value in one error, and accepts good ones', () => {
    const message = messageOf({ COPY_EXECUTION_MODE: 'live', INDEXER_PAGE: '0', EMERGENCY_STOP: 'maybe' });
    expect(message).toMatch(/COPY_EXECUTION_MODE:.*\n.*EMERGENCY_STOP:.*\n.*INDEXER_PAGE:/s);
    expect(
      resolveOperatorConfig({
        COPY_EXECUTION_MODE: 'LIVE',
        ADMIN_USER_IDS: '42',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      }),
    ).toEqual({
      COPY_EXECUTION_MODE: 'LIVE',
      ADMIN_USER_IDS: '42',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('`cdk synth` itself (bin/app.ts) exits with that error before building anything', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ stage: 'dev', 'alfa:config': { COPY_EXECUTION_MODE: 'live' } }),
        CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), 'alfa-synth-')),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/COPY_EXECUTION_MODE: expected DRY or LIVE, got "live"/);
  });
});
