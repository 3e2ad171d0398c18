// A small in-memory stand-in of the MarketChain port, for the service's unit tests only: it checks
// signatures (ethers' EIP-712 recovery), delegates with expiry, the per-signer nonce bitmap, ms
// deadlines and the open-timestamp binding like the router does, registers orders in one block and
// lets them fill from the next (OrderNotReady before), and "automines" a block per transaction.
// The integration tests run the same service against the real contracts on anvil.
import { Wallet, verifyTypedData } from 'ethers';
import { INTENT_TYPES, decodeIntent, tradingDomain, type IntentKind } from '#core/domain/avantis/intents.js';
import {
  ChainRevert,
  type ChainTrade,
  type Delegation,
  type EarlierSubmission,
  type Initiation,
  type LimitTrigger,
  type MarketChain,
  type Mined,
  type OpenPosition,
  type PendingOrder,
  type Settlement,
  type SignedIntent,
} from '../../../../local/avantis/chain.js';

type Msg = Record<string, unknown>;
const KIND: Record<SignedIntent['action'], IntentKind> = {
  open: 'OpenTradeReq',
  close: 'CloseTradeReq',
  increase: 'IncreasePositionSizeReq',
};

interface Order {
  readonly orderId: bigint;
  readonly block: number;
  readonly action: SignedIntent['action'];
  readonly msg: Msg;
}

export class FakeChain implements MarketChain {
  readonly chainId = 31337;
  readonly tradingRouter = Wallet.createRandom().address;
  block = 1;
  /** Seconds. */
  now = BigInt(Math.floor(Date.now() / 1000));
  readonly prices = new Map<bigint, bigint>([[0n, 3500n * 10n ** 10n]]);
  readonly delegates = new Map<string, bigint>();
  readonly usedNonces = new Set<string>();
  readonly trades = new Map<string, ChainTrade>();
  readonly pending = new Map<bigint, Order>();
  /** Transactions mined, in order (for "nothing was submitted" checks). */
  readonly txs: string[] = [];
  /** The next N sends fail like a flaky RPC (not a revert). */
  networkFailures = 0;
  /** Every router call reverts with this custom error (a contract refusal the service must pass on). */
  revertWith: string | undefined;
  /** The next N submissions are mined but their receipt never arrives (the send times out). */
  lostReceipts = 0;
  /** The next N findSubmitted calls see nothing yet (the earlier transaction still pending). */
  unminedLookups = 0;
  /** Registrations by intent (userIntent + signature), and settlements by orderId: the chain's logs. */
  private readonly registrations = new Map<string, Mined<Initiation>>();
  private readonly settlements = new Map<bigint, Mined<Settlement>>();
  private nextOrderId = 1n;

  private mine(what: string): { transactionHash: string; block: number } {
    this.block += 1;
    this.now += 1n;
    this.txs.push(what);
    return { transactionHash: `0x${this.txs.length.toString(16).padStart(64, '0')}`, block: this.block };
  }

  setDelegate(trader: string, delegate: string, expiry: bigint): void {
    this.delegates.set(`${trader.toLowerCase()}:${delegate.toLowerCase()}`, expiry);
  }

  async blockNumber(): Promise<number> {
    return this.block;
  }

  async blockTimestamp(): Promise<bigint> {
    return this.now;
  }

  private check(intent: SignedIntent): { msg: Msg; signer: string; nonceKey: string } {
    if (this.revertWith) throw new ChainRevert(this.revertWith);
    const kind = KIND[intent.action];
    const msg = decodeIntent(kind, intent.userIntent);
    const domain = tradingDomain(this.chainId, this.tradingRouter);
    let signer: string;
    try {
      signer = verifyTypedData(domain, INTENT_TYPES[kind], msg, intent.signature);
    } catch {
      throw new ChainRevert('InvalidSignature');
    }
    const trader = traderOf(intent.action, msg);
    if (signer.toLowerCase() !== trader.toLowerCase()) {
      const expiry = this.delegates.get(`${trader.toLowerCase()}:${signer.toLowerCase()}`);
      if (expiry === undefined) throw new ChainRevert('NotDelegate');
      if (expiry <= this.now) throw new ChainRevert('DelegateExpired');
    }
    const deadline = (msg._deadline as bigint) / 1000n;
    if (deadline < this.now) throw new ChainRevert('InvalidDeadline');
    const nonceKey = `${signer.toLowerCase()}:${String(msg._nonce)}`;
    if (this.usedNonces.has(nonceKey)) throw new ChainRevert('InvalidNonce');
    if (intent.action === 'close') {
      const t = this.trades.get(key(trader, msg._pairIndex as bigint, msg._index as bigint));
      if (!t) throw new ChainRevert('NoTrade');
      if (t.timestamp !== msg._openTimestamp) throw new ChainRevert('PositionMismatch');
    }
    return { msg, signer, nonceKey };
  }

  async simulate(intent: SignedIntent): Promise<void> {
    this.check(intent);
  }

  async submit(intent: SignedIntent): Promise<Mined<Initiation>> {
    if (this.networkFailures > 0) {
      this.networkFailures -= 1;
      throw new Error('socket hang up');
    }
    const mined = this.register(intent);
    this.registrations.set(intent.userIntent + intent.signature, mined);
    if (this.lostReceipts > 0) {
      this.lostReceipts -= 1;
      throw new Error(`no receipt for ${mined.transactionHash} after 60000 ms`);
    }
    return mined;
  }

  async findSubmitted(intent: SignedIntent): Promise<EarlierSubmission | undefined> {
    if (this.unminedLookups > 0) {
      this.unminedLookups -= 1;
      return undefined;
    }
    const initiation = this.registrations.get(intent.userIntent + intent.signature);
    if (!initiation) return undefined;
    const settlement = this.settlements.get(initiation.value.orderId);
    return { initiation, ...(settlement ? { settlement } : {}) };
  }

  private register(intent: SignedIntent): Mined<Initiation> {
    const { msg, nonceKey } = this.check(intent);
    this.usedNonces.add(nonceKey);
    const mined = this.mine(`register ${intent.action}`);
    const orderId = this.nextOrderId++;
    this.pending.set(orderId, { orderId, block: mined.block, action: intent.action, msg });
    const trader = traderOf(intent.action, msg);
    if (intent.action === 'increase') {
      const u = msg._updateInfo as Msg;
      const t = this.trades.get(key(trader, u.pairIndex as bigint, u.index as bigint));
      return {
        ...mined,
        value: {
          type: 'IncreasePositionRequested',
          orderId,
          trader,
          pairIndex: u.pairIndex as bigint,
          index: u.index as bigint,
          isBuy: t?.buy ?? true,
          isPnl: false,
          addedCollateral: u.initialPosToken as bigint,
          coinExposure: 0n,
          isCoinExposureFixed: false,
        },
      };
    }
    const pairIndex = (intent.action === 'open' ? (msg._t as Msg).pairIndex : msg._pairIndex) as bigint;
    const isBuy =
      intent.action === 'open'
        ? Boolean((msg._t as Msg).buy)
        : (this.trades.get(key(trader, pairIndex, msg._index as bigint))?.buy ?? true);
    return {
      ...mined,
      value: {
        type: 'MarketOrderInitiated',
        orderId,
        trader,
        pairIndex,
        open: intent.action === 'open',
        isBuy,
        isPnl: false,
      },
    };
  }

  async settlementOf(orderId: bigint, fromBlock: number): Promise<Mined<Settlement> | undefined> {
    const settled = this.settlements.get(orderId);
    return settled && settled.block >= fromBlock ? settled : undefined;
  }

  /** Another keeper settles the order first: the chain has its fill, this service never sent it. */
  fillElsewhere(orderId: bigint): void {
    this.fill(orderId);
  }

  /** Orders whose registration block the keeper read from the chain (it knows its own). */
  readonly blockReads: bigint[] = [];

  async pendingOrders(known?: ReadonlyMap<bigint, number>): Promise<readonly PendingOrder[]> {
    return [...this.pending.values()].map((o) => {
      if (!known?.has(o.orderId)) this.blockReads.push(o.orderId);
      return { orderId: o.orderId, block: known?.get(o.orderId) ?? o.block };
    });
  }

  async executeMarketOrder(orderId: bigint): Promise<Mined<Settlement>> {
    return this.fill(orderId);
  }

  /** A keeper's fill, kept in the chain's logs whoever sent it. */
  private fill(orderId: bigint): Mined<Settlement> {
    const mined = this.settle(orderId);
    this.settlements.set(orderId, mined);
    return mined;
  }

  private settle(orderId: bigint): Mined<Settlement> {
    const o = this.pending.get(orderId);
    if (!o) throw new ChainRevert('UnknownOrder');
    if (this.block + 1 <= o.block) throw new ChainRevert('OrderNotReady');
    const mined = this.mine(`execute ${orderId}`);
    this.pending.delete(orderId);
    const trader = traderOf(o.action, o.msg);
    if (o.action === 'open') {
      const t = o.msg._t as Msg;
      const pairIndex = t.pairIndex as bigint;
      const price = this.prices.get(pairIndex) ?? 0n;
      const wanted = t.openPrice as bigint;
      const slip = (wanted * (o.msg._slippageP as bigint)) / (100n * 10n ** 10n);
      // One-sided, as the contracts: only a fill worse for the trader than wanted ± slippage cancels.
      if (t.buy ? price > wanted + slip : price + slip < wanted) {
        return { ...mined, value: { type: 'MarketOrderCanceled', orderId, trader, pairIndex } };
      }
      const trade: ChainTrade = {
        trader,
        pairIndex,
        index: 0n,
        initialPosToken: t.positionSizeUSDC as bigint,
        positionSizeUSDC: this.now,
        openPrice: price,
        buy: Boolean(t.buy),
        leverage: t.leverage as bigint,
        tp: t.tp as bigint,
        sl: t.sl as bigint,
        timestamp: this.now,
      };
      this.trades.set(key(trader, pairIndex, 0n), trade);
      return {
        ...mined,
        value: {
          type: 'MarketOrderExecuted',
          orderId,
          open: true,
          price,
          positionSizeUSDC: trade.initialPosToken,
          percentProfit: 0n,
          usdcSentToTrader: 0n,
          isPnl: false,
          coinExposure: 0n,
          isCoinExposureFixed: false,
          t: trade,
        },
      };
    }
    if (o.action === 'close') {
      const k = key(trader, o.msg._pairIndex as bigint, o.msg._index as bigint);
      const t = this.trades.get(k);
      if (!t) throw new ChainRevert('NoTrade');
      this.trades.delete(k);
      return {
        ...mined,
        value: {
          type: 'MarketOrderExecuted',
          orderId,
          open: false,
          price: this.prices.get(t.pairIndex) ?? 0n,
          positionSizeUSDC: t.initialPosToken,
          percentProfit: 0n,
          usdcSentToTrader: t.initialPosToken,
          isPnl: false,
          coinExposure: 0n,
          isCoinExposureFixed: false,
          t,
        },
      };
    }
    const u = o.msg._updateInfo as Msg;
    const k = key(trader, u.pairIndex as bigint, u.index as bigint);
    const t = this.trades.get(k);
    if (!t) throw new ChainRevert('NoTrade');
    const blended = {
      ...t,
      initialPosToken: t.initialPosToken + (u.initialPosToken as bigint),
      timestamp: this.now,
    };
    this.trades.set(k, blended);
    return {
      ...mined,
      value: {
        type: 'PositionSizeIncreased',
        orderId,
        isPnl: false,
        coinExposureAdded: 0n,
        isCoinExposureFixed: false,
        t: blended,
      },
    };
  }

  async cancelMarketOrder(orderId: bigint): Promise<Mined<Settlement>> {
    const o = this.pending.get(orderId);
    if (!o) throw new ChainRevert('UnknownOrder');
    if (this.block + 1 <= o.block) throw new ChainRevert('OrderNotReady');
    const mined = this.mine(`cancel ${orderId}`);
    this.pending.delete(orderId);
    const trader = traderOf(o.action, o.msg);
    const pairIndex = (o.action === 'open' ? (o.msg._t as Msg).pairIndex : o.msg._pairIndex) as bigint;
    const settled: Mined<Settlement> = {
      ...mined,
      value: { type: 'MarketOrderCanceled', orderId, trader, pairIndex: pairIndex ?? 0n },
    };
    this.settlements.set(orderId, settled);
    return settled;
  }

  async limitTriggers(): Promise<readonly LimitTrigger[]> {
    return [];
  }

  async executeLimit(): Promise<string> {
    return this.mine('executeLimit').transactionHash;
  }

  async price(pairIndex: bigint): Promise<bigint | undefined> {
    return this.prices.get(pairIndex);
  }

  async openPositions(trader: string): Promise<readonly OpenPosition[]> {
    return [...this.trades.values()]
      .filter((t) => t.trader.toLowerCase() === trader.toLowerCase())
      .map((t) => ({ ...t, collateral: t.initialPosToken }));
  }

  async delegation(trader: string, delegate: string): Promise<Delegation> {
    const expiry = this.delegates.get(`${trader.toLowerCase()}:${delegate.toLowerCase()}`);
    return { isEnabled: expiry !== undefined, expiry: expiry ?? 0n };
  }

  async simulateSetDelegate(signature: string, encodedIntent: string): Promise<void> {
    const msg = decodeIntent('DelegateReq', encodedIntent);
    let signer: string;
    try {
      signer = verifyTypedData(
        tradingDomain(this.chainId, this.tradingRouter),
        INTENT_TYPES.DelegateReq,
        msg,
        signature,
      );
    } catch {
      throw new ChainRevert('InvalidSignature');
    }
    if (signer.toLowerCase() !== String(msg.trader).toLowerCase()) throw new ChainRevert('InvalidSignature');
    if ((msg.expiry as bigint) <= this.now) throw new ChainRevert('InvalidExpiry');
  }

  async setDelegateWithSig(signature: string, encodedIntent: string): Promise<string> {
    await this.simulateSetDelegate(signature, encodedIntent);
    const msg = decodeIntent('DelegateReq', encodedIntent);
    this.setDelegate(String(msg.trader), String(msg.delegate), msg.expiry as bigint);
    return this.mine('setDelegateWithSig').transactionHash;
  }
}

const key = (trader: string, pairIndex: bigint, index: bigint) =>
  `${trader.toLowerCase()}:${pairIndex}:${index}`;

function traderOf(action: SignedIntent['action'], m: Msg): string {
  if (action === 'open') return String((m._t as Msg).trader);
  if (action === 'increase') return String((m._updateInfo as Msg).trader);
  return String(m._trader);
}
