// The chain port of the local batched-market service: everything the service, its relayer and its
// keeper need from the Avantis v2 contracts, in chain units (bigint), with no ethers types. The
// service is tested against an in-memory fake of this port (unit tests only) and runs against the
// real local contracts through ethers-chain.ts. Keeping the port this thin is what lets the HTTP/SSE
// layer be tested before, and independently of, the Solidity.

/** The 11-field Trade tuple as the v2 events carry it. */
export interface ChainTrade {
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly initialPosToken: bigint;
  /** In emitted structs this holds block.timestamp, not a size (docs/avantis.md v2 §7 trap). */
  readonly positionSizeUSDC: bigint;
  readonly openPrice: bigint;
  readonly buy: boolean;
  readonly leverage: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  readonly timestamp: bigint;
}

/** Which router entry point an intent goes to. */
export type RouterAction = 'open' | 'close' | 'increase';

/** One signed intent, as the service received it (userIntent = abi.encode(struct)). */
export interface SignedIntent {
  readonly action: RouterAction;
  readonly userIntent: string;
  readonly signature: string;
}

/** A revert decoded to the contract's custom-error name (or `Error(string)` text). */
export class ChainRevert extends Error {
  override readonly name = 'ChainRevert';
  constructor(
    /** The custom-error name, e.g. InvalidNonce; TX_NOT_EXECUTED when it could not be decoded. */
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
  }
}

/** The registration of an order on chain (the transaction that emitted it). */
export type Initiation =
  | {
      readonly type: 'MarketOrderInitiated';
      readonly orderId: bigint;
      readonly trader: string;
      readonly pairIndex: bigint;
      readonly open: boolean;
      readonly isBuy: boolean;
      readonly isPnl: boolean;
    }
  | {
      readonly type: 'IncreasePositionRequested';
      readonly orderId: bigint;
      readonly trader: string;
      readonly pairIndex: bigint;
      readonly index: bigint;
      readonly isBuy: boolean;
      readonly isPnl: boolean;
      readonly addedCollateral: bigint;
      readonly coinExposure: bigint;
      readonly isCoinExposureFixed: boolean;
    };

/** How a registered order ended (the keeper's transaction). */
export type Settlement =
  | {
      readonly type: 'MarketOrderExecuted';
      readonly orderId: bigint;
      readonly open: boolean;
      readonly price: bigint;
      readonly positionSizeUSDC: bigint;
      readonly percentProfit: bigint;
      readonly usdcSentToTrader: bigint;
      readonly isPnl: boolean;
      readonly coinExposure: bigint;
      readonly isCoinExposureFixed: boolean;
      readonly t: ChainTrade;
    }
  | {
      readonly type: 'PositionSizeIncreased';
      readonly orderId: bigint;
      readonly isPnl: boolean;
      readonly coinExposureAdded: bigint;
      readonly isCoinExposureFixed: boolean;
      readonly t: ChainTrade;
    }
  | {
      readonly type: 'MarketOrderCanceled';
      readonly orderId: bigint;
      readonly trader: string;
      readonly pairIndex: bigint;
    };

export interface Mined<T> {
  readonly value: T;
  readonly transactionHash: string;
  readonly block: number;
}

/** What an earlier submission of an intent did on chain, found after its receipt was lost. */
export interface EarlierSubmission {
  readonly initiation: Mined<Initiation>;
  /** The keeper's fill or cancel, when it already settled the order. */
  readonly settlement?: Mined<Settlement>;
}

/** An order registered on chain and not yet filled or cancelled. */
export interface PendingOrder {
  readonly orderId: bigint;
  /** The block it was registered in; the keeper may fill it from the next block on. */
  readonly block: number;
}

/** An open position, as `/user-data` lists it. */
export interface OpenPosition {
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly buy: boolean;
  /** USDC 1e6 */
  readonly collateral: bigint;
  readonly leverage: bigint;
  readonly openPrice: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  /** The open timestamp a close must bind (Trade.timestamp, seconds). */
  readonly timestamp: bigint;
}

/** A keeper trigger: TP (0), SL (1) or liquidation (2) of one open trade. */
export interface LimitTrigger {
  readonly trader: string;
  readonly pairIndex: bigint;
  readonly index: bigint;
  readonly orderType: 0 | 1 | 2;
}

export interface Delegation {
  readonly isEnabled: boolean;
  /** Unix seconds. */
  readonly expiry: bigint;
}

export interface MarketChain {
  readonly chainId: number;
  /** The TradingRouter proxy: the EIP-712 verifyingContract. */
  readonly tradingRouter: string;
  blockNumber(): Promise<number>;
  /** Timestamp (s) of the latest block. */
  blockTimestamp(): Promise<bigint>;
  /** eth_call of the router entry point as the relayer; throws ChainRevert when it would revert. */
  simulate(intent: SignedIntent): Promise<void>;
  /** Sends it as the relayer and waits for the receipt; throws ChainRevert when it reverted. */
  submit(intent: SignedIntent): Promise<Mined<Initiation>>;
  /**
   * The registration an earlier submission of this very intent made: the router's NonceUsed log of
   * the intent's signer and nonce from `fromBlock` on, in a transaction of this relayer with the
   * same calldata, plus the settlement if the keeper already made one. Undefined while none is
   * mined. For a retry whose earlier attempt's outcome is unknown (a receipt that never came).
   */
  findSubmitted(intent: SignedIntent, fromBlock: number): Promise<EarlierSubmission | undefined>;
  /**
   * The settlement of an order mined from `fromBlock` on (TradingCallbacks' logs), whoever's keeper
   * transaction made it; undefined while none is mined.
   */
  settlementOf(orderId: bigint, fromBlock: number): Promise<Mined<Settlement> | undefined>;
  /**
   * Orders registered and not yet settled, with the block each was registered in. The block of an
   * order in `known` (the service's own, whose registration it saw) is taken from there, not read.
   */
  pendingOrders(known?: ReadonlyMap<bigint, number>): Promise<readonly PendingOrder[]>;
  /** The keeper's fill (TradingCallbacks.executeMarketOrder); throws ChainRevert (e.g. OrderNotReady). */
  executeMarketOrder(orderId: bigint): Promise<Mined<Settlement>>;
  /** The keeper declining the fill (the `cancelNext` fault); throws ChainRevert. */
  cancelMarketOrder(orderId: bigint): Promise<Mined<Settlement>>;
  /** TP/SL/liquidations the keeper may execute now. */
  limitTriggers(): Promise<readonly LimitTrigger[]>;
  executeLimit(trigger: LimitTrigger): Promise<string>;
  /** Latest oracle price, 1e10; undefined when the pair has none. */
  price(pairIndex: bigint): Promise<bigint | undefined>;
  openPositions(trader: string): Promise<readonly OpenPosition[]>;
  delegation(trader: string, delegate: string): Promise<Delegation>;
  /** eth_call of setDelegateWithSig as the relayer; throws ChainRevert. */
  simulateSetDelegate(signature: string, encodedIntent: string): Promise<void>;
  setDelegateWithSig(signature: string, encodedIntent: string): Promise<string>;
}
