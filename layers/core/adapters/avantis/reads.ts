// Reads a copy makes right before signing: the follower's own positions (the core API's
// `/user-data`, docs/avantis.md v2 §11.5), the current price of a pair, and on chain the TradingRouter's
// `delegation(trader, delegate)` and `nonceBitmap(signer, wordPos)` views (docs/local-avantis.md).
// Answers are checked with zod; a read that fails throws, so nothing is signed on a guess.
import { Interface } from 'ethers';
import { z } from 'zod';
import { noncePosition } from '../../domain/avantis/intents.js';
import type { OwnPosition } from '../../domain/copy/orders.js';
import type { Delegation, DelegationRead, PositionsRead, PriceRead } from '../../ports/copy.js';
import type { RpcPool } from '../chain/rpc-pool.js';

const dec = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));

const userData = z.object({
  positions: z.array(
    z
      .object({
        pairIndex: z.coerce.number().int().nonnegative(),
        index: z.coerce.number().int().nonnegative(),
        buy: z.boolean(),
        collateral: dec,
        leverage: dec,
        openPrice: dec,
        timestamp: dec,
      })
      .loose(),
  ),
});
const priceBody = z.object({ pairIndex: z.coerce.number().int(), price: dec }).loose();

/**
 * As long as the RPC's and the batched-market's: a read that times out fails the whole copy job,
 * which then reads everything again. At 5 s a burst of 1,000 copies on the local stack (the service
 * answering slowly, not failing) ran each job 4.8 times, and the retries were most of its load.
 */
const READ_TIMEOUT_MS = 10_000;

async function getJson(url: string, fetchFn: typeof fetch): Promise<unknown> {
  const res = await fetchFn(url, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url.replace(/\?.*/, '')} answered ${res.status}`);
  return res.json();
}

export class HttpPositionsRead implements PositionsRead {
  constructor(
    private readonly userDataUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async positionsOf(wallet: string): Promise<OwnPosition[]> {
    const body = userData.parse(await getJson(`${this.userDataUrl}?trader=${wallet}`, this.fetchFn));
    return body.positions.map((p) => ({
      pairIndex: p.pairIndex,
      index: p.index,
      buy: p.buy,
      collateral: p.collateral,
      leverage: p.leverage,
      openPrice: p.openPrice,
      timestamp: p.timestamp,
    }));
  }
}

/** Prices change every block; one read per pair per second is plenty for a burst of copies. */
export class HttpPriceRead implements PriceRead {
  private readonly cache = new Map<number, { at: number; price: Promise<bigint> }>();

  constructor(
    private readonly pricesUrl: string,
    private readonly maxAgeMs = 1_000,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  priceOf(pairIndex: number): Promise<bigint> {
    const hit = this.cache.get(pairIndex);
    if (hit && Date.now() - hit.at < this.maxAgeMs) return hit.price;
    const price = getJson(`${this.pricesUrl.replace(/\/+$/, '')}/${pairIndex}`, this.fetchFn).then(
      (b) => priceBody.parse(b).price,
    );
    price.catch(() => this.cache.delete(pairIndex));
    this.cache.set(pairIndex, { at: Date.now(), price });
    return price;
  }
}

const router = new Interface([
  'function delegation(address trader, address delegate) view returns (bool isEnabled, uint256 expiry)',
  'function nonceBitmap(address signer, uint256 wordPos) view returns (uint256)',
]);

export class ChainDelegationRead implements DelegationRead {
  constructor(
    private readonly pool: Pick<RpcPool, 'send'>,
    private readonly tradingRouter: string,
  ) {}

  private async call(fn: string, args: unknown[]): Promise<ReturnType<Interface['decodeFunctionResult']>> {
    const data = router.encodeFunctionData(fn, args);
    const out = (await this.pool.send('eth_call', [{ to: this.tradingRouter, data }, 'latest'])) as string;
    return router.decodeFunctionResult(fn, out);
  }

  async delegation(trader: string, delegate: string): Promise<Delegation> {
    const [isEnabled, expiry] = await this.call('delegation', [trader, delegate]);
    return { isEnabled: Boolean(isEnabled), expiry: Number(expiry as bigint) };
  }

  async nonceUsed(signer: string, nonce: bigint): Promise<boolean> {
    const { wordPos, bit } = noncePosition(nonce);
    const [word] = await this.call('nonceBitmap', [signer, wordPos]);
    return (((word as bigint) >> BigInt(bit)) & 1n) === 1n;
  }

  private head: Promise<number> | undefined;

  /**
   * The head block's timestamp. Callers that ask while a read is out share it: a burst of copies
   * makes one eth_getBlockByNumber per round trip, not one each, and a time at most one round trip
   * old only decides whether a delegation is still unexpired (the contract checks it again).
   */
  chainTime(): Promise<number> {
    this.head ??= this.pool
      .send('eth_getBlockByNumber', ['latest', false])
      .then((block) => Number(BigInt(headBlock.parse(block).timestamp)))
      .finally(() => (this.head = undefined));
    return this.head;
  }
}

const headBlock = z.object({ timestamp: z.string().regex(/^0x[0-9a-fA-F]+$/) }).loose();
