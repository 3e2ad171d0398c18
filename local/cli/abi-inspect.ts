// `npm run abi-inspect [-- --json]`: lists every watched Avantis event variant (id, contract, topic0,
// signature, provenance, arg -> TradeEvent field mapping) and proves each one round-trips: values encoded
// with ethers decode through decodeLog into exactly the fields the mapping promises. Exit code 1 on any FAIL.
// `npm run abi-inspect -- --rpc <url> --from <block> --to <block> [--address a,b,...] [--json]`: fetches every
// log of the watched Avantis addresses in the range (no topic0 filter), lists the topic0s the decoder does
// not know with their counts per address, and tries candidate signatures built from docs/avantis.md's field lists: a
// keccak match names the layout. Addresses: --address, else AVANTIS_CONTRACTS, else the known deployment of
// the RPC's chain. Exit code 1 when unknown topic0s were seen.
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { EventFragment, Interface, getAddress, type ParamType } from 'ethers';
import { fetchLogsAdaptive } from '#core/adapters/chain/log-pager.js';
import { RpcPool } from '#core/adapters/chain/rpc-pool.js';
import {
  LIMIT_ORDER_TYPES,
  MARGIN_UPDATE_TYPES,
  VARIANTS,
  candidateLayouts,
  type EventVariant,
  type FieldTarget,
} from '#core/domain/avantis/abi.js';
import { watchedAddresses, type AvantisDeployment } from '#core/domain/avantis/addresses.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { resolveDeployment } from '#core/adapters/chain/connect.js';

/** Seeds per variant: 4 covers every LimitExecuted orderType and both margin update types. */
const SEEDS = [0, 1, 2, 3];
const POSITION_KEYS = ['kind', 'variant', 'blockNumber', 'blockHash', 'logIndex', 'txHash', 'address'];
const MAX_UINT = 2n ** 256n - 1n;

const isId = (name: string) => /^_?(pairIndex|index)$/.test(name);
const targetField = (t: FieldTarget): string | undefined =>
  typeof t === 'string' ? t.split(' ')[0] : undefined;
const describeTarget = (t: FieldTarget): string => (typeof t === 'string' ? t : `(dropped: ${t.dropped})`);

/** A deterministic value for one param; seed 3 pushes non-id words to their extremes. */
function generate(v: EventVariant, p: ParamType, seed: number, i: number): unknown {
  if (p.baseType === 'tuple') return (p.components ?? []).map((c, j) => generate(v, c, seed, 100 + j));
  switch (p.type) {
    case 'address':
      return getAddress(`0x${((seed + 1) * 7919 + i).toString(16).padStart(40, 'c')}`);
    case 'bool':
      return (seed + i) % 2 === 0;
    case 'uint8':
      if (p.name === '_type') return seed % MARGIN_UPDATE_TYPES.length;
      if (v.kind === 'LimitExecuted') return seed % LIMIT_ORDER_TYPES.length;
      return (seed * 37 + i) % 256;
    case 'int256':
      if (seed === 3) return i % 2 === 0 ? -(2n ** 255n) : 2n ** 255n - 1n;
      return (seed % 2 === 0 ? 1n : -1n) * (BigInt(i + 1) * 10n ** 12n + BigInt(seed));
  }
  if (isId(p.name)) return BigInt((seed * 7 + i) % 112);
  return seed === 3 ? MAX_UINT - BigInt(i) : BigInt(i + 1) * 1_000_003n + BigInt(seed);
}

/** What the decoded field must hold for an arg value, by the mapping's conventions. */
function expectedValue(v: EventVariant, to: string, p: ParamType, value: unknown): unknown {
  if (p.baseType === 'tuple') {
    // The Trade struct: positionSizeUSDC is dropped on purpose (docs/avantis.md v1 §3 trap 1).
    const parts = p.components ?? [];
    const values = value as readonly unknown[];
    return Object.fromEntries(
      parts
        .map((c, j) => [c.name, expectedValue(v, c.name, c, values[j])] as const)
        .filter(([name]) => name !== 'positionSizeUSDC'),
    );
  }
  if (p.type === 'address') return String(value).toLowerCase();
  if (to === 'pairIndex' || to === 'index') return Number(value);
  if (to === 'orderType' && v.kind === 'LimitExecuted') return LIMIT_ORDER_TYPES[Number(value)];
  if (to === 'updateType') return MARGIN_UPDATE_TYPES[Number(value)];
  return value;
}

const show = (x: unknown): string =>
  JSON.stringify(x, (_k, val: unknown) => (typeof val === 'bigint' ? `${val}n` : val));

/** Round-trips one variant for every seed; returns what went wrong (empty when OK). */
function roundTrip(v: EventVariant): string[] {
  const f = EventFragment.from(v.signature);
  const iface = new Interface([f]);
  const problems: string[] = [];
  for (const seed of SEEDS) {
    const values = f.inputs.map((p, i) => generate(v, p, seed, i));
    const { topics, data } = iface.encodeEventLog(f, values);
    const r = decodeLog(
      {
        address: '0x0C16ff40065Cc3Ab4bc55B60E447504AFB9C7970',
        topics,
        data,
        blockNumber: 1,
        blockHash: `0x${'0'.repeat(64)}`,
        transactionHash: `0x${'1'.repeat(64)}`,
        logIndex: 0,
      },
      // An era-pinned layout decodes in its own era: v2 from block 1 on here.
      v.era === 'v2' ? { upgradeBlock: 1 } : {},
    );
    if (!r.ok) {
      problems.push(`seed ${seed}: ${r.reason}`);
      continue;
    }
    const event = r.event as unknown as Record<string, unknown>;
    if (event.kind !== v.kind || event.variant !== v.id)
      problems.push(`seed ${seed}: kind ${show(event.kind)}`);
    const promised = new Set<string>();
    f.inputs.forEach((p, i) => {
      const target = v.fields[p.name];
      if (target === undefined) return void problems.push(`arg ${p.name} has no mapping`);
      const to = targetField(target);
      if (to === undefined) return;
      promised.add(to);
      const want = expectedValue(v, to, p, values[i]);
      if (!isDeepStrictEqual(event[to], want)) {
        problems.push(`seed ${seed}: ${p.name} -> ${to}: got ${show(event[to])}, want ${show(want)}`);
      }
    });
    for (const key of Object.keys(event)) {
      if (!POSITION_KEYS.includes(key) && !promised.has(key))
        problems.push(`seed ${seed}: unmapped field ${key}`);
    }
  }
  return problems;
}

/** What a range of real logs holds that the decoder does not know, with the layouts that explain it. */
interface DriftReport {
  readonly chainId: number;
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly logs: number;
  readonly decoded: number;
  readonly ignored: number;
  readonly malformed: Readonly<Record<string, number>>;
  readonly unknown: readonly {
    readonly topic0: string;
    readonly count: number;
    readonly byAddress: Readonly<Record<string, number>>;
    readonly firstSeen: {
      readonly block: number;
      readonly txHash: string;
      readonly topics: number;
      readonly dataBytes: number;
    };
    readonly candidates: readonly { readonly signature: string; readonly basis: string }[];
  }[];
}

async function inspectRange(
  rpc: string,
  from: number,
  to: number,
  addressArg: string | undefined,
): Promise<DriftReport> {
  const pool = new RpcPool({ urls: [rpc] });
  const chainId = await pool.chainId();
  let addresses: string[];
  if (addressArg)
    addresses = addressArg
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean);
  else {
    const configured = process.env.AVANTIS_CONTRACTS
      ? (JSON.parse(process.env.AVANTIS_CONTRACTS) as AvantisDeployment)
      : undefined;
    addresses = watchedAddresses(resolveDeployment(configured, chainId));
  }
  let logs = 0;
  let decoded = 0;
  let ignored = 0;
  const malformed: Record<string, number> = {};
  const unknown = new Map<
    string,
    {
      count: number;
      byAddress: Record<string, number>;
      firstSeen: DriftReport['unknown'][number]['firstSeen'];
    }
  >();
  for await (const page of fetchLogsAdaptive(pool, {
    fromBlock: from,
    toBlock: to,
    address: addresses,
    topics: [],
    initialPage: Math.min(2_000, to - from + 1),
    maxPage: 10_000,
  })) {
    for (const log of page.logs) {
      logs += 1;
      // Which era a log is in only matters for the reused SlUpdated topic0, which is known either way.
      const r = decodeLog(log);
      if (r.ok) decoded += 1;
      else if (r.reason === 'IGNORED') ignored += 1;
      else if (r.reason === 'MALFORMED_LOG') {
        const key = `${r.topic0} ${r.detail ?? ''}`.trim();
        malformed[key] = (malformed[key] ?? 0) + 1;
      } else {
        const topic0 = r.topic0 ?? '(no topics)';
        const entry = unknown.get(topic0) ?? {
          count: 0,
          byAddress: {},
          firstSeen: {
            block: log.blockNumber,
            txHash: log.transactionHash,
            topics: log.topics.length,
            dataBytes: (log.data.length - 2) / 2,
          },
        };
        entry.count += 1;
        const a = log.address.toLowerCase();
        entry.byAddress[a] = (entry.byAddress[a] ?? 0) + 1;
        unknown.set(topic0, entry);
      }
    }
  }
  const layouts = unknown.size > 0 ? candidateLayouts() : new Map();
  return {
    chainId,
    fromBlock: from,
    toBlock: to,
    logs,
    decoded,
    ignored,
    malformed,
    unknown: [...unknown]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([topic0, e]) => ({
        topic0,
        ...e,
        candidates: (layouts.get(topic0) ?? []).map((c: { signature: string; basis: string }) => ({
          signature: c.signature,
          basis: c.basis,
        })),
      })),
  };
}

function printDrift(r: DriftReport): void {
  console.log(
    `chain ${r.chainId}, blocks ${r.fromBlock}-${r.toBlock}: ${r.logs} logs, ${r.decoded} decoded, ${r.ignored} known and skipped`,
  );
  for (const [what, n] of Object.entries(r.malformed)) console.log(`MALFORMED ${n}x ${what}`);
  if (r.unknown.length === 0) console.log('no unknown topic0');
  for (const u of r.unknown) {
    console.log(`UNKNOWN ${u.topic0}  ${u.count} logs`);
    for (const [a, n] of Object.entries(u.byAddress)) console.log(`     ${a}  ${n}`);
    console.log(
      `     first: block ${u.firstSeen.block} tx ${u.firstSeen.txHash} (${u.firstSeen.topics} topics, ${u.firstSeen.dataBytes} data bytes)`,
    );
    if (u.candidates.length === 0) console.log('     no candidate layout matches');
    for (const c of u.candidates) console.log(`     MATCH ${c.signature}   <- ${c.basis}`);
  }
}

const wholeBlock = (name: string, raw: string | undefined): number => {
  if (raw === undefined || !/^\d+$/.test(raw))
    throw new Error(`--${name} <block number> is required with --rpc`);
  return Number(raw);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      rpc: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      address: { type: 'string' },
    },
  });
  if (values.rpc !== undefined) {
    const report = await inspectRange(
      values.rpc,
      wholeBlock('from', values.from),
      wholeBlock('to', values.to),
      values.address,
    );
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printDrift(report);
    process.exitCode = report.unknown.length > 0 ? 1 : 0;
    return;
  }
  roundTripReport(values.json === true);
}

function roundTripReport(json: boolean): void {
  const report = VARIANTS.map((v) => {
    const problems = roundTrip(v);
    return {
      id: v.id,
      kind: v.kind,
      contract: v.contract,
      topic0: v.topic0,
      signature: v.signature,
      source: v.source,
      inferred: v.inferred === true,
      fields: Object.fromEntries(Object.entries(v.fields).map(([arg, t]) => [arg, describeTarget(t)])),
      roundTrip: problems.length === 0 ? 'OK' : 'FAIL',
      problems,
    };
  });
  const failed = report.filter((r) => r.roundTrip === 'FAIL').length;
  if (json) {
    console.log(JSON.stringify({ variants: report, failed }, null, 2));
  } else {
    for (const r of report) {
      console.log(
        `${r.roundTrip.padEnd(4)} ${r.id}${r.inferred ? '  [INFERRED]' : ''}  (${r.contract} -> ${r.kind})`,
      );
      console.log(`     topic0     ${r.topic0}`);
      console.log(`     signature  ${r.signature}`);
      console.log(`     source     ${r.source}`);
      for (const [arg, t] of Object.entries(r.fields)) console.log(`     ${arg.padEnd(20)} -> ${t}`);
      for (const p of r.problems) console.log(`     !! ${p}`);
    }
    console.log(`\n${report.length} variants, ${report.length - failed} OK, ${failed} FAIL`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
