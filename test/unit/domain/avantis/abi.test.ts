// The variant table against the shared facts: every v1 topic0 equals shared/avantis/abi/topics.json, every
// inferred v2 topic0 is the one docs/avantis.md v2 §7 lists, every [local] layout is docs/local-avantis.md's; no
// topic0 is claimed twice except the one docs/avantis.md names as colliding (decoded by era); the watch list is
// complete, each variant's field mapping is whole.
import { readFileSync } from 'node:fs';
import { EventFragment, Interface, getAddress, type ParamType } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  CONTRACTS_EMITTING,
  KNOWN_UNWATCHED,
  NOT_WATCHED,
  VARIANTS,
  WATCHED_TOPICS,
  type FieldTarget,
} from '#core/domain/avantis/abi.js';
import { decodeLog } from '#core/domain/avantis/decode.js';

// The shared reference data, read by the test only: the code must stand on its own.
const SHARED = '/work/shared/avantis';
interface TopicEntry {
  readonly topic0: string;
  readonly signature: string;
  readonly event: string;
  readonly abiFile: string;
  readonly status: string;
}
const TOPICS = (JSON.parse(readFileSync(`${SHARED}/abi/topics.json`, 'utf8')) as { events: TopicEntry[] })
  .events;
const V2_MD = readFileSync(`${SHARED}/V2.md`, 'utf8');
const LOCAL_DOC = readFileSync(new URL('../../../../docs/local-avantis.md', import.meta.url), 'utf8');
/** docs/avantis.md v2 §7's table: event name -> inferred v2 topic0. */
const V2_TOPICS = new Map(
  [...V2_MD.matchAll(/^\| ([A-Za-z]+)(?: \(\w+\))? \|.*\| `(0x[0-9a-f]{64})` \|$/gm)].map((m) => [
    m[2] as string,
    m[1] as string,
  ]),
);

const targetField = (t: FieldTarget): string | undefined =>
  typeof t === 'string' ? t.split(' ')[0] : undefined;

/** A value per param that makes the variant decode (enums in range). */
function sample(p: ParamType, i: number): unknown {
  if (p.baseType === 'tuple') return (p.components ?? []).map((c, j) => sample(c, j));
  if (p.type === 'address') return getAddress(`0x${(i + 1).toString(16).padStart(40, 'a')}`);
  if (p.type === 'bool') return true;
  if (p.type === 'uint8') return 1;
  return BigInt(i + 1);
}

describe('VARIANTS vs the shared facts', () => {
  it.each(VARIANTS.map((v) => [v.id, v] as const))('%s: topic0 and canonical signature match', (_id, v) => {
    const f = EventFragment.from(v.signature);
    expect(v.topic0).toBe(f.topicHash);
    const entries = TOPICS.filter((e) => e.topic0 === v.topic0);
    if (v.id.endsWith('-local')) {
      // [local] layouts: exactly the signature docs/local-avantis.md gives the local v2 contracts.
      const row = LOCAL_DOC.split('\n').find((l) => l.startsWith(`| ${f.name} `));
      expect(row, `${f.name} not in docs/local-avantis.md`).toBeDefined();
      const doc = /`\((.*)\)`/
        .exec(row ?? '')?.[1]
        ?.replaceAll(
          ' T ',
          ` ${'tuple(address trader, uint256 pairIndex, uint256 index, uint256 initialPosToken, uint256 positionSizeUSDC, uint256 openPrice, bool buy, uint256 leverage, uint256 tp, uint256 sl, uint256 timestamp)'} `,
        );
      expect(EventFragment.from(`event ${f.name}(${doc})`).topicHash).toBe(v.topic0);
      expect(v.inferred).toBeUndefined();
      return;
    }
    if (entries.length === 0) {
      // A v2 layout docs/avantis.md infers: its topic0 must be the one listed there, and it is flagged inferred.
      expect(V2_TOPICS.get(v.topic0), `topic0 ${v.topic0} in neither topics.json nor V2.md`).toBe(f.name);
      expect(v.inferred).toBe(true);
      return;
    }
    // The era-pinned v2 SlUpdated shares the 2024-05 topic0 (same types, other meaning).
    if (v.era !== 'v2') for (const e of entries) expect(e.signature).toBe(f.format('sighash'));
    // Inferred in the shared facts <=> flagged inferred here.
    expect(v.inferred === true).toBe(v.era === 'v2' || entries.some((e) => e.status.startsWith('INFERRED')));
  });

  it('every topic0 V2.md section 7 infers is decoded', () => {
    expect(V2_TOPICS.size).toBe(8);
    for (const topic0 of V2_TOPICS.keys()) expect(WATCHED_TOPICS).toContain(topic0);
  });

  it('ids are unique and name their event', () => {
    expect(new Set(VARIANTS.map((v) => v.id)).size).toBe(VARIANTS.length);
    for (const v of VARIANTS) expect(v.id.split('/')[0]).toBe(EventFragment.from(v.signature).name);
  });

  it('a topic0 is claimed twice only by one v1-era and one v2-era layout: the SlUpdated collision of V2.md', () => {
    const byTopic = new Map<string, string[]>();
    for (const v of VARIANTS) byTopic.set(v.topic0, [...(byTopic.get(v.topic0) ?? []), v.id]);
    const shared = [...byTopic].filter(([, ids]) => ids.length > 1);
    expect(shared.map(([, ids]) => ids)).toEqual([
      ['SlUpdated/callbacks-solidity-2024-05', 'SlUpdated/callbacks-v2-inferred'],
    ]);
    expect(shared[0]?.[0]?.startsWith('0x700ee1ac')).toBe(true);
    const eras = VARIANTS.filter((v) => v.topic0 === shared[0]?.[0]).map((v) => v.era);
    expect(eras).toEqual(['v1', 'v2']);
  });

  it('WATCHED_TOPICS is exactly the variants topic0s, lower case', () => {
    expect([...WATCHED_TOPICS].sort()).toEqual([...new Set(VARIANTS.map((v) => v.topic0))].sort());
    for (const t of WATCHED_TOPICS) expect(t).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('every fragment in topics.json is decoded or knowingly skipped (and then its topic0 is known)', () => {
    const watchedNames = new Set(VARIANTS.map((v) => EventFragment.from(v.signature).name));
    const known = new Set(KNOWN_UNWATCHED.map((k) => k.topic0));
    for (const e of TOPICS) {
      if (WATCHED_TOPICS.includes(e.topic0)) continue;
      expect(
        watchedNames.has(e.event),
        `${e.signature} (${e.abiFile}) is a watched event name but not watched`,
      ).toBe(false);
      expect(NOT_WATCHED[e.event], `${e.event} is neither watched nor in NOT_WATCHED`).toBeDefined();
      expect(known.has(e.topic0), `${e.signature}: topic0 ${e.topic0} not in KNOWN_UNWATCHED`).toBe(true);
    }
  });

  it('CONTRACTS_EMITTING is the four emitting contracts and the v2 TradingRouter', () => {
    expect([...CONTRACTS_EMITTING].sort()).toEqual([
      'PairInfos',
      'Trading',
      'TradingCallbacks',
      'TradingRouter',
      'TradingStorage',
    ]);
  });
});

describe('field mappings', () => {
  it.each(VARIANTS.map((v) => [v.id, v] as const))(
    '%s: every arg is mapped or dropped, and nothing else',
    (_id, v) => {
      const f = EventFragment.from(v.signature);
      expect(Object.keys(v.fields)).toEqual(f.inputs.map((p) => p.name));
      const { topics, data } = new Interface([f]).encodeEventLog(
        f,
        f.inputs.map((p, i) => sample(p, i)),
      );
      const r = decodeLog(
        {
          address: '0x01',
          topics,
          data,
          blockNumber: 1,
          blockHash: '0x02',
          transactionHash: '0x03',
          logIndex: 0,
        },
        // An era-pinned layout decodes in its own era only.
        v.era === 'v2' ? { upgradeBlock: 1 } : {},
      );
      if (!r.ok) throw new Error(r.reason);
      const produced = Object.keys(r.event).filter(
        (k) => !['kind', 'variant', 'blockNumber', 'blockHash', 'logIndex', 'txHash', 'address'].includes(k),
      );
      const targets = Object.values(v.fields)
        .map(targetField)
        .filter((t): t is string => t !== undefined);
      expect(produced.sort()).toEqual([...new Set(targets)].sort());
      expect(r.event.kind).toBe(v.kind);
    },
  );
});
