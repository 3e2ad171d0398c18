// Avantis contract addresses on Base mainnet (docs/avantis.md v1 §1), and which of them the indexer fetches every log of.
// All are upgradeable proxies: v2 (2026-08-12) swapped implementations, the addresses stayed.
import { CONTRACTS_EMITTING, type AvantisContract } from './abi.js';

export interface AvantisDeployment {
  readonly chainId: number;
  readonly tradingCallbacks: string;
  /** Current first; older Trading proxies still hold history and may still emit. Index all of them. */
  readonly trading: readonly string[];
  readonly tradingStorage: string;
  readonly pairInfos: string;
  /** Current PairStorage (reads: getPairData, pairsCount). */
  readonly pairStorage: string;
  /** The USDC token; TradingStorage is its spender for trades. */
  readonly usdc: string;
  /** Earlier PairStorage proxies, for history only. */
  readonly pairStorageOlder?: readonly string[];
  /** Emits USDCSentToTrader; not watched today. */
  readonly vaultManager?: string;
  /**
   * The v2 TradingRouter proxy (EIP-712 verifying contract). docs/avantis.md v2 §1 [I]: not in the
   * unchanged list and only given by `/v2/meta`, so unknown for Base here; watched when set.
   */
  readonly tradingRouter?: string;
}

/** Base mainnet, chain 8453. Addresses lower case; sources and tags as in docs/avantis.md v1 §1. */
export const BASE_MAINNET: AvantisDeployment = {
  chainId: 8453,
  // [V3] contracts README + 4 community indexers; no Avantis-official repo lists it.
  tradingCallbacks: '0x0c16ff40065cc3ab4bc55b60e447504afb9c7970',
  // [V] SDK config.py: 0x4491… from 2025-02-20, 0x5ff2… 2024-08-30 to 2025-02-09.
  trading: ['0x44914408af82bc9983bbb330e3578e1105e11d4e', '0x5ff292d70ba9cd9e7ccb313782811b3d7120535f'],
  tradingStorage: '0x8a311d7048c35985aa31c131b9a13e03a5f7422d',
  pairInfos: '0x81f22d0cc22977c91befe648c9fddf1f2bd977e5',
  pairStorage: '0x5db3772136e5557efe028db05ee95c84d76faec4',
  usdc: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
  pairStorageOlder: ['0x92ed158d5e423cfdc9eed5bd7328fff7ced6ff94'],
  // [V3] contracts README.
  vaultManager: '0xe9fb8c70af1b99f2baaa07aa926fcf3d237348dd',
};

function addressesOf(d: AvantisDeployment, c: AvantisContract): readonly string[] {
  switch (c) {
    case 'TradingCallbacks':
      return [d.tradingCallbacks];
    case 'Trading':
      return d.trading;
    case 'TradingStorage':
      return [d.tradingStorage];
    case 'PairInfos':
      return [d.pairInfos];
    case 'TradingRouter':
      return d.tradingRouter ? [d.tradingRouter] : [];
  }
}

/** The proxies whose EIP-1967 Upgraded logs date the v2 upgrade: Trading (every proxy) and TradingCallbacks. */
export function upgradeWitnesses(d: AvantisDeployment): { trading: readonly string[]; callbacks: string } {
  return { trading: d.trading.map((a) => a.toLowerCase()), callbacks: d.tradingCallbacks.toLowerCase() };
}

/** The eth_getLogs address filter: every address of every contract a watched variant is emitted by, lower case. */
export function watchedAddresses(d: AvantisDeployment): string[] {
  const all = CONTRACTS_EMITTING.flatMap((c) => addressesOf(d, c)).map((a) => a.toLowerCase());
  return [...new Set(all)];
}

/** EIP-1967 `Upgraded(address indexed implementation)`: every proxy emits it on deployment and on each upgrade. */
export const UPGRADED_TOPIC0 = '0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b';

/**
 * The v2 upgrade block from the proxies' Upgraded logs (docs/avantis.md v2 §1 [I]: no public source states
 * Base's block): the latest block in which both Trading and TradingCallbacks emitted Upgraded after
 * their first one (the first is the deployment). An in-place upgrade swaps every implementation in
 * one transaction, so both show in one block. `undefined`: no upgrade seen (all v1).
 */
export function upgradeBlockFromLogs(
  logs: readonly {
    readonly address: string;
    readonly blockNumber: number;
    readonly topics: readonly string[];
  }[],
  w: { readonly trading: readonly string[]; readonly callbacks: string },
): number | undefined {
  const blocksOf = new Map<string, number[]>();
  for (const l of logs) {
    if (l.topics[0]?.toLowerCase() !== UPGRADED_TOPIC0) continue;
    const a = l.address.toLowerCase();
    const list = blocksOf.get(a) ?? [];
    list.push(l.blockNumber);
    blocksOf.set(a, list);
  }
  const later = (addresses: readonly string[]): Set<number> => {
    const out = new Set<number>();
    for (const a of addresses) {
      const blocks = [...(blocksOf.get(a.toLowerCase()) ?? [])].sort((x, y) => x - y);
      for (const b of blocks.slice(1)) out.add(b);
    }
    return out;
  };
  const callbacks = later([w.callbacks]);
  let best: number | undefined;
  for (const b of later(w.trading)) if (callbacks.has(b) && (best === undefined || b > best)) best = b;
  return best;
}
