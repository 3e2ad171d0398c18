// `npm run abi-inspect [-- --json]`: lists every watched Avantis event variant (id, contract, topic0,
// signature, provenance, arg -> TradeEvent field mapping) and proves each one round-trips: values encoded
// with ethers decode through decodeLog into exactly the fields the mapping promises. Exit code 1 on any FAIL.
import { isDeepStrictEqual } from 'node:util';
import { EventFragment, Interface, getAddress, type ParamType } from 'ethers';
import {
  LIMIT_ORDER_TYPES,
  MARGIN_UPDATE_TYPES,
  VARIANTS,
  type EventVariant,
  type FieldTarget,
} from '../../layers/core/domain/avantis/abi.js';
import { decodeLog } from '../../layers/core/domain/avantis/decode.js';

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
    // The Trade struct: positionSizeUSDC is dropped on purpose (FACTS trap 1).
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
    const r = decodeLog({
      address: '0x0C16ff40065Cc3Ab4bc55B60E447504AFB9C7970',
      topics,
      data,
      blockNumber: 1,
      blockHash: `0x${'0'.repeat(64)}`,
      transactionHash: `0x${'1'.repeat(64)}`,
      logIndex: 0,
    });
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

function main(): void {
  const json = process.argv.includes('--json');
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

main();
