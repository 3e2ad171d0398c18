// Starts a private anvil for one test file (not the shared stack's), on a free loopback port.
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort, startChild } from '../../../local/processes.js';

const require = createRequire(import.meta.url);

function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
    return path.join(path.dirname(pkg), 'bin', 'anvil');
  } catch {
    return 'anvil';
  }
}

export interface Anvil {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startAnvil(extraArgs: readonly string[] = []): Promise<Anvil> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: 'anvil (chain test)',
    command: anvilBinary(),
    args: ['--host', '127.0.0.1', '--port', String(port), '--silent', ...extraArgs],
    ready: async () =>
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        })
      ).ok,
    timeoutMs: 15_000,
    fix: 'Run `npm ci` (anvil comes with @foundry-rs/anvil-linux-amd64).',
  });
  return { url, stop: () => child.stop() };
}
