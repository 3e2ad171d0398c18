// loadConfig (layers/core/config.ts): safe defaults, every table and queue, lists, flags and numbers,
// blank as unset, every bad variable at once, AVANTIS_CONTRACTS; and the README's configuration
// table against it: every variable the config reads (its zod schema's keys, plus any
// `process.env.X` read directly) has a row, and no row names a variable the config no longer reads.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTING_NAMES } from '#core/config.js';
import { QUEUES, TABLES } from '#core/resources.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

/** Backticked upper-case names in the first cell of each row of the README's Configuration table. */
function tableVariables(readme: string): Set<string> {
  const start = readme.indexOf('\n## Configuration\n');
  if (start < 0) throw new Error('README has no "## Configuration" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1] as string);
  }
  return names;
}

/** Names read straight from the environment in config.ts, outside the schema. */
function directReads(source: string): string[] {
  return [...source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

/** A local deployment as AVANTIS_CONTRACTS gives it: contract n at 0xnnnn…n. */
const at = (digit: string) => `0x${digit.repeat(40)}`;
const local = {
  chainId: 31337,
  tradingCallbacks: at('1'),
  trading: [at('2')],
  tradingStorage: at('3'),
  pairInfos: at('4'),
  pairStorage: at('5'),
  usdc: at('6'),
};

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

describe('README configuration table', () => {
  it('lists every variable config.ts reads, and nothing it does not', () => {
    // Prepare: what the code reads, and what the table says.
    const read = new Set([
      ...SETTING_NAMES,
      ...directReads(readFileSync(root('layers/core/config.ts'), 'utf8')),
    ]);
    const table = tableVariables(readFileSync(root('README.md'), 'utf8'));

    // Act: the differences both ways.
    const missing = [...read].filter((n) => !table.has(n)).sort();
    const stale = [...table].filter((n) => !read.has(n)).sort();

    // Assess: none either way, and the schema really was read (a parse that found nothing passes nothing).
    expect(read.size).toBeGreaterThan(20);
    expect(read).toContain('CANARY_PAIRS');
    expect(missing).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('reads the table cells as the test expects', () => {
    // Prepare: a tiny README with a multi-name row, prose and a following section.
    const readme = [
      '# X',
      '## Configuration',
      'Text with `NOT_A_ROW`.',
      '| variable | default | meaning |',
      '| `A_ONE`, `B_TWO` | `DRY` | says `C_THREE` in the meaning |',
      '## Deploy',
      '| `D_FOUR` | x | y |',
    ].join('\n');

    // Act
    const names = tableVariables(readme);

    // Assess: only first-cell names of rows in the section; defaults and meanings do not count.
    expect([...names].sort()).toEqual(['A_ONE', 'B_TWO']);
  });
});

describe('Setting: AVANTIS_CONTRACTS', () => {
  const base = {
    PARAM_EXECUTION_MODE: '/p',
    SECRET_ID: 's',
    ...Object.fromEntries(Object.values(TABLES).map((d) => [d.envVar, 't'])),
    ...Object.fromEntries(Object.values(QUEUES).map((d) => [d.envVar, 'https://sqs.example/q.fifo'])),
  };

  it('parses the JSON into lower-case addresses', () => {
    const upper = { ...local, usdc: `0x${'A'.repeat(40)}` };
    expect(loadConfig({ ...base, AVANTIS_CONTRACTS: JSON.stringify(upper) }).indexer.contracts?.usdc).toBe(
      `0x${'a'.repeat(40)}`,
    );
  });

  it.each([
    ['not JSON', '{oops', /AVANTIS_CONTRACTS: expected JSON/],
    [
      'a bad address',
      JSON.stringify({ ...local, usdc: '0x12' }),
      /AVANTIS_CONTRACTS: expected 0x-prefixed 20-byte addresses/,
    ],
  ])('explains %s', (_what, value, message) => {
    expect(() => loadConfig({ ...base, AVANTIS_CONTRACTS: value })).toThrow(message);
  });
});
