// Avantis addresses (domain/avantis/addresses.ts): the Base mainnet deployment, the watch list, and
// the v2 upgrade block read from the proxies' EIP-1967 Upgraded logs.
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BASE_MAINNET, watchedAddresses, upgradeBlockFromLogs } from '#core/domain/avantis/addresses.js';
import { TRADING, CALLBACKS, STORAGE, upgraded } from '../../indexer/chain-logs.js';

describe('addresses', () => {
  it('Base mainnet deployment is lower case and valid', () => {
    expect(BASE_MAINNET.chainId).toBe(8453);
    const all = [
      BASE_MAINNET.tradingCallbacks,
      ...BASE_MAINNET.trading,
      BASE_MAINNET.tradingStorage,
      BASE_MAINNET.pairInfos,
      BASE_MAINNET.pairStorage,
      BASE_MAINNET.usdc,
      ...(BASE_MAINNET.pairStorageOlder ?? []),
      BASE_MAINNET.vaultManager ?? '',
    ];
    for (const a of all) {
      expect(a).toMatch(/^0x[0-9a-f]{40}$/);
      expect(getAddress(a).toLowerCase()).toBe(a);
    }
  });
  it('watches the TradingRouter when the deployment names it', () => {
    const router = '0x00000000000000000000000000000000000000aa';
    expect(watchedAddresses({ ...BASE_MAINNET, tradingRouter: router })).toContain(router);
  });
  it('watches TradingCallbacks, both Trading proxies, TradingStorage and PairInfos', () => {
    expect(watchedAddresses(BASE_MAINNET).sort()).toEqual(
      [
        '0x0c16ff40065cc3ab4bc55b60e447504afb9c7970',
        '0x44914408af82bc9983bbb330e3578e1105e11d4e',
        '0x5ff292d70ba9cd9e7ccb313782811b3d7120535f',
        '0x8a311d7048c35985aa31c131b9a13e03a5f7422d',
        '0x81f22d0cc22977c91befe648c9fddf1f2bd977e5',
      ].sort(),
    );
  });
});

describe('the v2 upgrade block', () => {
  it('is the latest block where Trading and TradingCallbacks both upgraded after their deployment', () => {
    const logs = [
      upgraded(TRADING, 3),
      upgraded(CALLBACKS, 4),
      upgraded(STORAGE, 5),
      upgraded(TRADING, 60),
      upgraded(CALLBACKS, 60),
      upgraded(STORAGE, 60),
    ];
    expect(upgradeBlockFromLogs(logs, { trading: [TRADING], callbacks: CALLBACKS })).toBe(60);
  });

  it('is unknown while only deployments are seen, or only one of the two upgraded', () => {
    const w = { trading: [TRADING], callbacks: CALLBACKS };
    expect(upgradeBlockFromLogs([upgraded(TRADING, 3), upgraded(CALLBACKS, 3)], w)).toBeUndefined();
    expect(
      upgradeBlockFromLogs([upgraded(TRADING, 3), upgraded(CALLBACKS, 3), upgraded(TRADING, 9)], w),
    ).toBeUndefined();
  });
});
