// A follower's wallet on chain, as /wallet shows it: whether it delegated to the user's own Alfa
// key on the Avantis v2 TradingRouter (`delegation(trader, delegate)`), the chain's time (what the
// expiry is compared with), the USDC approved to TradingStorage and the balance; eth_calls through
// the RPC pool.
import { Interface } from 'ethers';
import type { AvantisDeployment } from '../../domain/avantis/addresses.js';
import type { WalletChain } from '../../domain/wallet-link.js';
import type { RpcPool } from './rpc-pool.js';

const router = new Interface([
  'function delegation(address trader, address delegate) view returns (bool isEnabled, uint256 expiry)',
]);
const erc20 = new Interface([
  'function allowance(address owner, address spender) view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
]);

export class WalletInspector {
  constructor(
    private readonly pool: Pick<RpcPool, 'send'>,
    private readonly contracts: Pick<AvantisDeployment, 'tradingRouter' | 'tradingStorage' | 'usdc'>,
  ) {}

  private async call(to: string, iface: Interface, fn: string, args: unknown[]) {
    const data = iface.encodeFunctionData(fn, args);
    const result = (await this.pool.send('eth_call', [{ to, data }, 'latest'])) as string;
    return iface.decodeFunctionResult(fn, result);
  }

  async status(wallet: string, delegate: string): Promise<WalletChain> {
    const tradingRouter = this.contracts.tradingRouter;
    if (!tradingRouter)
      throw new Error('the TradingRouter address is not configured (AVANTIS_CONTRACTS.tradingRouter)');
    const [delegation, allowance, balance, block] = await Promise.all([
      this.call(tradingRouter, router, 'delegation', [wallet, delegate]),
      this.call(this.contracts.usdc, erc20, 'allowance', [wallet, this.contracts.tradingStorage]),
      this.call(this.contracts.usdc, erc20, 'balanceOf', [wallet]),
      this.pool.send('eth_getBlockByNumber', ['latest', false]) as Promise<{ timestamp: string }>,
    ]);
    return {
      wallet,
      delegate,
      delegation: { isEnabled: Boolean(delegation[0]), expiry: Number(delegation[1] as bigint) },
      chainTime: Number(BigInt(block.timestamp)),
      allowanceUsdc: allowance[0] as bigint,
      balanceUsdc: balance[0] as bigint,
      tradingRouter,
      tradingStorage: this.contracts.tradingStorage,
      usdc: this.contracts.usdc,
    };
  }
}
