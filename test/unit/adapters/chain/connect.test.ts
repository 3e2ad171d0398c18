// resolveDeployment (adapters/chain/connect.ts): Base mainnet by default, AVANTIS_CONTRACTS for the
// chain the RPC serves, and refusals for another chain or an unknown one without contracts.
import { describe, expect, it } from 'vitest';
import { BASE_MAINNET } from '#core/domain/avantis/addresses.js';
import { IndexerConfigError, resolveDeployment } from '#core/adapters/chain/connect.js';

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
