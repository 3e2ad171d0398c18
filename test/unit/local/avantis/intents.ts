// Signed v2 intents for the service's tests (unit and integration): builds the message the SDK
// would (docs/avantis.md v2 §3 values), signs it with ethers' EIP-712 signer and returns the batched-market body.
import { hexlify, randomBytes, type BaseWallet } from 'ethers';
import {
  BATCHED_ORDER_TYPES,
  INTENT_TYPES,
  OPEN_ORDER_TYPE,
  encodeIntent,
  tradingDomain,
  type CloseTradeReq,
  type IncreasePositionSizeReq,
  type OpenTradeReq,
} from '#core/domain/avantis/intents.js';

export interface Domain {
  readonly chainId: number;
  readonly tradingRouter: string;
}

export const randomNonce = (): bigint => BigInt(hexlify(randomBytes(32)));
export const deadlineIn = (ms: number): bigint => BigInt(Date.now() + ms);

export interface BatchedBody {
  orderType: number;
  erc712: { userIntent: string; userSignature: string };
}

export function openReq(o: {
  trader: string;
  pairIndex?: bigint;
  collateral?: bigint;
  openPrice: bigint;
  buy?: boolean;
  leverage?: bigint;
  tp?: bigint;
  sl?: bigint;
  slippageP?: bigint;
  deadline?: bigint;
  nonce?: bigint;
}): OpenTradeReq {
  return {
    _t: {
      trader: o.trader,
      pairIndex: o.pairIndex ?? 0n,
      index: 0n,
      initialPosToken: 0n,
      positionSizeUSDC: o.collateral ?? 100_000_000n,
      openPrice: o.openPrice,
      buy: o.buy ?? true,
      leverage: o.leverage ?? 10n * 10n ** 10n,
      tp: o.tp ?? 0n,
      sl: o.sl ?? 0n,
      timestamp: 0n,
    },
    _type: OPEN_ORDER_TYPE.MARKET,
    _slippageP: o.slippageP ?? 10n ** 10n,
    _deadline: o.deadline ?? deadlineIn(120_000),
    _nonce: o.nonce ?? randomNonce(),
  };
}

export function closeReq(o: {
  trader: string;
  pairIndex?: bigint;
  index?: bigint;
  openTimestamp: bigint;
  amount: bigint;
  wantedPrice: bigint;
  deadline?: bigint;
  nonce?: bigint;
}): CloseTradeReq {
  return {
    _trader: o.trader,
    _pairIndex: o.pairIndex ?? 0n,
    _index: o.index ?? 0n,
    _openTimestamp: o.openTimestamp,
    _amount: o.amount,
    _wantedPrice: o.wantedPrice,
    _deadline: o.deadline ?? deadlineIn(120_000),
    _nonce: o.nonce ?? randomNonce(),
  };
}

export function increaseReq(o: {
  trader: string;
  pairIndex?: bigint;
  index?: bigint;
  openPrice: bigint;
  collateral: bigint;
  leverage?: bigint;
  slippageP?: bigint;
  deadline?: bigint;
  nonce?: bigint;
}): IncreasePositionSizeReq {
  return {
    _updateInfo: {
      trader: o.trader,
      pairIndex: o.pairIndex ?? 0n,
      index: o.index ?? 0n,
      openPrice: o.openPrice,
      initialPosToken: o.collateral,
      leverage: o.leverage ?? 10n * 10n ** 10n,
    },
    _slippageP: o.slippageP ?? 10n ** 10n,
    _deadline: o.deadline ?? deadlineIn(120_000),
    _nonce: o.nonce ?? randomNonce(),
  };
}

type Kind = 'OpenTradeReq' | 'CloseTradeReq' | 'IncreasePositionSizeReq';
const ORDER_TYPE: Record<Kind, number> = {
  OpenTradeReq: BATCHED_ORDER_TYPES.MARKET_OPEN,
  CloseTradeReq: BATCHED_ORDER_TYPES.MARKET_CLOSE,
  IncreasePositionSizeReq: BATCHED_ORDER_TYPES.INCREASE_SIZE,
};

/** The POST body for `message`, signed by `signer` (the trader or a delegate). */
export async function signedBody(
  domain: Domain,
  signer: BaseWallet,
  kind: Kind,
  message: OpenTradeReq | CloseTradeReq | IncreasePositionSizeReq,
): Promise<BatchedBody> {
  const d = tradingDomain(domain.chainId, domain.tradingRouter);
  const userSignature = await signer.signTypedData(d, INTENT_TYPES[kind], message);
  return { orderType: ORDER_TYPE[kind], erc712: { userIntent: encodeIntent(kind, message), userSignature } };
}
