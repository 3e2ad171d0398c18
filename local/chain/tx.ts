// Sending transactions to a local chain quickly and without nonce races: one nonce counter per
// wallet (so sends from one wallet never wait for each other's receipts), explicit gas limits and
// fees (no estimate round trip, and a revert is mined rather than thrown), and receipts looked up
// once per new block (ethers' own wait polls every 4 s, far too slow for anvil).
import type { BaseWallet, JsonRpcProvider, TransactionReceipt } from 'ethers';

const GWEI = 10n ** 9n;
const FEE_TTL_MS = 1000;

export interface TxRequest {
  readonly to?: string;
  readonly data: string;
  readonly value?: bigint;
  readonly gasLimit: bigint;
}

const feeCache = new WeakMap<JsonRpcProvider, { at: number; fees: Promise<Fees> }>();
interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** EIP-1559 fees with headroom for a few rising blocks, cached for a second per provider. */
function fees(provider: JsonRpcProvider): Promise<Fees> {
  const hit = feeCache.get(provider);
  if (hit && Date.now() - hit.at < FEE_TTL_MS) return hit.fees;
  const p = provider.getBlock('latest').then((b) => {
    const base = b?.baseFeePerGas ?? GWEI;
    const tip = GWEI / 1000n;
    return { maxFeePerGas: base * 2n + GWEI + tip, maxPriorityFeePerGas: tip };
  });
  feeCache.set(provider, { at: Date.now(), fees: p });
  p.catch(() => feeCache.delete(provider));
  return p;
}

/** Sends from one wallet with locally assigned nonces; safe to call concurrently. */
export class NonceSender {
  private next: Promise<number> | undefined;
  private chainId: Promise<bigint> | undefined;

  constructor(
    readonly wallet: BaseWallet,
    readonly provider: JsonRpcProvider,
  ) {}

  get address(): string {
    return this.wallet.address;
  }

  /** Signs and broadcasts; resolves with the hash once the node accepted it (not mined). */
  async send(req: TxRequest): Promise<string> {
    this.chainId ??= this.provider.getNetwork().then((n) => n.chainId);
    // Take a nonce synchronously relative to other callers: chain the counter promise.
    const base = (this.next ??= this.provider.getTransactionCount(this.wallet.address, 'pending'));
    const following = base.then((n) => n + 1);
    this.next = following;
    following.catch(() => {
      if (this.next === following) this.next = undefined;
    });
    const [nonce, chainId, fee] = await Promise.all([base, this.chainId, fees(this.provider)]);
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId,
      nonce,
      to: req.to ?? null,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit: req.gasLimit,
      ...fee,
    });
    try {
      return (await this.provider.send('eth_sendRawTransaction', [raw])) as string;
    } catch (err) {
      // The node refused it (e.g. someone else used this wallet): resync from the chain.
      this.next = undefined;
      throw err;
    }
  }

  /** Sends and waits for the receipt (status 0 is returned, not thrown). */
  async sendAndWait(req: TxRequest, timeoutMs?: number): Promise<TransactionReceipt> {
    return waitReceipt(this.provider, await this.send(req), timeoutMs);
  }
}

/**
 * The chain head as every waiter of one provider sees it: one eth_blockNumber every 20 ms while
 * anyone waits, however many wait. Waiting for a receipt is waiting for a block: polling each
 * pending transaction every few ms made a burst of 200 relayer and keeper transactions cost the
 * local Avantis service a core in receipt calls alone.
 */
class HeadWatch {
  private head = -1;
  private readonly waiters = new Set<{ since: number; wake: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly provider: JsonRpcProvider) {}

  get seen(): number {
    return this.head;
  }

  /** Resolves once a head above `since` is seen, or after `maxMs`. */
  after(since: number, maxMs: number): Promise<void> {
    if (this.head > since) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        since,
        wake: () => {
          clearTimeout(cap);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const cap = setTimeout(waiter.wake, maxMs);
      this.waiters.add(waiter);
      this.timer ??= setTimeout(() => void this.tick(), 20);
    });
  }

  private async tick(): Promise<void> {
    try {
      const n = Number(await this.provider.send('eth_blockNumber', []));
      if (n > this.head) this.head = n;
    } catch {
      // a failed poll is retried on the next tick; the waiters' caps bound the wait
    }
    for (const w of [...this.waiters]) if (this.head > w.since) w.wake();
    this.timer = this.waiters.size > 0 ? setTimeout(() => void this.tick(), 20) : undefined;
  }
}
const heads = new WeakMap<JsonRpcProvider, HeadWatch>();

/** Waits for a receipt: one look now, then one per new block (at most a second apart). */
export async function waitReceipt(
  provider: JsonRpcProvider,
  hash: string,
  timeoutMs = 60_000,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  let watch = heads.get(provider);
  if (!watch) heads.set(provider, (watch = new HeadWatch(provider)));
  for (;;) {
    const since = watch.seen;
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no receipt for ${hash} after ${timeoutMs} ms`);
    await watch.after(since, Math.min(left, 1_000));
  }
}

/** Sets an account's ETH balance (anvil and hardhat only). */
export async function setBalance(provider: JsonRpcProvider, address: string, wei: bigint): Promise<void> {
  await provider.send('anvil_setBalance', [address, `0x${wei.toString(16)}`]);
}
