// Micro-benchmark of decodeLogs on one core, with a realistic mix of what the unfiltered fetch brings
// after the v2 upgrade: mostly v2 MarketExecuted and LimitExecuted, the v2 requests, fees, spreads and
// increases, a few v1 layouts, known events the decoder skips (nonces, OI, proxy upgrades) and a
// trickle of unknown topic0s. Run alone with `npx tsx test/bench/decode.bench.ts [n]`; also compares
// against ethers' generic decoder.
import { pathToFileURL } from 'node:url';
import { AbiCoder, EventFragment, Interface } from 'ethers';
import { KNOWN_UNWATCHED, VARIANTS } from '#core/domain/avantis/abi.js';
import { decodeLogs } from '#core/domain/avantis/decode.js';
import type { RawLog } from '#core/domain/trade-events.js';

/** Share of each layout in the mix: a variant id, `known:<name>` (skipped) or `unknown` (schema drift). */
const MIX: readonly (readonly [string, number])[] = [
  ['MarketExecuted/v2-inferred', 34],
  ['LimitExecuted/v2-inferred', 14],
  ['MarketOrderInitiated/v2-inferred', 10],
  ['FeesCharged/TradingStorage-v1.5', 8],
  ['FeesCharged/PairInfos-v2-inferred', 6],
  ['SpreadCharged/v2-local', 8],
  ['PositionSizeIncreased/v2-local', 2],
  ['MarginUpdated/v2-inferred', 2],
  ['MarketExecuted/v1.5', 4],
  ['known:NonceUsed', 6],
  ['known:OIUpdated', 3],
  ['known:Upgraded', 1],
  ['unknown', 2],
];
/** From this block on the fixtures' logs are v2 (all of them: they start at 30,000,000). */
export const BENCH_UPGRADE = { upgradeBlock: 29_999_999 };
/** Distinct logs encoded; the batch cycles through them (encoding with ethers is the slow part). */
const UNIQUE = 4096;

const UNKNOWN = 'event Unknown(address indexed trader, uint256 a, uint256 b, bool c)';

function signatureOf(id: string): string {
  if (id === 'unknown') return UNKNOWN;
  const known = id.startsWith('known:') ? KNOWN_UNWATCHED.find((k) => k.name === id.slice(6)) : undefined;
  if (known) return known.signature;
  const v = VARIANTS.find((x) => x.id === id);
  if (v === undefined) throw new Error(`no variant ${id}`);
  return v.signature;
}

/** A deterministic PRNG so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function realisticValue(name: string, type: string, r: () => number): unknown {
  const int = (max: number) => BigInt(Math.floor(r() * max));
  switch (type) {
    case 'address':
      return `0x${Array.from({ length: 40 }, () => Math.floor(r() * 16).toString(16)).join('')}`;
    case 'bool':
      return r() < 0.5;
    case 'uint8':
      return Math.floor(r() * (name === '_type' ? 2 : 4)); // margin updates: DEPOSIT or WITHDRAW
    case 'int256':
      return int(2_000_000_000_000) - 1_000_000_000_000n; // +-100% at 1e10
  }
  if (/pairIndex/i.test(name)) return int(80);
  if (name === 'index' || name === 'limitIndex') return int(40);
  if (/price|tp|sl/i.test(name)) return 1_000_000_000n + int(1e15); // 0.1 .. 100k USD at 1e10
  if (/leverage/i.test(name)) return 10_000_000_000n + int(1e12);
  if (/timestamp/i.test(name)) return 1_760_000_000n + int(1e7);
  return int(1e11); // USDC at 1e6, up to 100k; ids
}

function encodeOne(signature: string, r: () => number, i: number): RawLog {
  const f = EventFragment.from(signature);
  const values = f.inputs.map((p) =>
    p.baseType === 'tuple'
      ? (p.components ?? []).map((c) => realisticValue(c.name, c.type, r))
      : realisticValue(p.name, p.type, r),
  );
  const { topics, data } = new Interface([f]).encodeEventLog(f, values);
  return {
    address: '0x0c16ff40065cc3ab4bc55b60e447504afb9c7970',
    topics,
    data,
    blockNumber: 30_000_000 + i,
    blockHash: `0x${i.toString(16).padStart(64, '0')}`,
    transactionHash: `0x${(i + 7).toString(16).padStart(64, '0')}`,
    logIndex: i % 50,
  };
}

/** n logs in the mix above. */
export function buildLogs(n: number): RawLog[] {
  const r = rng(42);
  const total = MIX.reduce((s, [, w]) => s + w, 0);
  const pool: RawLog[] = [];
  for (let i = 0; i < Math.min(n, UNIQUE); i++) {
    let pick = r() * total;
    const entry = MIX.find(([, w]) => (pick -= w) < 0) ?? MIX[0];
    pool.push(encodeOne(signatureOf(entry?.[0] ?? 'MarketExecuted/v1.5'), r, i));
  }
  return Array.from({ length: n }, (_, i) => pool[i % pool.length] as RawLog);
}

/** CPU seconds (user + system) spent in fn: steadier than wall time on a shared machine, and it is "one core". */
function time(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

/** Decoded events per second through decodeLogs, best of 5 runs after a warm-up. */
export function decodeBench(n: number): { eventsPerSecond: number } {
  const logs = buildLogs(n);
  let failures = 0;
  decodeLogs(logs.slice(0, Math.min(n, 20_000)), BENCH_UPGRADE); // warm the JIT
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    best = Math.min(
      best,
      time(() => {
        failures = decodeLogs(logs, BENCH_UPGRADE).filter(
          (d) => !d.ok && d.reason === 'MALFORMED_LOG',
        ).length;
      }),
    );
  }
  if (failures > 0) throw new Error(`${failures} logs failed to decode`);
  return { eventsPerSecond: Math.round(n / best) };
}

/** Baseline: ethers' AbiCoder on precomputed ParamTypes per topic0 (data args only, no mapping, no topics). */
export function ethersBaselineBench(n: number): { eventsPerSecond: number } {
  const logs = buildLogs(n);
  const coder = AbiCoder.defaultAbiCoder();
  const types = new Map(
    VARIANTS.map((v) => [v.topic0, EventFragment.from(v.signature).inputs.filter((p) => p.indexed !== true)]),
  );
  let decoded = 0;
  const best = Math.min(
    ...[0, 1, 2].map(() =>
      time(() => {
        for (const log of logs)
          decoded += types.has(log.topics[0] ?? '')
            ? coder.decode(types.get(log.topics[0] ?? '') ?? [], log.data).length
            : 0;
      }),
    ),
  );
  if (decoded === 0) throw new Error('ethers decoded nothing');
  return { eventsPerSecond: Math.round(n / best) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 200_000);
  console.log('decodeLogs', n, decodeBench(n));
  console.log('ethers AbiCoder.decode', Math.min(n, 50_000), ethersBaselineBench(Math.min(n, 50_000)));
}
