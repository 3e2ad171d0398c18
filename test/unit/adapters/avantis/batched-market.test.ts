// The batched-market client against a small SSE server speaking the documented wire format
// (docs/local-avantis.md): events in order, a terminal event ends the read, STREAM_TIMEOUT ends a
// connection without a terminal, 400 and 5xx before any stream, the tracking-id replay.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBatchedMarket, serviceEvent } from '#core/adapters/avantis/batched-market.js';
import { updateFor } from '#core/domain/copy/intent.js';
import { IntentRejectedError, ServiceUnavailableError } from '#core/ports/copy.js';
import type { ServiceEvent } from '#core/domain/copy/intent.js';

let server: Server;
let base = '';
let next: 'OK' | 'TIMEOUT' | 'REJECT' | 'DOWN' = 'OK';
let body: unknown;

const sse = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.startsWith('/tracking-id/')) {
        if (!req.url.includes('/trk-1/')) return res.writeHead(404).end('{}');
        return res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            events: [
              {
                seq: 2,
                type: 'MarketOrderInitiated',
                payload: {
                  orderId: '5',
                  trader: '0x',
                  pairIndex: 1,
                  open: true,
                  isBuy: true,
                  isPnl: false,
                  transactionHash: '0xaa',
                },
                at: 1,
              },
              {
                seq: 3,
                type: 'MarketOrderCanceled',
                payload: { orderId: '5', trader: '0x', pairIndex: 1, transactionHash: '0xbb' },
                at: 2,
              },
            ],
          }),
        );
      }
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (next === 'REJECT')
        return res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"code":"InvalidNonce","message":"used"}');
      if (next === 'DOWN') return res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('MarketOrderAccepted', { trackingId: 'trk-1' }, 0));
      res.write(': keep-alive\n\n');
      res.write(
        sse('AttemptFailed', { attempt: 1, code: 'NONCE_TOO_LOW', message: 'x', willRetry: true }, 1),
      );
      if (next === 'TIMEOUT') {
        res.end(
          sse('Error', { status: 504, code: 'STREAM_TIMEOUT', message: 'lifetime', trackingId: 'trk-1' }),
        );
        return;
      }
      // Split one event across two writes: the parser must join them.
      const executed = sse(
        'MarketOrderExecuted',
        {
          orderId: '5',
          open: true,
          price: '30000000000000',
          positionSizeUSDC: '100000000',
          percentProfit: '0',
          usdcSentToTrader: '0',
          isPnl: false,
          coinExposure: '0',
          isCoinExposureFixed: false,
          transactionHash: '0xcc',
          t: {
            trader: '0x',
            pairIndex: '1',
            index: '2',
            initialPosToken: '99955000',
            positionSizeUSDC: '1',
            openPrice: '30000000000000',
            buy: true,
            leverage: '100000000000',
            tp: '0',
            sl: '0',
            timestamp: '1700000000',
          },
        },
        3,
      );
      res.write(
        sse(
          'MarketOrderInitiated',
          {
            orderId: '5',
            trader: '0x',
            pairIndex: 1,
            open: true,
            isBuy: true,
            isPnl: false,
            transactionHash: '0xaa',
          },
          2,
        ),
      );
      res.write(executed.slice(0, 40));
      setTimeout(() => res.write(executed.slice(40)), 20);
      // The server keeps the connection open; the client stops reading at the terminal event.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const collect = async (it: AsyncIterable<ServiceEvent>) => {
  const out: ServiceEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
};

describe('Class: HttpBatchedMarket', () => {
  const market = () => new HttpBatchedMarket({ baseUrl: base });

  it('posts the signed intent and yields the stream up to its terminal event', async () => {
    next = 'OK';
    const events = await collect(market().submit(0, '0x1234', '0xsig'));
    expect(body).toEqual({ orderType: 0, erc712: { userIntent: '0x1234', userSignature: '0xsig' } });
    expect(events.map((e) => e.type)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
    expect(events[3]).toMatchObject({
      positionSizeUSDC: '100000000',
      t: { index: '2', timestamp: '1700000000' },
    });
  });

  it('ends on STREAM_TIMEOUT with the Error event and no terminal state', async () => {
    next = 'TIMEOUT';
    const events = await collect(market().submit(0, '0x1234', '0xsig'));
    expect(events.at(-1)).toMatchObject({ type: 'Error', code: 'STREAM_TIMEOUT' });
  });

  it('maps a 400 to IntentRejectedError with its code, and a 5xx to ServiceUnavailableError', async () => {
    next = 'REJECT';
    await expect(collect(market().submit(0, '0x', '0x'))).rejects.toMatchObject({
      name: 'IntentRejectedError',
      code: 'InvalidNonce',
    });
    next = 'DOWN';
    await expect(collect(market().submit(0, '0x', '0x'))).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(
      collect(new HttpBatchedMarket({ baseUrl: 'http://127.0.0.1:1' }).submit(0, '0x', '0x')),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    void IntentRejectedError;
  });

  it('replays a tracking id after a seq, and says undefined for an unknown one', async () => {
    expect((await market().status('trk-1', 1))?.map((e) => [e.seq, e.event.type])).toEqual([
      [2, 'MarketOrderInitiated'],
      [3, 'MarketOrderCanceled'],
    ]);
    expect(await market().status('nope', 0)).toBeUndefined();
  });
});

describe('Function: serviceEvent', () => {
  it("reads an increase's PositionSizeIncreased as V2.md lists it: the blended entry as its price, no amount", () => {
    // Prepare: orderId, isPnl, coinExposureAdded, isCoinExposureFixed, t, transactionHash only.
    const payload = {
      orderId: '7',
      isPnl: false,
      coinExposureAdded: '1000',
      isCoinExposureFixed: false,
      t: {
        trader: '0x0000000000000000000000000000000000000001',
        pairIndex: '1',
        index: '0',
        initialPosToken: '1',
        positionSizeUSDC: '50000000',
        openPrice: '31000000000000',
        buy: true,
        leverage: '100000000000',
        tp: '0',
        sl: '0',
        timestamp: '1700000000',
      },
      transactionHash: '0xab',
    };
    // Act
    const event = serviceEvent('PositionSizeIncreased', payload);
    const update = event ? updateFor(event, '20000000') : undefined;
    // Assess: the signed collateral stands in for the amount the event does not carry.
    expect(event).toMatchObject({ type: 'PositionSizeIncreased', orderId: '7', price: '31000000000000' });
    expect(event && 'positionSizeUSDC' in event).toBe(false);
    expect(update).toMatchObject({
      state: 'EXECUTED',
      fill: { collateralUsdc: '20000000', price: '31000000000000' },
    });
    expect(() => serviceEvent('PositionSizeIncreased', { orderId: '7', transactionHash: '0xab' })).toThrow(
      /no price and no trade/,
    );
  });
});
