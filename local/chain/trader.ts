// A trader on the local chain, for tests, benchmarks and tools: a funded dev wallet that opens and
// closes market trades on the local Avantis contracts.
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import { PRECISION, USDC_UNIT, contractInterface, openTradeInput, type AvantisAddresses } from './abi.js';
import { devWallet, localProvider } from './deploy.js';
import { NonceSender, setBalance } from './tx.js';

const EXECUTION_FEE = 350_000_000_000_000n; // 0.00035 ETH, the SDK's fallback fee
const ONE_PERCENT = PRECISION; // slippage in 1e10 percent

export class LocalTrader {
  private constructor(
    private readonly provider: JsonRpcProvider,
    private readonly sender: NonceSender,
    private readonly addresses: AvantisAddresses,
  ) {}

  get address(): string {
    return this.sender.address.toLowerCase();
  }

  /** Dev account `accountIndex`, given ETH for gas and `usdc` (USDC 1e6) approved for trading. */
  static async create(
    rpcUrl: string,
    addresses: AvantisAddresses,
    accountIndex: number,
    usdc = 100_000n * USDC_UNIT,
  ): Promise<LocalTrader> {
    const provider = localProvider(rpcUrl);
    const wallet = devWallet(accountIndex, provider);
    await setBalance(provider, wallet.address, 10n ** 20n);
    const trader = new LocalTrader(provider, new NonceSender(wallet, provider), addresses);
    await trader.call('MockUSDC', addresses.usdc, 'mint', [wallet.address, usdc]);
    await trader.call('MockUSDC', addresses.usdc, 'approve', [addresses.tradingStorage, 2n ** 256n - 1n]);
    return trader;
  }

  async price(pairIndex: number): Promise<bigint> {
    const iface = contractInterface('PriceFeed');
    const data = iface.encodeFunctionData('getPrice', [pairIndex]);
    const [price] = iface.decodeFunctionResult(
      'getPrice',
      await this.provider.call({ to: this.addresses.priceFeed, data }),
    );
    return BigInt(price as bigint);
  }

  /** A market open at the current price; `leverage` in whole x (e.g. 10). */
  async open(o: {
    pairIndex: number;
    collateralUsdc: bigint;
    leverage: number;
    buy: boolean;
  }): Promise<TransactionReceipt> {
    const trade = openTradeInput({
      trader: this.sender.address,
      pairIndex: o.pairIndex,
      collateral: o.collateralUsdc,
      wantedPrice: await this.price(o.pairIndex),
      buy: o.buy,
      leverage: BigInt(o.leverage) * PRECISION,
    });
    return this.call('Trading', this.addresses.trading, 'openTrade', [trade, 0, ONE_PERCENT], EXECUTION_FEE);
  }

  /** Lets `delegate` trade for this wallet (Avantis' setDelegate). */
  delegateTo(delegate: string): Promise<TransactionReceipt> {
    return this.call('Trading', this.addresses.trading, 'setDelegate', [delegate]);
  }

  /** Closes `amountUsdc` of the collateral of slot (pairIndex, index). */
  close(pairIndex: number, index: number, amountUsdc: bigint): Promise<TransactionReceipt> {
    return this.call(
      'Trading',
      this.addresses.trading,
      'closeTradeMarket',
      [pairIndex, index, amountUsdc],
      EXECUTION_FEE,
    );
  }

  private async call(
    contract: Parameters<typeof contractInterface>[0],
    to: string,
    fn: string,
    args: unknown[],
    value = 0n,
  ): Promise<TransactionReceipt> {
    const data = contractInterface(contract).encodeFunctionData(fn, args);
    const receipt = await this.sender.sendAndWait({ to, data, value, gasLimit: 2_000_000n });
    if (receipt.status !== 1) throw new Error(`${contract}.${fn} reverted in ${receipt.hash}`);
    return receipt;
  }
}

export { USDC_UNIT };
