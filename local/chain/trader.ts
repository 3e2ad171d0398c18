// A trader on the local chain, for tests, benchmarks and tools: a funded dev wallet that opens and
// closes market trades on the local Avantis contracts — v1.5-style (open, close, delegateTo: filled
// in its own transaction), or after the v2 upgrade with signed intents it submits to the router
// itself (openSigned, closeSigned: registered now, filled by a keeper a block later;
// openAndWaitFill also waits for that keeper's fill and returns it).
import { hexlify, randomBytes, type BaseWallet, type JsonRpcProvider, type TransactionReceipt } from 'ethers';
import {
  PRECISION,
  USDC_UNIT,
  contractInterface,
  openTradeInput,
  type AvantisAddresses,
  type Trade,
} from './abi.js';
import { devWallet, isUpgradedToV2, localProvider } from './deploy.js';
import { NonceSender, setBalance } from './tx.js';
import { decodeV2Logs, keeperCalldata, openTradesOf, orderIdOf, routerCalldata, signIntent } from './v2.js';

/** A v2 market open the keeper filled: its MarketExecuted. */
export interface MarketFill {
  readonly orderId: bigint;
  /** The stored trade: `index`, the fill price as `openPrice`, collateral after the opening fee. */
  readonly trade: Trade;
  /** The fill price (spread included), 1e10. */
  readonly price: bigint;
  /** The keeper's transaction and its block (the block an indexer sees the open in). */
  readonly transactionHash: string;
  readonly blockNumber: number;
}

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

  // ---- v2 (after the upgrade) ----

  /** v2: signs an OpenTradeReq and registers it through the router; resolves with the orderId. */
  async openSigned(o: {
    pairIndex: number;
    collateralUsdc: bigint;
    leverage: number;
    buy: boolean;
    slippageP?: bigint;
  }): Promise<bigint> {
    const wantedPrice = await this.price(o.pairIndex);
    const t = openTradeInput({
      trader: this.sender.address,
      pairIndex: o.pairIndex,
      collateral: o.collateralUsdc,
      wantedPrice,
      buy: o.buy,
      leverage: BigInt(o.leverage) * PRECISION,
    });
    return this.submitSigned('OpenTradeReq', {
      _t: t,
      _type: 0,
      _slippageP: o.slippageP ?? ONE_PERCENT,
      _deadline: await this.deadline(),
      _nonce: this.nonce(),
    });
  }

  /**
   * v2: openSigned, then waits until a keeper settles the order and returns the fill; throws when
   * it was cancelled (MarketOpenCanceled) or nothing settled it within `timeoutMs`. On a stack the
   * batched-market service's keeper fills it; on a bare chain pass `keeper` (a wallet registered
   * with TradingCallbacks.setKeeper, e.g. dev account 2) and this sends the fill itself.
   */
  async openAndWaitFill(
    o: Parameters<LocalTrader['openSigned']>[0],
    opts: { keeper?: BaseWallet; timeoutMs?: number } = {},
  ): Promise<MarketFill> {
    const from = await this.provider.getBlockNumber();
    const orderId = await this.openSigned(o);
    if (opts.keeper) {
      // The registration is mined, so this lands in a later block, as the contract requires.
      const keeper = opts.keeper.connect(this.provider);
      const tx = await keeper.sendTransaction({
        to: this.addresses.tradingCallbacks,
        data: keeperCalldata.executeMarketOrder(orderId),
        gasLimit: 2_000_000n,
      });
      await tx.wait();
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
    for (;;) {
      const logs = await this.provider.getLogs({
        address: this.addresses.tradingCallbacks,
        fromBlock: from,
        toBlock: 'latest',
      });
      for (const e of decodeV2Logs(logs, this.addresses)) {
        if (e.kind === 'TradingCallbacks.MarketOpenCanceled' && e.orderId === orderId)
          throw new Error(`open order ${orderId} was cancelled in ${e.transactionHash}`);
        if (e.kind === 'TradingCallbacks.MarketExecuted' && e.orderId === orderId)
          return {
            orderId,
            trade: e.t,
            price: e.price,
            transactionHash: e.transactionHash,
            blockNumber: e.blockNumber,
          };
      }
      if (Date.now() > deadline) throw new Error(`open order ${orderId}: no keeper fill in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * A market open in whichever era the chain runs now: v1.5 `open` (filled in its own transaction)
   * or v2 `openAndWaitFill` (the stack's keeper fills it a block later). Resolves with the block the
   * open was filled in, which is where an indexer sees it.
   */
  async openFilled(o: Parameters<LocalTrader['openSigned']>[0]): Promise<{ blockNumber: number }> {
    if (await isUpgradedToV2(this.provider, this.addresses)) return this.openAndWaitFill(o);
    return this.open(o);
  }

  /** v2: closes `amountUsdc` of slot (pairIndex, index), bound to its current Trade.timestamp. */
  async closeSigned(pairIndex: number, index: number, amountUsdc: bigint): Promise<bigint> {
    const trade = (await openTradesOf(this.provider, this.addresses, this.sender.address, [pairIndex])).find(
      (p) => p.index === index,
    );
    if (!trade) throw new Error(`no open trade at pair ${pairIndex} index ${index}`);
    return this.submitSigned('CloseTradeReq', {
      _trader: this.sender.address,
      _pairIndex: BigInt(pairIndex),
      _index: BigInt(index),
      _openTimestamp: trade.timestamp,
      _amount: amountUsdc,
      _wantedPrice: await this.price(pairIndex),
      _deadline: await this.deadline(),
      _nonce: this.nonce(),
    });
  }

  /** v2: TradingRouter.setDelegate(delegate, now + ttlSeconds). */
  setDelegate(delegate: string, ttlSeconds = 30 * 24 * 3600): Promise<TransactionReceipt> {
    return this.deadline().then((ms) =>
      this.call('TradingRouter', this.addresses.tradingRouter, 'setDelegate', [
        delegate,
        ms / 1000n - 120n + BigInt(ttlSeconds),
      ]),
    );
  }

  private async submitSigned(
    kind: 'OpenTradeReq' | 'CloseTradeReq',
    message:
      Parameters<typeof signIntent<'OpenTradeReq'>>[3] | Parameters<typeof signIntent<'CloseTradeReq'>>[3],
  ): Promise<bigint> {
    const chainId = Number((await this.provider.getNetwork()).chainId);
    const signed = signIntent(
      this.sender.wallet,
      kind,
      { chainId, tradingRouter: this.addresses.tradingRouter },
      message as never,
    );
    const receipt = await this.sender.sendAndWait({
      to: this.addresses.tradingRouter,
      data: routerCalldata(kind, signed.userIntent, signed.signature),
      gasLimit: 1_500_000n,
    });
    if (receipt.status !== 1) throw new Error(`${kind} reverted in ${receipt.hash}`);
    const orderId = orderIdOf(receipt.logs, this.addresses);
    if (orderId === undefined) throw new Error(`${kind}: no MarketOrderInitiated in ${receipt.hash}`);
    return orderId;
  }

  /** Chain time + 120 s, in ms (the SDK's default intent lifetime). */
  private async deadline(): Promise<bigint> {
    const b = await this.provider.getBlock('latest');
    return (BigInt(b?.timestamp ?? Math.floor(Date.now() / 1000)) + 120n) * 1000n;
  }

  private nonce(): bigint {
    return BigInt(hexlify(randomBytes(32)));
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
