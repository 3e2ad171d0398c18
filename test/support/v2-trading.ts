// Trading on the local Avantis v2 the way people do on Base, for the copy tests and the copy
// benchmark: a fresh wallet with ETH and USDC approved to TradingStorage, a trader opening and
// closing with their own signed intents through the batched-market service, a follower registering
// their Alfa delegate key on the TradingRouter, and the service's fault injection.
import { Contract, JsonRpcProvider, Wallet, type BaseWallet, type TransactionReceipt } from 'ethers';
import { HttpBatchedMarket } from '#core/adapters/avantis/batched-market.js';
import { HttpPositionsRead } from '#core/adapters/avantis/reads.js';
import { encodeIntent, intentDigest, tradingDomain } from '#core/domain/avantis/intents.js';
import type { ServiceEvent } from '#core/domain/copy/intent.js';
import { closeTradeReq, openTradeReq, type OwnPosition } from '#core/domain/copy/orders.js';
import type { AvantisInfo } from '../../local/avantis/local-service.js';
import { setBalance } from '../../local/chain/tx.js';

export const P = 10_000_000_000n;
export const USDC = 1_000_000n;
const MAX = 2n ** 256n - 1n;

export function provider(rpcUrl: string): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
}

export class V2Account {
  private constructor(
    readonly wallet: BaseWallet,
    private readonly avantis: AvantisInfo,
  ) {}

  get address(): string {
    return this.wallet.address.toLowerCase();
  }

  /** A new wallet with 10 ETH and `usdc` USDC approved to TradingStorage. */
  static async create(p: JsonRpcProvider, avantis: AvantisInfo, usdc = 10_000n * USDC): Promise<V2Account> {
    const wallet = Wallet.createRandom().connect(p);
    await setBalance(p, wallet.address, 10n * 10n ** 18n);
    const token = new Contract(
      avantis.usdc,
      ['function mint(address,uint256)', 'function approve(address,uint256) returns (bool)'],
      wallet,
    );
    await wait(token.getFunction('mint')(wallet.address, usdc));
    await wait(token.getFunction('approve')(avantis.contracts.tradingStorage, MAX));
    return new V2Account(wallet, avantis);
  }

  /** Registers `delegate` on the TradingRouter (what a follower does for their Alfa key). */
  async setDelegate(delegate: string, expiry: number): Promise<TransactionReceipt> {
    const router = new Contract(
      this.avantis.tradingRouter,
      ['function setDelegate(address,uint256)'],
      this.wallet,
    );
    return wait(router.getFunction('setDelegate')(delegate, expiry));
  }

  private market() {
    return new HttpBatchedMarket({ baseUrl: this.avantis.batchedMarketUrl });
  }

  positions(): Promise<OwnPosition[]> {
    return new HttpPositionsRead(this.avantis.userDataUrl).positionsOf(this.address);
  }

  /** Opens a market position with the wallet's own signature; resolves with the stream's events. */
  async open(o: {
    pairIndex: number;
    buy: boolean;
    leverage: bigint;
    collateralUsdc: bigint;
    price: bigint;
    tp?: bigint;
    sl?: bigint;
  }) {
    const built = openTradeReq({
      wallet: this.wallet.address,
      pairIndex: o.pairIndex,
      buy: o.buy,
      leverage: o.leverage,
      collateralUsdc: o.collateralUsdc,
      referencePrice: o.price,
      trader: { openPrice: o.price, tp: o.tp ?? 0n, sl: o.sl ?? 0n },
      slippageP: 5n * P,
      pnl: false,
      deadlineMs: BigInt(Date.now() + 120_000),
      nonce: BigInt(Date.now()) * 1_000n + BigInt(Math.floor(Math.random() * 1000)),
    });
    return this.submit('OpenTradeReq', built.orderType, built.message);
  }

  /** Closes `closed / of` of one of the wallet's positions, bound to its open timestamp read now. */
  async close(pairIndex: number, index: number, closed: bigint, of: bigint, price: bigint) {
    const position = (await this.positions()).find((x) => x.pairIndex === pairIndex && x.index === index);
    if (!position) throw new Error(`no position ${pairIndex}/${index}`);
    const built = closeTradeReq({
      wallet: this.wallet.address,
      position,
      fraction: { closed, of },
      wantedPrice: price,
      pnl: false,
      deadlineMs: BigInt(Date.now() + 120_000),
      nonce: BigInt(Date.now()) * 1_000n + 500n + BigInt(Math.floor(Math.random() * 400)),
    });
    if (!built) throw new Error('nothing to close');
    return this.submit('CloseTradeReq', built.orderType, built.message);
  }

  private async submit(kind: 'OpenTradeReq' | 'CloseTradeReq', orderType: number, message: object) {
    const domain = tradingDomain(this.avantis.chainId, this.avantis.tradingRouter);
    const signature = this.wallet.signingKey.sign(intentDigest(kind, domain, message)).serialized;
    const market = this.market();
    const events: ServiceEvent[] = [];
    for await (const e of market.submit(orderType, encodeIntent(kind, message), signature)) events.push(e);
    const last = ended(events) ?? (await replayed(market, events));
    if (last?.type !== 'MarketOrderExecuted') throw new Error(`trader order ended ${JSON.stringify(last)}`);
    return last;
  }
}

const REPLAY_FOR_MS = 180_000;

/** The stream's terminal event; undefined when it ended without one (a timeout or a cut stream). */
function ended(events: readonly ServiceEvent[]): ServiceEvent | undefined {
  const last = events.at(-1);
  if (last?.type === 'MarketOrderExecuted' || last?.type === 'MarketOrderCanceled') return last;
  return last?.type === 'Error' && last.code !== 'STREAM_TIMEOUT' ? last : undefined;
}

/** As a client on Base does when its stream ends early: the order goes on, replayed by trackingId. */
async function replayed(market: HttpBatchedMarket, events: readonly ServiceEvent[]) {
  const accepted = events.find((e) => e.type === 'MarketOrderAccepted');
  if (!accepted) return events.at(-1);
  const until = Date.now() + REPLAY_FOR_MS;
  while (Date.now() < until) {
    const found = ended(((await market.status(accepted.trackingId, 0)) ?? []).map((t) => t.event));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  return events.at(-1);
}

async function wait(
  tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>,
): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt?.status !== 1) throw new Error('transaction failed');
  return receipt;
}

/** The service's fault injection (docs/local-avantis.md), scoped to one trader when given. */
export async function arm(avantis: AvantisInfo, faults: Record<string, number | string>): Promise<void> {
  const res = await fetch(avantis.faultsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`faults answered ${res.status}: ${await res.text()}`);
}

export async function price(avantis: AvantisInfo, pairIndex: number): Promise<bigint> {
  const res = await fetch(`${avantis.pricesUrl.replace(/\/+$/, '')}/${pairIndex}`);
  return BigInt(((await res.json()) as { price: string }).price);
}
