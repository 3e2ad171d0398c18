// Sending transactions to a local chain quickly and without nonce races: one nonce counter per
// wallet (so sends from one wallet never wait for each other's receipts), explicit gas limits and
// fees (no estimate round trip, and a revert is mined rather than thrown), and receipts polled
// every few ms (ethers' own wait polls every 4 s, far too slow for anvil).
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

/** Polls for a receipt; JsonRpcProvider batches concurrent polls into one HTTP request. */
export async function waitReceipt(
  provider: JsonRpcProvider,
  hash: string,
  timeoutMs = 60_000,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Sets an account's ETH balance (anvil and hardhat only). */
export async function setBalance(provider: JsonRpcProvider, address: string, wei: bigint): Promise<void> {
  await provider.send('anvil_setBalance', [address, `0x${wei.toString(16)}`]);
}
