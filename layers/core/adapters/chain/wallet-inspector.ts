// A follower's wallet on chain: who it delegated to on Avantis Trading, how much USDC it approved
// for TradingStorage, and its USDC balance; three eth_calls through the RPC pool.
import { Interface } from 'ethers';
import type { AvantisDeployment } from '../../domain/avantis/addresses.js';
import type { WalletStatus } from '../../domain/bot-views.js';
import type { RpcPool } from './rpc-pool.js';

const trading = new Interface(['function delegations(address) view returns (address)']);
const erc20 = new Interface([
  'function allowance(address owner, address spender) view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
]);

export class WalletInspector {
  constructor(
    private readonly pool: Pick<RpcPool, 'send'>,
    private readonly contracts: Pick<AvantisDeployment, 'trading' | 'tradingStorage' | 'usdc'>,
    private readonly executor: string,
  ) {}

  private async call(to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown> {
    const data = iface.encodeFunctionData(fn, args);
    const result = (await this.pool.send('eth_call', [{ to, data }, 'latest'])) as string;
    return iface.decodeFunctionResult(fn, result)[0] as unknown;
  }

  async status(wallet: string): Promise<WalletStatus> {
    const tradingAddress = this.contracts.trading[0] as string;
    const [delegate, allowance, balance] = await Promise.all([
      this.call(tradingAddress, trading, 'delegations', [wallet]),
      this.call(this.contracts.usdc, erc20, 'allowance', [wallet, this.contracts.tradingStorage]),
      this.call(this.contracts.usdc, erc20, 'balanceOf', [wallet]),
    ]);
    const delegatedTo = String(delegate).toLowerCase();
    return {
      wallet,
      executor: this.executor,
      delegatedTo: /^0x0{40}$/.test(delegatedTo) ? undefined : delegatedTo,
      allowanceUsdc: BigInt(allowance as bigint),
      balanceUsdc: BigInt(balance as bigint),
      trading: tradingAddress,
      tradingStorage: this.contracts.tradingStorage,
      usdc: this.contracts.usdc,
    };
  }
}
