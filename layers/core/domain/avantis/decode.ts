// Raw eth_getLogs log -> TradeEvent, by topic0 (and, for the one topic0 whose meaning changed at the
// v2 upgrade, by era: the log's block against the upgrade block). Every watched layout is static (no strings, arrays or
// bytes), so each arg sits at a fixed 32-byte word; a per-variant plan compiled once at module load
// reads those words from the log hex-decoded into bytes (see "word readers"). That is several times
// faster than ethers' generic decoder (no Result objects, no address checksumming) and lets us
// reject malformed logs strictly.
import { EventFragment, type ParamType } from 'ethers';
import { Buffer } from 'node:buffer';
import type { DecodeResult, LogPosition, RawLog, TradeEvent } from '../trade-events.js';
import {
  KNOWN_UNWATCHED,
  VARIANTS,
  type ArgValue,
  type Args,
  type EventFields,
  type EventVariant,
} from './abi.js';

type WordKind = 'uint256' | 'int256' | 'uint8' | 'bool' | 'address';

/** One 32-byte word of a layout and the arg it fills. */
interface Word {
  /** The plan's args object (or a tuple's, inside it) this word's value goes into. */
  readonly into: Record<string, ArgValue>;
  readonly name: string;
  readonly kind: WordKind;
  /** Byte offset in the decoded log: indexed topics 1..3 first, then the data words (see `unhex`). */
  readonly at: number;
}

interface Plan {
  readonly variant: EventVariant;
  /**
   * The args `map` reads, one object per plan, refilled for every log: no allocation per log for
   * them. Safe because `map` copies values out (it returns fresh objects and never an Args) and
   * decoding is synchronous; nested tuples are their own reused objects inside it.
   */
  readonly args: Args;
  /** Every word, tuples flattened, in layout order. */
  readonly words: readonly Word[];
  /** topics.length a log of this variant must have: topic0 plus one per indexed arg. */
  readonly topicCount: number;
  /** Exact data length in hex chars, including `0x`. */
  readonly dataLength: number;
}

/** What decodeLog adds to a variant's fields: where the log sits, and which layout read it. */
type Placed = { -readonly [K in keyof LogPosition]: LogPosition[K] } & { variant: string };

/** A log that does not fit its variant's layout; caught once, in decodeLog. */
class Malformed extends Error {}

// ---- plan compilation (module load)

/** A topic's 32 bytes; the decoded log holds topics 1..3 (EVM LOG4 at most), then the data from DATA_AT. */
const TOPIC_BYTES = 32;
const DATA_AT = 3 * TOPIC_BYTES;

/** A value of the kind's type, so the reused args objects keep one shape from the first log on. */
const PLACEHOLDER: Readonly<Record<WordKind, ArgValue>> = {
  uint256: 0n,
  int256: 0n,
  uint8: 0,
  bool: false,
  address: '0x',
};

function compile(v: EventVariant): Plan {
  let word = 0;
  let topic = 1;
  const words: Word[] = [];
  const place = (into: Record<string, ArgValue>, p: ParamType, indexed: boolean): void => {
    if (p.baseType === 'tuple') {
      // A static tuple is encoded inline, word after word; an indexed one would only leave a hash.
      if (indexed || p.components === null) throw new Error(`${v.id}: unsupported tuple ${p.name}`);
      const inner: Record<string, ArgValue> = {};
      into[p.name] = inner;
      for (const c of p.components) place(inner, c, false);
      return;
    }
    if (!isWordKind(p.type)) throw new Error(`${v.id}: unsupported type ${p.type}`);
    into[p.name] = PLACEHOLDER[p.type];
    const at = indexed ? TOPIC_BYTES * (topic++ - 1) : DATA_AT + 32 * word++;
    words.push({ into, name: p.name, kind: p.type, at });
  };
  const fragment = EventFragment.from(v.signature);
  if (fragment.anonymous) throw new Error(`${v.id}: anonymous events have no topic0`);
  const args: Record<string, ArgValue> = {};
  for (const p of fragment.inputs) place(args, p, p.indexed === true);
  if (topic > 4) throw new Error(`${v.id}: more than 3 indexed args`);
  return { variant: v, args, words, topicCount: topic, dataLength: 2 + 64 * word };
}

function isWordKind(t: string): t is WordKind {
  return t === 'uint256' || t === 'int256' || t === 'uint8' || t === 'bool' || t === 'address';
}

/** One topic0's decoding: a single plan, or one per era where the topic0 collides (docs/avantis.md v2 §7). */
interface TopicPlans {
  readonly any?: Plan;
  readonly v1?: Plan;
  readonly v2?: Plan;
}

const PLANS: ReadonlyMap<string, TopicPlans> = (() => {
  const plans = new Map<string, { any?: Plan; v1?: Plan; v2?: Plan }>();
  for (const v of VARIANTS) {
    const entry = plans.get(v.topic0) ?? {};
    const slot = v.era ?? 'any';
    // Two layouts may share a topic0 only when each is pinned to its own era.
    if (entry[slot] !== undefined || (slot === 'any' ? entry.v1 || entry.v2 : entry.any)) {
      throw new Error(`duplicate topic0 ${v.topic0} (${v.id})`);
    }
    entry[slot] = compile(v);
    plans.set(v.topic0, entry);
  }
  return plans;
})();

const IGNORED: ReadonlySet<string> = new Set(
  KNOWN_UNWATCHED.map((k) => k.topic0).filter((t) => !PLANS.has(t)),
);

/** Where the decoder stands on the upgrade: the first block of v2 layouts, when known. */
export interface DecodeContext {
  /** First block emitting v2 layouts; undefined = no upgrade seen yet (all v1). */
  readonly upgradeBlock?: number;
}

function planFor(entry: TopicPlans, blockNumber: number, ctx: DecodeContext | undefined): Plan | undefined {
  if (entry.any) return entry.any;
  const v2 = ctx?.upgradeBlock !== undefined && blockNumber >= ctx.upgradeBlock;
  return v2 ? entry.v2 : entry.v1;
}

// ---- word readers
//
// Each log's data words and indexed topics are hex-decoded once, natively, into one scratch buffer:
// Buffer.write stops at the first pair that is not hex, so a short byte count proves a bad char and
// that single pass validates every char of the log. The readers then look at bytes only: zero checks
// are 32-bit reads, and a value below 2^53 (ids, prices, USDC amounts, timestamps; the usual case)
// becomes a bigint from a double instead of through BigInt's string parser, which cost ~250 ns a word
// and was the largest part of decoding. `o` is the word's byte offset in `bytes`.

/** Room for three indexed topics and the largest layout's data words. */
const MAX_BYTES = DATA_AT + Math.max(...[...PLANS.values()].flatMap((e) => [e.any, e.v1, e.v2].map(bytesOf)));
const bytes = Buffer.alloc(MAX_BYTES);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const TWO_32 = 0x1_0000_0000;
/** Upper 32 bits of the last 64 of a word whose value still fits a double exactly (< 2^53). */
const SAFE_HIGH = 0x20_0000;

function bytesOf(p: Plan | undefined): number {
  return p === undefined ? 0 : (p.dataLength - 2) / 2;
}

/** Writes `hex` (no 0x) at `at`; false when a char is not hex (Buffer.write stops there). */
function unhex(hex: string, at: number, length: number): boolean {
  return bytes.write(hex, at, length, 'hex') === length;
}

/** The first `n` 32-bit words from `o` are all zero. */
function zeros(o: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (view.getUint32(o + 4 * k) !== 0) return false;
  return true;
}

function readWord(o: number, kind: WordKind): ArgValue {
  switch (kind) {
    case 'uint256':
      return readUint(o);
    case 'int256':
      return readInt(o);
    case 'uint8':
      if (!zeros(o, 7) || view.getUint32(o + 28) > 0xff) throw new Malformed('bad uint8');
      return view.getUint32(o + 28);
    case 'bool': {
      // ABI bools are exactly 0 or 1; anything else means the layout is not what we think.
      const last = view.getUint32(o + 28);
      if (!zeros(o, 7) || last > 1) throw new Malformed('bad bool');
      return last === 1;
    }
    case 'address':
      if (!zeros(o, 3)) throw new Malformed('bad address word');
      // Node writes hex in lower case: the address comes out normalised.
      return `0x${bytes.toString('hex', o + 12, o + 32)}`;
  }
}

function readUint(o: number): bigint {
  if (zeros(o, 6)) {
    const high = view.getUint32(o + 24);
    if (high < SAFE_HIGH) return BigInt(high * TWO_32 + view.getUint32(o + 28));
  }
  return BigInt(`0x${bytes.toString('hex', o, o + 32)}`);
}

/** A two's complement int256; small negatives (losses, funding paid) also skip the string parser. */
function readInt(o: number): bigint {
  if (view.getUint32(o) < 0x8000_0000) return readUint(o);
  let ones = true;
  for (let k = 0; k < 6 && ones; k++) ones = view.getUint32(o + 4 * k) === 0xffff_ffff;
  const high = view.getUint32(o + 24);
  if (ones && high >= 0xffe0_0000) {
    // value = x - 2^64 for x the low 64 bits; 2^64 - x <= 2^53 here, so the double is exact.
    return BigInt(-((0xffff_ffff - high) * TWO_32 + (0xffff_ffff - view.getUint32(o + 28)) + 1));
  }
  return BigInt.asIntN(256, BigInt(`0x${bytes.toString('hex', o, o + 32)}`));
}

/** Fills the plan's args from the decoded log and returns them. */
function readArgs(plan: Plan): Args {
  for (const w of plan.words) w.into[w.name] = readWord(w.at, w.kind);
  return plan.args;
}

// ---- public API

/**
 * Decodes one log; never throws: an unknown topic0, a known one we skip, and a log that does not fit
 * its layout come back as reasons (`detail` says what did not fit).
 */
export function decodeLog(log: RawLog, ctx?: DecodeContext): DecodeResult {
  const topic0 = log.topics[0]?.toLowerCase();
  const entry = topic0 === undefined ? undefined : PLANS.get(topic0);
  if (entry === undefined) {
    return {
      ok: false,
      reason: topic0 !== undefined && IGNORED.has(topic0) ? 'IGNORED' : 'UNKNOWN_TOPIC',
      topic0,
    };
  }
  const plan = planFor(entry, log.blockNumber, ctx);
  if (plan === undefined)
    return { ok: false, reason: 'MALFORMED_LOG', topic0, detail: 'NO_ERA_LAYOUT: no layout for this era' };
  try {
    const { topics, data } = log;
    if (topics.length !== plan.topicCount) {
      return {
        ok: false,
        reason: 'MALFORMED_LOG',
        topic0,
        detail: `TOPIC_COUNT: ${topics.length} topics, want ${plan.topicCount}`,
      };
    }
    if (data.length !== plan.dataLength || !data.startsWith('0x')) {
      return {
        ok: false,
        reason: 'MALFORMED_LOG',
        topic0,
        detail: `DATA_LENGTH: ${(data.length - 2) / 2} bytes, want ${(plan.dataLength - 2) / 2}`,
      };
    }
    for (let i = 1; i < topics.length; i++) {
      const t = topics[i] ?? '';
      if (t.length !== 66 || !t.startsWith('0x') || !unhex(t.slice(2), TOPIC_BYTES * (i - 1), TOPIC_BYTES))
        return { ok: false, reason: 'MALFORMED_LOG', topic0, detail: 'BAD_TOPIC: not a 32-byte topic' };
    }
    if (!unhex(data.slice(2), DATA_AT, (plan.dataLength - 2) / 2))
      return { ok: false, reason: 'MALFORMED_LOG', topic0, detail: 'BAD_VALUE: data is not hex' };
    // `map` returns a fresh object: the position goes onto it rather than into a spread copy (one
    // object per log instead of two; same key order as the spread had).
    const event = plan.variant.map(readArgs(plan)) as EventFields & Placed;
    event.variant = plan.variant.id;
    event.blockNumber = log.blockNumber;
    event.blockHash = log.blockHash.toLowerCase();
    event.logIndex = log.logIndex;
    event.txHash = log.transactionHash.toLowerCase();
    event.address = log.address.toLowerCase();
    return { ok: true, event: event as TradeEvent };
  } catch (err) {
    // Range and enum checks in the readers and in `map` throw; a log we cannot read is malformed, not fatal.
    return {
      ok: false,
      reason: 'MALFORMED_LOG',
      topic0,
      detail: `BAD_VALUE: ${err instanceof Error ? err.message : 'unreadable'}`,
    };
  }
}

/** Decodes a batch in order; result i belongs to log i. */
export function decodeLogs(logs: readonly RawLog[], ctx?: DecodeContext): DecodeResult[] {
  const out = new Array<DecodeResult>(logs.length);
  for (let i = 0; i < logs.length; i++) out[i] = decodeLog(logs[i] as RawLog, ctx);
  return out;
}
