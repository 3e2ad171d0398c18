// The RPC pool against a real anvil behind fault-injecting proxies: failover from dead, slow,
// throttling and lying endpoints, Retry-After, and one typed error naming every endpoint (redacted)
// when none answers. Starts its own anvil; does not use the shared local stack.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcUnavailableError, isRpcError } from '#core/adapters/chain/rpc-errors.js';
import { RpcPool, type RpcPoolOptions } from '#core/adapters/chain/rpc-pool.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { freePort } from '../../../local/processes.js';
import { emitterInitCode, receiptOf, rpc } from '../../support/json-rpc.js';
import { startFaultyRpcProxy, type FaultyRpcProxy } from '../../../local/standins/faulty-rpc-proxy.js';

/** keccak256("Ping(bytes)"), the one event the test emitter logs. */
const PING = '0x' + 'ab'.repeat(32);

let anvil: Anvil;
let anvilUrl: string;
let emitter: string;
const proxies: FaultyRpcProxy[] = [];

async function proxy(): Promise<FaultyRpcProxy> {
  const p = await startFaultyRpcProxy({ target: anvilUrl });
  proxies.push(p);
  return p;
}

/** Small timings so failures and cooldowns cost milliseconds, not seconds. */
function pool(urls: string[], extra: Partial<RpcPoolOptions> = {}): RpcPool {
  return new RpcPool({
    urls,
    timeoutMs: 400,
    backoff: { baseMs: 20, maxMs: 200 },
    random: () => 0.5,
    ...extra,
  });
}

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (rpc-pool test)' });
  anvilUrl = anvil.url;
  const [from] = (await rpc(anvilUrl, 'eth_accounts')) as string[];
  const deploy = await rpc(anvilUrl, 'eth_sendTransaction', [
    { from, data: emitterInitCode(PING), gas: '0x100000' },
  ]);
  const receipt = await receiptOf(anvilUrl, deploy);
  emitter = receipt.contractAddress;
  for (let i = 0; i < 5; i++)
    await rpc(anvilUrl, 'eth_sendTransaction', [{ from, to: emitter, data: `0x0${i}`, gas: '0x30000' }]);
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await anvil?.stop();
});

const logsQuery = () => ({ fromBlock: 0, toBlock: 6, address: [emitter], topics: [[PING]] });

describe('RpcPool', () => {
  it('reads chain id, head, blocks and validated logs', async () => {
    const p = pool([(await proxy()).url]);
    expect(await p.chainId()).toBe(31337);
    const head = await p.blockNumber();
    expect(head).toBe(6);
    const block = await p.getBlock(head);
    expect(block).toMatchObject({ number: 6, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect((await p.getBlock('latest')).hash).toBe(block.hash);
    expect((await p.getBlock(5)).hash).toBe(block.parentHash);
    const logs = await p.getLogs(logsQuery());
    expect(logs.map((l) => [l.blockNumber, l.data])).toEqual([
      [2, '0x00'],
      [3, '0x01'],
      [4, '0x02'],
      [5, '0x03'],
      [6, '0x04'],
    ]);
    expect(logs[0]).toMatchObject({ address: emitter.toLowerCase(), topics: [PING], logIndex: 0 });
    expect(p.stats()).toMatchObject({ failovers: 0, unavailable: 0 });
  });

  it('fails over from a refused and a reset endpoint to a healthy one', async () => {
    const refused = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const reset = await proxy();
    reset.inject({ kind: 'DOWN' });
    const healthy = await proxy();
    // A cooldown longer than the two calls take, so "tried once, then cooling down" is what is seen.
    const p = pool([refused, reset.url, healthy.url], { backoff: { baseMs: 2_000, maxMs: 4_000 } });

    expect(await p.blockNumber()).toBe(6);
    expect((await p.getLogs(logsQuery())).length).toBe(5);

    const s = p.stats();
    expect(s.failures.UNAVAILABLE).toBe(2); // each dead one tried once, then cooling down
    expect(s.failovers).toBe(2);
    expect(s.endpoints.map((e) => e.healthy)).toEqual([false, false, true]);
    expect(s.endpoints[0]?.lastError?.message).toContain('ECONNREFUSED');
    expect(reset.requests().map((r) => r.fault)).toEqual(['DOWN']);
  });

  it('honours Retry-After on 429: waits, then the same endpoint answers', async () => {
    const only = await proxy();
    only.inject({ kind: 'HTTP_429', retryAfterSeconds: 1, times: 1 });
    const p = pool([only.url]);
    const t0 = Date.now();
    expect(await p.blockNumber()).toBe(6);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(p.stats().failures.RATE_LIMITED).toBe(1);
    expect(only.requests().map((r) => r.fault)).toEqual(['HTTP_429', undefined]);
  });

  it('with a second endpoint, a 429 moves on at once and leaves the throttled one alone for Retry-After', async () => {
    const throttled = await proxy();
    throttled.inject({ kind: 'HTTP_429', retryAfterSeconds: 2 });
    const other = await proxy();
    const p = pool([throttled.url, other.url]);
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) expect(await p.blockNumber()).toBe(6);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(throttled.requests()).toHaveLength(1); // not asked again while cooling down
    expect(p.stats().endpoints[0]?.cooldownRemainingMs).toBeGreaterThan(1_000);
  });

  it('times a hanging endpoint out and fails over', async () => {
    const slow = await proxy();
    slow.inject({ kind: 'TIMEOUT', hangMs: 10_000 });
    const fast = await proxy();
    const p = pool([slow.url, fast.url], { timeoutMs: 300 });
    const t0 = Date.now();
    expect((await p.getLogs(logsQuery())).length).toBe(5);
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(p.stats().failures.TIMEOUT).toBe(1);
  });

  it('retries garbage and wrong-shaped answers and never returns them', async () => {
    const liar = await proxy();
    liar.inject({ kind: 'GARBAGE', method: 'eth_getLogs', times: 1 });
    liar.inject({ kind: 'MALFORMED_RESULT', method: 'eth_getLogs', times: 1 });
    const p = pool([liar.url]);

    const logs = await p.getLogs(logsQuery());
    expect(logs.map((l) => l.data)).toEqual(['0x00', '0x01', '0x02', '0x03', '0x04']);
    liar.inject({ kind: 'MALFORMED_RESULT', method: 'eth_getBlockByNumber', times: 1 });
    liar.inject({ kind: 'MALFORMED_RESULT', method: 'eth_blockNumber', times: 1 });
    expect((await p.getBlock(3)).number).toBe(3);
    expect(await p.blockNumber()).toBe(6);
    expect(p.stats().failures.MALFORMED).toBe(4);
  });

  it('when every endpoint lies, throws instead of answering', async () => {
    const a = await proxy();
    const b = await proxy();
    a.inject({ kind: 'MALFORMED_RESULT' });
    b.inject({ kind: 'GARBAGE' });
    const p = pool([a.url, b.url], { maxRounds: 2 });
    const err = await p.getLogs(logsQuery()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcUnavailableError);
    expect((err as RpcUnavailableError).endpoints.map((e) => e.kind)).toEqual(['MALFORMED', 'MALFORMED']);
  });

  it('all endpoints down: RpcUnavailableError names each, with URLs redacted', async () => {
    const a = await proxy();
    const b = await proxy();
    const c = await proxy();
    a.inject({ kind: 'DOWN' });
    b.blackhole();
    c.inject({ kind: 'HTTP_500' });
    // Provider-style secret paths and query keys; the proxy serves any path.
    const urls = [
      `${a.url}/v2/SECRET-ALCHEMY-KEY`,
      `${b.url}/v3/SECRET-INFURA-KEY`,
      `${c.url}/?dkey=SECRET-DRPC-KEY`,
    ];
    const events: string[] = [];
    const p = pool(urls, { onEvent: (e) => events.push(JSON.stringify(e)) });

    const err = await p.blockNumber().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcUnavailableError);
    const u = err as RpcUnavailableError;
    expect(u.endpoints.map((e) => [e.endpoint, e.kind])).toEqual([
      [`#1 ${a.url}/…`, 'UNAVAILABLE'],
      [`#2 ${b.url}/…`, 'UNAVAILABLE'],
      [`#3 ${c.url}/…`, 'UNAVAILABLE'],
    ]);
    expect(u.message).toContain('HTTP 500');
    for (const text of [u.message, JSON.stringify(u.endpoints), ...events, JSON.stringify(p.stats())])
      expect(text).not.toMatch(/SECRET|\/v2\/|\/v3\/|dkey/);
    expect(p.stats().unavailable).toBe(1);
  });

  it('range errors go to the caller at once, typed, without failing over', async () => {
    const narrow = await proxy();
    narrow.inject({ kind: 'RANGE_TOO_LARGE', maxRange: 3, style: 'quicknode' });
    const wide = await proxy();
    const p = pool([narrow.url, wide.url]);
    const err = await p.getLogs(logsQuery()).catch((e: unknown) => e);
    expect(isRpcError(err) && err.kind).toBe('RANGE_TOO_LARGE');
    expect(isRpcError(err) && err.range).toEqual({ limit: 'blocks', maxBlocks: 3 });
    expect(wide.requests()).toHaveLength(0);
    expect(p.stats().endpoints[0]?.healthy).toBe(true);
  });

  it('refuses to read logs past an endpoint head (a lagging node would answer [] and lose trades)', async () => {
    const p = pool([(await proxy()).url]);
    const err = await p.getLogs({ ...logsQuery(), toBlock: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcUnavailableError);
    expect(String(err)).toContain('behind toBlock 50');
  });

  it('sends one request per HTTP call (no batching) and caches nothing', async () => {
    const spy = await proxy();
    const p = pool([spy.url]);
    await Promise.all([p.blockNumber(), p.blockNumber(), p.chainId()]);
    await p.blockNumber();
    expect(spy.requests().map((r) => r.method)).toEqual([
      'eth_blockNumber',
      'eth_blockNumber',
      'eth_chainId',
      'eth_blockNumber',
    ]);
  });
});
