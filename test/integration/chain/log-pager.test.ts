// The adaptive log pager against a real anvil behind a proxy that enforces providers' range limits
// for real: pages shrink to what is accepted, grow back after successes, come out in order and cover
// every block exactly once with exactly the logs a direct query returns. Starts its own anvil.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawLog } from '#core/domain/trade-events.js';
import { isRpcError } from '#core/adapters/chain/rpc-errors.js';
import { RpcPool } from '#core/adapters/chain/rpc-pool.js';
import { fetchLogsAdaptive, type AdaptiveLogOptions, type LogPage } from '#core/adapters/chain/log-pager.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { emitterInitCode, receiptOf, rpc } from '../../support/json-rpc.js';
import {
  startFaultyRpcProxy,
  type FaultyRpcProxy,
  type RangeStyle,
} from '../../../local/standins/faulty-rpc-proxy.js';

const PING = '0x' + 'ab'.repeat(32);
const OTHER = '0x' + 'cd'.repeat(32);
/** Blocks the test chain gets beyond the deploys; logs sit in a pattern across them. */
const BLOCKS = 150;

let anvil: Anvil;
let anvilUrl: string;
let proxy: FaultyRpcProxy;
let emitterA: string;
let emitterB: string;
let head: number;
let firstBlock: number;
/** Every PING log of emitterA, straight from anvil. */
let expected: RawLog[];

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (log-pager test)' });
  anvilUrl = anvil.url;
  const [from] = (await rpc(anvilUrl, 'eth_accounts')) as string[];
  const deploy = async (topic: string) => {
    const tx = await rpc(anvilUrl, 'eth_sendTransaction', [
      { from, data: emitterInitCode(topic), gas: '0x100000' },
    ]);
    return (await receiptOf(anvilUrl, tx)).contractAddress;
  };
  emitterA = await deploy(PING);
  emitterB = await deploy(OTHER);
  firstBlock = Number(await rpc(anvilUrl, 'eth_blockNumber')) + 1;

  // Mine BLOCKS blocks by hand: most empty, some with one or several logs from A, some from B only.
  await rpc(anvilUrl, 'evm_setAutomine', [false]);
  let n = 0;
  const send = (to: string) =>
    rpc(anvilUrl, 'eth_sendTransaction', [
      { from, to, data: `0x${(n++).toString(16).padStart(4, '0')}`, gas: '0x30000' },
    ]);
  for (let b = 0; b < BLOCKS; b++) {
    if (b % 7 === 0) await send(emitterA);
    if (b % 13 === 0) {
      await send(emitterA);
      await send(emitterA);
    }
    if (b % 5 === 0) await send(emitterB);
    await rpc(anvilUrl, 'evm_mine');
  }
  await rpc(anvilUrl, 'evm_setAutomine', [true]);
  head = Number(await rpc(anvilUrl, 'eth_blockNumber'));

  const direct = new RpcPool({ urls: [anvilUrl] });
  expected = await direct.getLogs({ fromBlock: 0, toBlock: head, address: [emitterA], topics: [[PING]] });
  proxy = await startFaultyRpcProxy({ target: anvilUrl });
});

afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

/** Requests the proxy had seen before the current test: its log spans the whole file. */
let mark = 0;
beforeEach(() => {
  proxy.clear();
  mark = proxy.requests().length;
});

function pool(): RpcPool {
  return new RpcPool({
    urls: [proxy.url],
    timeoutMs: 2_000,
    backoff: { baseMs: 5, maxMs: 50 },
    random: () => 0.5,
  });
}

async function collect(options: AdaptiveLogOptions, source = pool()): Promise<LogPage[]> {
  const pages: LogPage[] = [];
  for await (const page of fetchLogsAdaptive(source, options)) pages.push(page);
  return pages;
}

const base = () => ({ address: [emitterA], topics: [[PING]] as [string[]] });

/** The pages tile [from, to] in order with no gap and no overlap, and hold exactly the expected logs. */
function expectExactCover(pages: readonly LogPage[], from: number, to: number): void {
  let next = from;
  for (const p of pages) {
    expect(p.fromBlock).toBe(next);
    expect(p.toBlock).toBeGreaterThanOrEqual(p.fromBlock);
    next = p.toBlock + 1;
    for (const l of p.logs) expect(l.blockNumber >= p.fromBlock && l.blockNumber <= p.toBlock).toBe(true);
  }
  expect(next).toBe(to + 1);
  const got = pages.flatMap((p) => p.logs);
  expect(got).toEqual(expected.filter((l) => l.blockNumber >= from && l.blockNumber <= to));
}

/** Spans of the eth_getLogs requests the proxy saw, and whether each was refused. */
function getLogsSpans(): { span: number; refused: boolean }[] {
  return proxy
    .requests()
    .slice(mark)
    .filter((r) => r.method === 'eth_getLogs')
    .map((r) => {
      const [f] = r.params as [{ fromBlock: string; toBlock: string }];
      return { span: Number(f.toBlock) - Number(f.fromBlock) + 1, refused: r.fault !== undefined };
    });
}

describe('fetchLogsAdaptive', () => {
  it('the test chain has logs to find', () => {
    expect(expected.length).toBeGreaterThan(25);
    expect(new Set(expected.map((l) => l.blockNumber)).size).toBeLessThan(expected.length); // several per block
  });

  it("shrinks to the provider's suggested range on a real limit and covers every block once", async () => {
    proxy.inject({ kind: 'RANGE_TOO_LARGE', maxRange: 16, style: 'alchemy' });
    const gen = fetchLogsAdaptive(pool(), {
      ...base(),
      fromBlock: 0,
      toBlock: head,
      initialPage: 100,
      maxPage: 100,
    });
    const pages: LogPage[] = [];
    for await (const p of gen) pages.push(p);

    expectExactCover(pages, 0, head);
    const spans = getLogsSpans();
    expect(spans[0]).toEqual({ span: 100, refused: true });
    // Alchemy names the range and a hard 16-block span: one refusal, then never wider again.
    expect(spans.filter((s) => s.refused)).toHaveLength(1);
    expect(Math.max(...pages.map((p) => p.toBlock - p.fromBlock + 1))).toBe(16);
    expect(gen.pageSize).toBe(16);
  });

  it('halves when the provider gives no figure, then grows back after successes', async () => {
    proxy.inject({ kind: 'RANGE_TOO_LARGE', maxRange: 10, style: 'chainstack' });
    const pages = await collect({
      ...base(),
      fromBlock: 0,
      toBlock: head,
      initialPage: 64,
      maxPage: 64,
      growAfter: 2,
    });

    expectExactCover(pages, 0, head);
    const spans = getLogsSpans();
    expect(spans.slice(0, 4)).toEqual([
      { span: 64, refused: true },
      { span: 32, refused: true },
      { span: 16, refused: true },
      { span: 8, refused: false },
    ]);
    // After two accepted pages of 8 it tries 16 again (refused, back to 8): it keeps probing upward.
    const tried16Later = spans.slice(4).some((s) => s.span === 16 && s.refused);
    expect(tried16Later).toBe(true);
    expect(pages.every((p) => p.toBlock - p.fromBlock + 1 <= 10)).toBe(true);
  });

  it('grows x2 after N successes up to maxPage', async () => {
    const pages = await collect({
      ...base(),
      fromBlock: 0,
      toBlock: head,
      initialPage: 2,
      maxPage: 32,
      growAfter: 2,
    });
    expectExactCover(pages, 0, head);
    const sizes = pages.map((p) => p.toBlock - p.fromBlock + 1);
    expect(sizes.slice(0, 9)).toEqual([2, 2, 4, 4, 8, 8, 16, 16, 32]);
    expect(Math.max(...sizes)).toBe(32);
    expect(pages.at(-1)?.pageSize).toBe(32);
  });

  it('shrinks when every endpoint chokes on a heavy range without saying why (500s, timeouts)', async () => {
    proxy.inject({
      kind: 'HTTP_500',
      maxRange: 8,
      message: 'no backend is currently healthy to serve traffic',
    });
    const pages = await collect({
      ...base(),
      fromBlock: firstBlock,
      toBlock: head,
      initialPage: 32,
      maxPage: 32,
    });
    expectExactCover(pages, firstBlock, head);
    expect(pages[0]?.toBlock).toBe(firstBlock + 7);
  });

  it('also shrinks on range wording nobody has catalogued (classified FATAL), a bounded number of times', async () => {
    proxy.inject({
      kind: 'RANGE_TOO_LARGE',
      maxRange: 8,
      style: 'geth',
      message: 'span of blocks not allowed by the plan',
    });
    const pages = await collect({ ...base(), fromBlock: 0, toBlock: head, initialPage: 32, maxPage: 32 });
    expectExactCover(pages, 0, head);
    expect(getLogsSpans().slice(0, 3)).toEqual([
      { span: 32, refused: true },
      { span: 16, refused: true },
      { span: 8, refused: false },
    ]);

    proxy.clear();
    proxy.inject({
      kind: 'RANGE_TOO_LARGE',
      maxRange: 1,
      style: 'geth',
      message: 'span of blocks not allowed by the plan',
    });
    const err = await collect({
      ...base(),
      fromBlock: 0,
      toBlock: head,
      initialPage: 64,
      maxPage: 64,
      shrinkOnUnknown: 2,
    }).catch((e: unknown) => e);
    expect(isRpcError(err) && err.kind).toBe('FATAL'); // 64 -> 32 -> 16, then it gives up
  });

  it('rethrows a range error at minPage, with the page size still readable', async () => {
    proxy.inject({ kind: 'RANGE_TOO_LARGE', maxRange: 1, style: 'geth' });
    const gen = fetchLogsAdaptive(pool(), {
      ...base(),
      fromBlock: 10,
      toBlock: 40,
      initialPage: 8,
      minPage: 2,
      maxPage: 8,
    });
    const err = await (async () => {
      for await (const _page of gen) {
        /* no page can succeed */
      }
    })().catch((e: unknown) => e);
    expect(isRpcError(err) && err.kind).toBe('RANGE_TOO_LARGE');
    expect(gen.pageSize).toBe(2);
  });

  it('yields nothing for an empty range and filters by address', async () => {
    expect(await collect({ ...base(), fromBlock: 5, toBlock: 4, initialPage: 10, maxPage: 10 })).toEqual([]);
    const pages = await collect({
      address: [emitterB],
      topics: [[OTHER]],
      fromBlock: 0,
      toBlock: head,
      initialPage: 50,
      maxPage: 50,
    });
    const logs = pages.flatMap((p) => p.logs);
    expect(logs.length).toBe(Math.floor((BLOCKS - 1) / 5) + 1);
    expect(new Set(logs.map((l) => l.address))).toEqual(new Set([emitterB.toLowerCase()]));
  });

  it('property: any range, start size and provider limit -> ordered exact cover with the right logs', async () => {
    const styles: RangeStyle[] = [
      'alchemy',
      'infura',
      'quicknode',
      'geth',
      'reth',
      'coinbase',
      'cloudflare',
      'drpc',
      'chainstack',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(...styles),
        fc.integer({ min: 1, max: 4 }),
        async (from, length, initialPage, maxRange, style, growAfter) => {
          proxy.clear();
          proxy.inject({ kind: 'RANGE_TOO_LARGE', maxRange, style });
          const to = Math.min(head, from + length);
          const pages = await collect({
            ...base(),
            fromBlock: from,
            toBlock: to,
            initialPage,
            maxPage: 64,
            growAfter,
          });
          expectExactCover(pages, from, Math.max(to, from - 1));
          for (const p of pages) expect(p.toBlock - p.fromBlock + 1).toBeLessThanOrEqual(maxRange);
        },
      ),
      { numRuns: 40 },
    );
  });
});
