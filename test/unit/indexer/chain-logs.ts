// Chain logs for the indexer tests: the Avantis deployment they index (made-up addresses), the
// EIP-1967 Upgraded log a proxy emits when it is deployed or upgraded (what the v2 upgrade block is
// read from), and one page with schema drift in it.
import { UPGRADED_TOPIC0, type AvantisDeployment } from '#core/domain/avantis/addresses.js';
import type { RawLog } from '#core/domain/trade-events.js';
import { marketOpen } from '../../fixtures/avantis-logs.js';

export const TRADING = '0x00000000000000000000000000000000000000a1';
export const CALLBACKS = '0x00000000000000000000000000000000000000c1';
export const STORAGE = '0x00000000000000000000000000000000000000d1';
export const DEPLOYMENT: AvantisDeployment = {
  chainId: 8453,
  tradingCallbacks: CALLBACKS,
  trading: [TRADING],
  tradingStorage: STORAGE,
  pairInfos: '0x00000000000000000000000000000000000000e1',
  pairStorage: '0x00000000000000000000000000000000000000f1',
  usdc: '0x00000000000000000000000000000000000000b1',
};

/** `address`'s Upgraded log at `blockNumber`, one per block. */
export const upgraded = (address: string, blockNumber: number): RawLog => ({
  address,
  topics: [UPGRADED_TOPIC0, `0x${'0'.repeat(63)}1`],
  data: '0x',
  blockNumber,
  blockHash: `0x${blockNumber.toString(16).padStart(64, '0')}`,
  transactionHash: `0x${blockNumber.toString(16).padStart(64, 'e')}`,
  logIndex: 0,
});

const open = marketOpen(
  { trader: '0x00000000000000000000000000000000000a11ce', collateral: 100_000_000n },
  { blockNumber: 10, logIndex: 0 },
);
/** Block 10: an open, a log of an unknown topic0, a malformed open, and a known log that is skipped. */
export const driftPage = {
  fromBlock: 10,
  toBlock: 10,
  logs: [
    open,
    { ...open, topics: [`0x${'77'.repeat(32)}`], logIndex: 1 },
    { ...open, data: open.data.slice(0, -64), logIndex: 2 },
    { ...upgraded(TRADING, 10), logIndex: 3 },
  ] satisfies RawLog[],
};
/** Block n's timestamp. */
export const timestamps = async (b: readonly number[]) => new Map(b.map((n) => [n, 1_700_000_000 + n]));
