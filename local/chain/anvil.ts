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
 * States kept in memory: a full node's recent window (geth keeps the last 128 block states), not an
 * archive; Alfa reads state only at `latest`/`pending`. This did not stop anvil's memory growth
 * under the simulator (0.1 to 4.9 GB in a 20-minute soak, 1 s blocks): its cause is not found yet.
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
      '--prune-history',
      String(KEPT_STATES),
      ...(opts.blockTimeSeconds ? ['--block-time', String(opts.blockTimeSeconds)] : []),
    ],
    ready: () => answers(url),
    timeoutMs: 15_000,
    fix:
      'On linux-x64 run `npm ci` again (anvil comes with @foundry-rs/anvil-linux-amd64); ' +
      'elsewhere install Foundry (https://getfoundry.sh) so that `anvil` is on PATH.',
  });
  return { url, child, stop: () => child.stop() };
}
