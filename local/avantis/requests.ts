// What the batched-market service accepts, checked before anything reaches the chain: the body
// (zod), the orderType (locally 0, 1, 6, 7, 9; the coin-exposure types are Avantis' but not served
// here), the intent bytes (they must decode as the orderType's struct) and the signature's shape.
// The chain-dependent checks (signer, delegate, nonce, deadline, open timestamp) are the router's,
// by eth_call, in service.ts.
import { isHexString } from 'ethers';
import { z } from 'zod';
import {
  INTENT_OF_ORDER_TYPE,
  OPEN_ORDER_TYPE,
  decodeIntent,
  type IntentKind,
} from '#core/domain/avantis/intents.js';
import type { RouterAction, SignedIntent } from './chain.js';

const hex = z.string().refine((s) => isHexString(s), 'a 0x hex string');

export const ExecuteBatchedBody = z.object({
  orderType: z.number().int(),
  erc712: z.object({ userIntent: hex, userSignature: hex }),
  /** The optional pre-signed EIP-7702 leg; this service runs in EIP-712 mode and ignores it. */
  eip7702: z.unknown().optional(),
});

/** orderType → router entry point, for what is served locally. */
const LOCAL_ORDER_TYPES: Readonly<Record<number, RouterAction>> = {
  0: 'open',
  6: 'open',
  1: 'close',
  7: 'close',
  9: 'increase',
};

export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface ParsedOrder {
  readonly orderType: number;
  readonly kind: IntentKind;
  readonly intent: SignedIntent;
  /** The position owner the intent is for (`_t.trader`, `_trader`, `_updateInfo.trader`). */
  readonly trader: string;
}

const refuse = (code: string, message: string): Refusal => ({ status: 400, code, message });

export function parseOrder(raw: unknown): ParsedOrder | Refusal {
  const body = ExecuteBatchedBody.safeParse(raw);
  if (!body.success) {
    return refuse('INVALID_REQUEST', `malformed body: ${z.prettifyError(body.error)}`);
  }
  const { orderType, erc712 } = body.data;
  const kind = INTENT_OF_ORDER_TYPE[orderType];
  const action = LOCAL_ORDER_TYPES[orderType];
  if (!kind || !action) {
    return refuse(
      'UNSUPPORTED_ORDER_TYPE',
      kind
        ? `orderType ${orderType} (${kind}) is not served by the local service: use 0, 1, 6, 7 or 9`
        : `orderType ${orderType} is not a batched-market order type`,
    );
  }
  // 65 bytes r||s||v, v in {27, 28} (docs/avantis.md v2 §3).
  const sig = erc712.userSignature;
  if (sig.length !== 2 + 130 || ![0x1b, 0x1c].includes(parseInt(sig.slice(-2), 16))) {
    return refuse('InvalidSignature', 'userSignature must be 65 bytes r||s||v with v 27 or 28');
  }
  let message: Record<string, unknown>;
  try {
    message = decodeIntent(kind, erc712.userIntent);
  } catch {
    return refuse('INVALID_INTENT', `userIntent does not decode as ${kind}`);
  }
  const trader = traderOf(kind, message);
  if (kind === 'OpenTradeReq') {
    const type = Number(message._type);
    const wanted = orderType === 6 ? OPEN_ORDER_TYPE.MARKET_PNL : OPEN_ORDER_TYPE.MARKET;
    if (type !== wanted) {
      // A PnL open must be _type 3 under orderType 6, a plain one _type 0 under 0 (docs/avantis.md v2 §3).
      return type === OPEN_ORDER_TYPE.MARKET || type === OPEN_ORDER_TYPE.MARKET_PNL
        ? refuse('PnlOrderNotAllowed', `orderType ${orderType} needs _type ${wanted}, got ${type}`)
        : refuse('INVALID_INTENT', `_type ${type} is not a market open`);
    }
  }
  return {
    orderType,
    kind,
    intent: { action, userIntent: erc712.userIntent, signature: sig },
    trader,
  };
}

function traderOf(kind: IntentKind, m: Record<string, unknown>): string {
  const nested = (k: string) => (m[k] ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'OpenTradeReq':
      return String(nested('_t').trader);
    case 'IncreasePositionSizeReq':
      return String(nested('_updateInfo').trader);
    default:
      return String(m._trader);
  }
}

export function isRefusal(x: ParsedOrder | Refusal): x is Refusal {
  return 'status' in x;
}

/**
 * Router reverts that the service answers 400 before any stream (docs/avantis.md v2 §4: bad intent or
 * signature, expired deadline, used nonce, position mismatch; and a revoked or expired delegate).
 * Every other revert is accepted and ends the stream in an `Error` with the contract's error name,
 * as the real service reports `WrongSl`, `HighSlippage` and the like.
 */
export const REFUSED_BEFORE_STREAM: ReadonlySet<string> = new Set([
  'InvalidSignature',
  'NotDelegate',
  'DelegateExpired',
  'InvalidDeadline',
  'InvalidNonce',
  'PositionMismatch',
  // [local] Before the upgrade block the router is not live: nothing could be submitted.
  'NotLive',
]);
