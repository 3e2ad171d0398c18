import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../layers/core/config.js';
import { QUEUES, TABLES } from '../../layers/core/resources.js';

const resources = {
  PARAM_EXECUTION_MODE: '/alfa/dev/execution-mode',
  SECRET_ID: 'alfa/dev/bot',
  ...Object.fromEntries(Object.entries(TABLES).map(([k, d]) => [d.envVar, `alfa-dev-${k}`])),
  ...Object.fromEntries(
    Object.entries(QUEUES).map(([k, d]) => [
      d.envVar,
      `https://sqs.us-east-1.amazonaws.com/1/alfa-dev-${k}.fifo`,
    ]),
  ),
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: loadConfig', () => {
  it('applies safe defaults: DRY, no emergency stop, no admins', () => {
    const cfg = loadConfig(resources);

    expect(cfg).toMatchObject({
      stage: 'dev',
      copyExecutionModeCeiling: 'DRY',
      emergencyStop: false,
      indexer: { backfillRange: 43_200, page: 2_000, rpcUrls: [] },
      leader: { minTrades30d: 10, minVolume30dUsd: 10_000, activeHours: 72 },
      telegramApiRoot: 'https://api.telegram.org',
    });
    expect(cfg.adminUserIds.size).toBe(0);
  });

  it('maps every table and queue from resources.ts', () => {
    const cfg = loadConfig(resources);

    expect(Object.keys(cfg.tables).sort()).toEqual(Object.keys(TABLES).sort());
    expect(cfg.tables.follows).toBe('alfa-dev-follows');
    expect(cfg.queues.signals).toMatch(/alfa-dev-signals\.fifo$/);
  });

  it('parses lists, flags and numbers', () => {
    const cfg = loadConfig({
      ...resources,
      ADMIN_USER_IDS: ' 123, 456 ,',
      EMERGENCY_STOP: 'TRUE',
      COPY_EXECUTION_MODE: 'LIVE',
      INDEXER_PAGE: '500',
      RPC_URLS: 'https://a.example, wss://b.example',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9/',
    });

    expect([...cfg.adminUserIds]).toEqual(['123', '456']);
    expect(cfg.emergencyStop).toBe(true);
    expect(cfg.copyExecutionModeCeiling).toBe('LIVE');
    expect(cfg.indexer.page).toBe(500);
    expect(cfg.indexer.rpcUrls).toEqual(['https://a.example', 'wss://b.example']);
    expect(cfg.telegramApiRoot).toBe('http://127.0.0.1:9');
  });

  it('treats a blank variable as unset', () => {
    expect(loadConfig({ ...resources, INDEXER_PAGE: '  ', COPY_EXECUTION_MODE: '' }).indexer.page).toBe(
      2_000,
    );
  });

  it('lists every bad variable at once, each with what it expects and what it got', () => {
    const problems = problemsOf({
      ...resources,
      INDEXER_PAGE: '0',
      INDEXER_BACKFILL_RANGE: '12.5',
      EMERGENCY_STOP: 'maybe',
      COPY_EXECUTION_MODE: 'live-ish',
      ADMIN_USER_IDS: '12,abc',
      RPC_URLS: 'ftp://node.example',
      STAGE: 'Prod!',
    });

    expect(problems).toEqual([
      'ADMIN_USER_IDS: expected Telegram user ids (digits), got "12,abc"',
      'COPY_EXECUTION_MODE: expected DRY or LIVE, got "live-ish"',
      'EMERGENCY_STOP: expected true or false, got "maybe"',
      'INDEXER_BACKFILL_RANGE: expected a whole number from 0 to 50000000, got "12.5"',
      'INDEXER_PAGE: expected at least 1, got "0"',
      'RPC_URLS: expected http(s) or ws(s) URLs, got "ftp://node.example"',
      'STAGE: expected a lowercase stage name such as dev or prod, got "Prod!"',
    ]);
  });

  it('names every missing resource variable', () => {
    const problems = problemsOf({});

    expect(problems).toContain('TABLE_USERS: required: a DynamoDB table name, got unset');
    expect(problems).toContain('QUEUE_COPIES_URL: expected an SQS queue URL, got unset');
    expect(problems).toContain(
      'SECRET_ID: required: the Secrets Manager secret id of the bot secret, got unset',
    );
    expect(problems).toHaveLength(Object.keys(TABLES).length + Object.keys(QUEUES).length + 2);
  });

  it('does not echo long values into the error', () => {
    const [problem] = problemsOf({ ...resources, INDEXER_PAGE: 'x'.repeat(500) });

    expect(problem?.length).toBeLessThan(120);
  });
});
