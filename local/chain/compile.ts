// Compiles local/chain/contracts/*.sol with solc-js in-process and caches the ABIs and bytecode in
// .local/contracts-cache.json, keyed by a hash of the sources, compiler and settings, so npm start
// and the tests only pay for solc (seconds) when a contract changes. Refuses any contract over
// EIP-170's 24 KB runtime limit, which Base enforces and so does anvil.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterfaceAbi } from 'ethers';

export const CONTRACT_NAMES = [
  'MockUSDC',
  'PairStorage',
  'PriceFeed',
  'TradingStorage',
  'PairInfos',
  'TradingCallbacks',
  'Trading',
  // The proxies and the v2 implementations the chain upgrades to in place.
  'AlfaProxy',
  'ProxyAdmin',
  'NotLiveRouter',
  'PairStorageV2',
  'TradingStorageV2',
  'PriceFeedV2',
  'PairInfosV2',
  'TradingCallbacksV2',
  'TradingV2',
  'TradingRouter',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface CompiledContract {
  readonly abi: InterfaceAbi;
  /** 0x-prefixed creation bytecode. */
  readonly bytecode: string;
  /** Size of the deployed (runtime) code. */
  readonly runtimeBytes: number;
}

/** EIP-170: the largest runtime code a chain accepts. */
export const MAX_RUNTIME_BYTES = 24_576;

export interface CompileResult {
  readonly contracts: Readonly<Record<ContractName, CompiledContract>>;
  readonly fromCache: boolean;
  readonly ms: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTRACTS_DIR = path.join(here, 'contracts');
const DEFAULT_CACHE = path.resolve(here, '..', '..', '.local', 'contracts-cache.json');
const require = createRequire(import.meta.url);

// 'paris': no PUSH0, so the bytecode runs on any anvil/hardhat hardfork setting.
const SETTINGS = {
  evmVersion: 'paris',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

interface CacheFile {
  readonly key: string;
  readonly contracts: Record<ContractName, CompiledContract>;
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: InterfaceAbi; evm: { bytecode: { object: string }; deployedBytecode?: { object: string } } }
    >
  >;
}

function readSources(): Record<string, { content: string }> {
  const files = readdirSync(CONTRACTS_DIR)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  return Object.fromEntries(
    files.map((f) => [f, { content: readFileSync(path.join(CONTRACTS_DIR, f), 'utf8') }]),
  );
}

function solcVersion(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('solc/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function cacheKey(sources: Record<string, { content: string }>): string {
  const h = createHash('sha256');
  h.update(solcVersion());
  h.update(JSON.stringify(SETTINGS));
  for (const [name, { content }] of Object.entries(sources)) h.update(`\0${name}\0${content}`);
  return h.digest('hex');
}

function readCache(file: string, key: string): CacheFile['contracts'] | undefined {
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return cache.key === key ? cache.contracts : undefined;
  } catch {
    return undefined;
  }
}

function runSolc(sources: Record<string, { content: string }>): CacheFile['contracts'] {
  // Loaded only on a cache miss: requiring solc-js alone costs about a second.
  const solc = require('solc') as { compile(input: string): string };
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS })),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const contracts = {} as Record<ContractName, CompiledContract>;
  for (const name of CONTRACT_NAMES) {
    // Several contracts share a file (AlfaProxy.sol, StorageV2.sol): find each by its name.
    const out = Object.values(output.contracts ?? {}).find((file) => file[name])?.[name];
    if (!out) throw new Error(`solc produced no ${name}`);
    const runtimeBytes = (out.evm.deployedBytecode?.object.length ?? 0) / 2;
    if (runtimeBytes > MAX_RUNTIME_BYTES) {
      throw new Error(
        `${name} is ${runtimeBytes} bytes of runtime code, over EIP-170's ${MAX_RUNTIME_BYTES}`,
      );
    }
    contracts[name] = { abi: out.abi, bytecode: `0x${out.evm.bytecode.object}`, runtimeBytes };
  }
  return contracts;
}

/** ABIs and bytecode of every local Avantis contract, from the cache when the sources are unchanged. */
export function compileContracts(opts: { cacheFile?: string; force?: boolean } = {}): CompileResult {
  const started = performance.now();
  const cacheFile = opts.cacheFile ?? DEFAULT_CACHE;
  const sources = readSources();
  const key = cacheKey(sources);
  const cached = opts.force ? undefined : readCache(cacheFile, key);
  if (cached) return { contracts: cached, fromCache: true, ms: performance.now() - started };

  const contracts = runSolc(sources);
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  // Write then rename: parallel test workers may compile at once and must never read half a file.
  const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, contracts } satisfies CacheFile));
  renameSync(tmp, cacheFile);
  return { contracts, fromCache: false, ms: performance.now() - started };
}
