// The decoder's word readers at the edges of their fast paths: uint256 and int256 values around
// 2^53 and 2^64 (below 2^53 a bigint is made from a double, above it from the hex), upper-case hex,
// uint8 and address limits, a bad char in the last word, and the per-layout args objects the
// decoder refills for every log (an event already returned must not change with the next log).
import { EventFragment, Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import { VARIANTS } from '#core/domain/avantis/abi.js';
import { decodeLog, decodeLogs } from '#core/domain/avantis/decode.js';
import type { RawLog, TradeEvent } from '#core/domain/trade-events.js';

const TRADER = '0x1234567890abcdef1234567890abcdef12345678';
const V2 = { upgradeBlock: 1 };

function encode(id: string, values: readonly unknown[]): RawLog {
  const v = VARIANTS.find((x) => x.id === id);
  if (v === undefined) throw new Error(`no variant ${id}`);
  const f = EventFragment.from(v.signature);
  const { topics, data } = new Interface([f]).encodeEventLog(f, values);
  return {
    address: '0x0c16ff40065cc3ab4bc55b60e447504afb9c7970',
    topics,
    data,
    blockNumber: 100,
    blockHash: `0x${'ab'.repeat(32)}`,
    transactionHash: `0x${'cd'.repeat(32)}`,
    logIndex: 3,
  };
}

function decoded(log: RawLog): TradeEvent {
  const r = decodeLog(log, V2);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail ?? ''}`);
  return r.event;
}

/** PairInfos' closing fees: uint256 words, two int256 words and a bool, nothing indexed. */
const FEES = 'FeesCharged/PairInfos-v2-inferred';
const fees = (collateral: bigint, percentProfit: bigint, fundingFee: bigint) =>
  encode(FEES, [true, collateral, 5n, percentProfit, 1n, 2n, 3n, fundingFee]);

const UINTS = [
  0n,
  1n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 64n - 1n,
  2n ** 64n,
  2n ** 255n,
  2n ** 256n - 1n,
];
const INTS = [
  0n,
  -1n,
  -(2n ** 32n),
  -(2n ** 32n) - 1n,
  -(2n ** 53n) + 1n,
  -(2n ** 53n),
  -(2n ** 53n) - 1n,
  -(2n ** 64n),
  -(2n ** 64n) - 1n,
  2n ** 53n,
  2n ** 255n - 1n,
  -(2n ** 255n),
];

describe('decodeLog: word readers at the edges of their fast paths', () => {
  it.each(UINTS)('uint256 %s decodes exactly', (value) => {
    // Prepare
    const log = fees(value, 0n, 0n);
    // Act
    const e = decoded(log);
    // Assess
    expect(e.kind === 'ClosingFeesCharged' && e.collateral).toBe(value);
  });

  it.each(INTS)('int256 %s decodes exactly (two words in one log)', (value) => {
    // Prepare: the same value in percentProfit and its negation-or-self in fundingFee.
    const other = value === -(2n ** 255n) ? value : -value;
    const log = fees(1n, value, other);
    // Act
    const e = decoded(log);
    // Assess
    if (e.kind !== 'ClosingFeesCharged') throw new Error(e.kind);
    expect([e.percentProfit, e.fundingFee]).toEqual([value, other]);
  });

  it('reads upper-case hex data exactly as lower case, and lower-cases an address in data', () => {
    // Prepare
    const log = encode('FeesCharged/TradingStorage-v1.5', [TRADER, 7n, true, 2n ** 60n + 11n]);
    const upper = { ...log, data: `0x${log.data.slice(2).toUpperCase()}` };
    // Act
    const e = decoded(upper);
    // Assess
    expect(e).toStrictEqual(decoded(log));
    expect(e.kind === 'OpeningFeeCharged' && [e.trader, e.pairIndex, e.fee]).toEqual([
      TRADER,
      7,
      2n ** 60n + 11n,
    ]);
  });

  it('accepts uint8 255 and rejects a uint8 word holding 256', () => {
    // Prepare: OpenLimitPlaced/v1.5 carries the raw orderType as uint8 (data word 5: the trader is a topic).
    const args = (orderType: number) => [TRADER, 1n, 2n, true, 3n, 4n, orderType, 5n, 6n];
    const good = encode('OpenLimitPlaced/v1.5', args(255));
    const word = 2 + 64 * 5;
    const bad = {
      ...good,
      data: `${good.data.slice(0, word)}${'0'.repeat(61)}100${good.data.slice(word + 64)}`,
    };
    // Act
    const ok = decoded(good);
    const r = decodeLog(bad, V2);
    // Assess
    expect(ok.kind === 'OpenLimitPlaced' && ok.orderType).toBe(255);
    expect(r).toMatchObject({ ok: false, reason: 'MALFORMED_LOG', detail: 'BAD_VALUE: bad uint8' });
  });

  it('rejects a non-hex char in the last data word, and a non-hex indexed topic', () => {
    // Prepare
    const log = encode('OpenLimitPlaced/v1.5', [TRADER, 1n, 2n, true, 3n, 4n, 0, 5n, 6n]);
    const lastChar = { ...log, data: `${log.data.slice(0, -1)}g` };
    const topic = { ...log, topics: [log.topics[0] ?? '', `0x${'0'.repeat(63)}z`] };
    // Act
    const results = decodeLogs([lastChar, topic, log], V2);
    // Assess
    expect(results.map((r) => (r.ok ? 'ok' : r.detail))).toEqual([
      'BAD_VALUE: data is not hex',
      'BAD_TOPIC: not a 32-byte topic',
      'ok',
    ]);
  });

  it('an event already returned does not change when the next log of its layout is decoded', () => {
    // Prepare
    const first = fees(10n, -5n, 7n);
    const second = fees(2n ** 200n, 2n ** 100n, -(2n ** 100n));
    // Act
    const a = decoded(first);
    const snapshot = structuredClone(a);
    const b = decoded(second);
    // Assess
    expect(a).toStrictEqual(snapshot);
    expect(a.kind === 'ClosingFeesCharged' && [a.collateral, a.percentProfit, a.fundingFee]).toEqual([
      10n,
      -5n,
      7n,
    ]);
    expect(b.kind === 'ClosingFeesCharged' && b.collateral).toBe(2n ** 200n);
  });
});
