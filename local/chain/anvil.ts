// anvil, the local EVM node: where its binary is, and starting one on a loopback port.
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort, startChild, type ManagedChild } from '../processes.js';

const require = createRequire(import.meta.url);

/**
 * anvil ships as a per-platform npm package. Only linux-x64's is on the registry these machines
 * reach, so it is an optional dependency; elsewhere, an `anvil` on PATH (Foundry) is used.
 */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
    return path.join(path.dirname(pkg), 'bin', 'anvil');
  } catch {
    return 'anvil';
  }
}

async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  });
  return res.ok;
}

export interface Anvil {
  readonly url: string;
  readonly child: ManagedChild;
  stop(): Promise<void>;
}

/** Gas per block on Base mainnet. */
export const BASE_BLOCK_GAS_LIMIT = 140_000_000;

/**
 * States kept in memory when automining (tests): a full node's recent window (geth keeps 128), so
 * `anvil_rollback` (the indexer's reorg test) has the states it rolls back to.
 *
 * With interval mining (`npm start`, drills, soaks: --block-time 1) no history is kept at all: a
 * bare `--prune-history`. anvil 1.7.1 clones the whole state (every slot of every contract) before
 * each block, and for block times <= 2 s `update_interval_mine_block_time` sets the in-memory limit
 * to 1,500 states, overriding the `--prune-history <N>` limit (1.7.1 lacks the memory-only guard).
 * So `--prune-history 128` kept up to 1,500 clones of a state that grows with every trade (28k
 * TradingStorage slots after 12 min): memory grew quadratically, 0.06 to 1.5 GB in 10 min, ~5 GB
 * in 20. Measured under `npm start`, 8 min, ~7 txs per 1 s block: 88 MB/min and rising before
 * (687 MB at block 496), 12 MB/min flat after (129 MB at block 495; what is left is blocks,
 * receipts and traces, ~25 KB per tx, kept so that eth_getLogs backfills from the deployment
 * block). Alfa reads state only at `latest`/`pending`; nothing in interval mode rolls back.
 */
export const KEPT_STATES = 128;

export async function startAnvil(
  opts: { port?: number; blockTimeSeconds?: number; name?: string } = {},
): Promise<Anvil> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: opts.name ?? 'anvil',
    command: anvilBinary(),
    args: [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--silent',
      // Base's block gas limit (140M, docs.base.org "Block building", 2025; docs/avantis.md §Base),
      // not anvil's 30M: a burst of copies fills blocks the way it would on Base, no sooner or later.
      '--gas-limit',
      String(BASE_BLOCK_GAS_LIMIT),
      // Bare (no states) with --block-time: a number is overridden by 1,500 there (above).
      '--prune-history',
      ...(opts.blockTimeSeconds ? ['--block-time', String(opts.blockTimeSeconds)] : [String(KEPT_STATES)]),
    ],
    ready: () => answers(url),
    timeoutMs: 15_000,
    fix:
      'On linux-x64 run `npm ci` again (anvil comes with @foundry-rs/anvil-linux-amd64); ' +
      'elsewhere install Foundry (https://getfoundry.sh) so that `anvil` is on PATH.',
  });
  return { url, child, stop: () => child.stop() };
}
