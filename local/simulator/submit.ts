// How the simulator's signed v2 intents reach the chain: `submit(orderType, userIntent, signature)`.
// Either straight to the TradingRouter from a relayer wallet (tests, or a stack without the
// service), or through the batched-market service (POST /market/execute-batched, docs/local-avantis.md),
// which relays them and runs the keeper. Either way the simulator learns the outcome from the
// chain's logs, so a submitter only has to get the order registered, or say why not.
import { createParser } from 'eventsource-parser';
import { INTENT_OF_ORDER_TYPE } from '#core/domain/avantis/intents.js';
import type { AvantisAddresses } from '../chain/abi.js';
import type { NonceSender } from '../chain/tx.js';
import { routerCalldata, type RoutedKind } from '../chain/v2.js';

/** Resolves once the order is registered (or accepted by the service); rejects with the refusal. */
export type SubmitIntent = (orderType: number, userIntent: string, signature: string) => Promise<void>;

export class IntentRefused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const ROUTED: Readonly<Record<string, RoutedKind>> = {
  OpenTradeReq: 'OpenTradeReq',
  CloseTradeReq: 'CloseTradeReq',
  IncreasePositionSizeReq: 'IncreasePositionSizeReq',
};

/** Gasless for the trader: the relayer pays; a revert is mined and reported as a refusal. */
export function routerSubmitter(
  addresses: Pick<AvantisAddresses, 'tradingRouter'>,
  relayer: NonceSender,
): SubmitIntent {
  return async (orderType, userIntent, signature) => {
    const intent = INTENT_OF_ORDER_TYPE[orderType];
    const kind = intent ? ROUTED[intent] : undefined;
    if (!kind) throw new IntentRefused('UNSUPPORTED_ORDER_TYPE');
    const receipt = await relayer.sendAndWait({
      to: addresses.tradingRouter,
      data: routerCalldata(kind, userIntent, signature),
      gasLimit: 1_500_000n,
    });
    if (receipt.status !== 1) throw new IntentRefused('TX_REVERTED');
  };
}

/** Events after which the service has put the order on chain (or finished with it). */
const SETTLED = new Set([
  'MarketOrderInitiated',
  'IncreasePositionRequested',
  'MarketOrderExecuted',
  'PositionSizeIncreased',
  'MarketOrderCanceled',
]);

/**
 * Through the batched-market service: a 4xx/5xx is a refusal with the service's code; otherwise
 * the SSE stream is read until the order is on chain (MarketOrderInitiated) or a terminal Error.
 */
export function serviceSubmitter(batchedMarketUrl: string, opts: { timeoutMs?: number } = {}): SubmitIntent {
  const url = `${batchedMarketUrl.replace(/\/$/, '')}/market/execute-batched`;
  return async (orderType, userIntent, signature) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 20_000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderType, erc712: { userIntent, userSignature: signature } }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => ({}))) as { code?: unknown };
        throw new IntentRefused(typeof body.code === 'string' ? body.code : `HTTP_${res.status}`);
      }
      let outcome: 'ok' | IntentRefused | undefined;
      const parser = createParser({
        onEvent: (e) => {
          if (outcome) return;
          if (SETTLED.has(e.event ?? '')) outcome = 'ok';
          else if (e.event === 'Error') {
            const payload = JSON.parse(e.data) as { code?: unknown };
            const code = typeof payload.code === 'string' ? payload.code : 'ERROR';
            // The order may still execute after a stream timeout: the logs will tell.
            outcome = code === 'STREAM_TIMEOUT' ? 'ok' : new IntentRefused(code);
          }
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      while (!outcome) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      await reader.cancel().catch(() => undefined);
      if (outcome instanceof IntentRefused) throw outcome;
      // A stream that ended without news: the order was accepted; the logs will tell the rest.
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  };
}
