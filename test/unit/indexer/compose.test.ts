import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../layers/core/config.js';
import { BASE_MAINNET } from '../../../layers/core/domain/avantis/addresses.js';
import { IndexerConfigError, resolveDeployment } from '../../../layers/core/adapters/chain/connect.js';
import { QUEUES, TABLES } from '../../../layers/core/resources.js';

const local = {
  chainId: 31337,
  tradingCallbacks: `0x${'1'.repeat(40)}`,
  trading: [`0x${'2'.repeat(40)}`],
  tradingStorage: `0x${'3'.repeat(40)}`,
  pairInfos: `0x${'4'.repeat(40)}`,
  pairStorage: `0x${'5'.repeat(40)}`,
  usdc: `0x${'6'.repeat(40)}`,
};

describe('Function: resolveDeployment', () => {
  it('defaults to the Base mainnet contracts on chain 8453', () => {
    expect(resolveDeployment(undefined, 8453)).toBe(BASE_MAINNET);
    expect(BASE_MAINNET.trading).toHaveLength(2); // both Trading proxies are indexed
  });

  it('uses AVANTIS_CONTRACTS when given for the chain the RPC serves', () => {
    expect(resolveDeployment(local, 31337)).toBe(local);
  });

  it('refuses contracts meant for another chain, and an unknown chain without contracts', () => {
    expect(() => resolveDeployment(local, 8453)).toThrow(IndexerConfigError);
    expect(() => resolveDeployment(undefined, 84532)).toThrow(/set AVANTIS_CONTRACTS/);
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
