// The faultable RPC proxy as the rpc drill drives it, over its HTTP control routes, in front of a
// real anvil: a request that hangs past the client's timeout, 429 with Retry-After, and a node
// lagging N blocks behind the head (its head, blocks, receipts and logs held back), which the
// indexer's RPC pool must fail over from instead of reading "no trades". Real HTTP throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcPool } from '#core/adapters/chain/rpc-pool.js';
import { startAnvil, type Anvil } from '../../../../local/chain/anvil.js';
import {
  ProxyStatsSchema,
  startFaultyRpcProxy,
  type FaultyRpcProxy,
} from '../../../../local/standins/faulty-rpc-proxy.js';
import { emitterInitCode, receiptOf, rpc } from '../../../support/json-rpc.js';

/** keccak256-shaped topic of the one event the test emitter logs. */
const PING = '0x' + 'cd'.repeat(32);

let anvil: Anvil;
let proxy: FaultyRpcProxy;
let healthy: FaultyRpcProxy;
let emitter: string;
let lastTx: string;

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (rpc-proxy test)' });
  const [from] = (await rpc(anvil.url, 'eth_accounts')) as string[];
  const deploy = await rpc(anvil.url, 'eth_sendTransaction', [
    { from, data: emitterInitCode(PING), gas: '0x100000' },
  ]);
  emitter = (await receiptOf(anvil.url, deploy)).contractAddress;
  // Blocks 2..6 each hold one Ping log (automine: a block per transaction).
  for (let i = 0; i < 5; i++)
    lastTx = String(
      await rpc(anvil.url, 'eth_sendTransaction', [{ from, to: emitter, data: `0x0${i}`, gas: '0x30000' }]),
    );
  await receiptOf(anvil.url, lastTx);
  proxy = await startFaultyRpcProxy({ target: anvil.url });
  healthy = await startFaultyRpcProxy({ target: anvil.url });
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  await healthy?.close();
  await anvil?.stop();
});

async function control(path: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown) {
  const res = await fetch(`${proxy.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const call = (method: string, params: unknown[] = [], signal?: AbortSignal) =>
  fetch(proxy.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    ...(signal ? { signal } : {}),
  });
const result = async (method: string, params: unknown[] = []) =>
  ((await (await call(method, params)).json()) as { result: unknown }).result;

describe('faultable RPC proxy (drill control routes)', () => {
  it('hangs past the client timeout as many times as asked, then answers again', async () => {
    // Prepare
    await control('/_alfa/faults', 'DELETE');
    const armed = await control('/_alfa/faults', 'POST', { kind: 'TIMEOUT', hangMs: 5_000, times: 1 });

    // Act
    const t0 = performance.now();
    const hung = await call('eth_blockNumber', [], AbortSignal.timeout(300)).then(
      () => 'answered',
      (err: unknown) => (err instanceof Error ? err.name : String(err)),
    );
    const waitedMs = performance.now() - t0;
    const next = await result('eth_blockNumber');
    const stats = ProxyStatsSchema.parse((await control('/_alfa/stats', 'GET')).body);

    // Assess
    expect(armed.status).toBe(200);
    expect(hung).toBe('TimeoutError');
    expect(waitedMs).toBeGreaterThanOrEqual(290);
    expect(next).toBe('0x6');
    expect(stats.faulted).toEqual({ TIMEOUT: 1 });
    expect(stats.armed).toBe(0);
  });

  it('answers 429 with the Retry-After asked, and the pool waits it out on another endpoint', async () => {
    // Prepare
    await control('/_alfa/faults', 'DELETE');
    await control('/_alfa/faults', 'POST', { kind: 'HTTP_429', retryAfterSeconds: 7, times: 2 });

    // Act
    const first = await call('eth_chainId');
    const retryAfter = first.headers.get('retry-after');
    await first.text();
    const pool = new RpcPool({ urls: [proxy.url, healthy.url], timeoutMs: 1_000 });
    const head = await pool.blockNumber();
    const [throttled] = pool.stats().endpoints;
    const third = await call('eth_chainId');

    // Assess: the second 429 went to the pool, which moved on and left the endpoint alone ~7 s.
    expect(first.status).toBe(429);
    expect(retryAfter).toBe('7');
    expect(head).toBe(6);
    expect(throttled?.cooldownRemainingMs).toBeGreaterThan(5_000);
    expect(third.status).toBe(200);
  });

  it('lags N blocks behind the head, and the pool fails over instead of reading "no trades"', async () => {
    // Prepare
    await control('/_alfa/faults', 'DELETE');
    const set = await control('/_alfa/lag', 'POST', { blocks: 3 });
    const logsTo = (toBlock: string) => [{ fromBlock: '0x2', toBlock, address: emitter, topics: [[PING]] }];

    // Act
    const head = await result('eth_blockNumber');
    const latest = (await result('eth_getBlockByNumber', ['latest', false])) as { number: string };
    const above = await result('eth_getBlockByNumber', ['0x5', false]);
    const receipt = await result('eth_getTransactionReceipt', [lastTx]);
    const logs = (await result('eth_getLogs', logsTo('0x6'))) as unknown[];
    const pool = new RpcPool({ urls: [proxy.url, healthy.url], timeoutMs: 1_000 });
    const pooled = await pool.getLogs({ fromBlock: 2, toBlock: 6, address: [emitter], topics: [[PING]] });
    const lagged = ProxyStatsSchema.parse((await control('/_alfa/stats', 'GET')).body);
    await control('/_alfa/lag', 'POST', { blocks: 0 });
    const inStep = await result('eth_blockNumber');

    // Assess
    expect(set.status).toBe(200);
    expect(head).toBe('0x3');
    expect(latest.number).toBe('0x3');
    expect(above).toBeNull();
    expect(receipt).toBeNull();
    expect(logs).toHaveLength(2); // blocks 2 and 3 only: what a lagging node really answers
    expect(pooled.map((l) => l.blockNumber)).toEqual([2, 3, 4, 5, 6]);
    expect(lagged.lagBlocks).toBe(3);
    expect(lagged.lagged).toBeGreaterThanOrEqual(5);
    expect(inStep).toBe('0x6');
  });

  it('refuses a fault it does not know and routes it has not', async () => {
    // Act
    const bad = await control('/_alfa/faults', 'POST', { kind: 'EXPLODE' });
    const negative = await control('/_alfa/lag', 'POST', { blocks: -1 });
    const unknown = await control('/_alfa/nope', 'GET');

    // Assess
    expect(bad.status).toBe(400);
    expect(negative.status).toBe(400);
    expect(unknown.status).toBe(404);
  });
});
