// The copy executor: signs `Trading.delegatedAction(user, openTrade | closeTradeMarket)` with the
// executor key (from Secrets Manager) for users who delegated to it. Funds stay in the user's wallet.
// One sender at a time per executor address (a lease in the state table), with the nonce read from
// the chain's pending count under that lease, so concurrent containers never reuse a nonce.
import type { KMSClient } from '@aws-sdk/client-kms';
import { Interface, JsonRpcProvider, Wallet, type AbstractSigner, type TransactionRequest } from 'ethers';
import type { SentCopy } from '../../ports.js';
import { KmsSigner } from './kms-signer.js';
import type { AvantisDeployment } from '../../domain/avantis/addresses.js';

/** Avantis v1.5 function fragments (FACTS 7.1); the Trade tuple is the emitted struct's layout. */
const TRADE =
  'tuple(address trader, uint256 pairIndex, uint256 index, uint256 initialPosToken, uint256 positionSizeUSDC, uint256 openPrice, bool buy, uint256 leverage, uint256 tp, uint256 sl, uint256 timestamp)';
const trading = new Interface([
  `function openTrade(${TRADE} t, uint8 _type, uint256 _slippageP) payable returns (uint256)`,
  'function closeTradeMarket(uint256 _pairIndex, uint256 _index, uint256 _amount) payable returns (uint256)',
  'function delegatedAction(address trader, bytes call_data) payable returns (bytes)',
]);

/** The SDK's fallback execution fee, paid in ETH on the outer call (FACTS 7.3). */
export const EXECUTION_FEE_WEI = 350_000_000_000_000n;
/** Slippage for market copies, percent x 1e10 (1%). */
export const COPY_SLIPPAGE = 10_000_000_000n;
const GAS_LIMIT = 1_500_000n;
const GWEI = 1_000_000_000n;

export type SentTx = SentCopy;

export interface SenderLease {
  /** Runs `fn` while holding the executor's send lease. */
  withLease<T>(executor: string, fn: () => Promise<T>): Promise<T>;
}

/** Where the executor's key lives: Secrets Manager (a private key) or AWS KMS (a key that never leaves it). */
export type ExecutorKey =
  { readonly privateKey: string } | { readonly kms: KMSClient; readonly keyId: string };

export class CopyExecutor {
  private constructor(
    private readonly provider: JsonRpcProvider,
    private readonly signer: AbstractSigner,
    readonly address: string,
    private readonly contracts: Pick<AvantisDeployment, 'trading'>,
    private readonly lease: SenderLease,
  ) {}

  static async create(
    rpcUrl: string,
    key: ExecutorKey,
    contracts: Pick<AvantisDeployment, 'trading'>,
    lease: SenderLease,
  ): Promise<CopyExecutor> {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const signer =
      'privateKey' in key
        ? new Wallet(key.privateKey, provider)
        : new KmsSigner(key.kms, key.keyId, provider);
    const address = (await signer.getAddress()).toLowerCase();
    return new CopyExecutor(provider, signer, address, contracts, lease);
  }

  openCalldata(o: {
    user: string;
    pairIndex: number;
    buy: boolean;
    leverage: bigint;
    collateralUsdc: bigint;
    wantedPrice: bigint;
  }): string {
    const trade = [o.user, o.pairIndex, 0, 0, o.collateralUsdc, o.wantedPrice, o.buy, o.leverage, 0, 0, 0];
    const inner = trading.encodeFunctionData('openTrade', [trade, 0, COPY_SLIPPAGE]);
    return trading.encodeFunctionData('delegatedAction', [o.user, inner]);
  }

  closeCalldata(o: { user: string; pairIndex: number; index: number; amountUsdc: bigint }): string {
    const inner = trading.encodeFunctionData('closeTradeMarket', [o.pairIndex, o.index, o.amountUsdc]);
    return trading.encodeFunctionData('delegatedAction', [o.user, inner]);
  }

  /** Signs and broadcasts under the lease; `bump` raises the fee when replacing a stuck nonce. */
  async send(data: string, opts: { nonce?: number; bumpFrom?: bigint } = {}): Promise<SentTx> {
    return this.lease.withLease(this.address, async () => {
      const [nonce, block, chain] = await Promise.all([
        opts.nonce ?? this.provider.getTransactionCount(this.address, 'pending'),
        this.provider.getBlock('latest'),
        this.provider.getNetwork(),
      ]);
      const base = block?.baseFeePerGas ?? GWEI;
      const tip = GWEI / 10n;
      let maxFeePerGas = base * 2n + tip;
      if (opts.bumpFrom !== undefined && maxFeePerGas <= (opts.bumpFrom * 5n) / 4n)
        maxFeePerGas = (opts.bumpFrom * 5n) / 4n + 1n;
      const tx: TransactionRequest = {
        type: 2,
        chainId: chain.chainId,
        to: this.contracts.trading[0] as string,
        data,
        value: EXECUTION_FEE_WEI,
        nonce,
        gasLimit: GAS_LIMIT,
        maxFeePerGas,
        maxPriorityFeePerGas: tip > maxFeePerGas ? maxFeePerGas : tip,
      };
      const signed = await this.signer.signTransaction(tx);
      const txHash = (await this.provider.send('eth_sendRawTransaction', [signed])) as string;
      return {
        txHash: txHash.toLowerCase(),
        nonce,
        maxFeePerGas: maxFeePerGas.toString(),
        sentBy: this.address,
        sentBlock: block?.number ?? 0,
        calldata: data,
      };
    });
  }

  /** Simulates the call first: a revert (not delegated, no allowance, below minimum) fails here, for free. */
  async simulate(data: string): Promise<string | undefined> {
    try {
      await this.provider.call({
        from: this.address,
        to: this.contracts.trading[0] as string,
        data,
        value: EXECUTION_FEE_WEI,
      });
      return undefined;
    } catch (err) {
      const e = err as { reason?: string; shortMessage?: string };
      return e.reason ?? e.shortMessage ?? String(err);
    }
  }

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async receiptStatus(txHash: string): Promise<'MINED' | 'REVERTED' | 'PENDING'> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (!receipt) return 'PENDING';
    return receipt.status === 1 ? 'MINED' : 'REVERTED';
  }
}
