// The scheduled indexer of the local stack follows the local chain: a trade opened and partly
// closed on the Avantis-compatible contracts becomes fills, a position and signals on signals.fifo.
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../layers/core/domain/signals.js';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const info = stackInfo();
const { doc, sqs } = clients(info);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const received: Signal[] = [];
async function signalOf(trader: string, kind: Signal['kind']): Promise<Signal> {
  return until(`${kind} signal of ${trader}`, async () => {
    const hit = received.find((s) => s.trader === trader && s.kind === kind);
    if (hit) return hit;
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: info.queues.signals.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const m of out.Messages ?? []) {
      received.push(JSON.parse(m.Body ?? '{}') as Signal);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: info.queues.signals.url, ReceiptHandle: m.ReceiptHandle }),
      );
    }
    return undefined;
  });
}

describe('indexer on the local stack', () => {
  it('turns an open and a partial close on the local chain into fills, a position and signals', async () => {
    if (info.chain.mode !== 'local') throw new Error('the test stack runs the local chain');
    const trader = await LocalTrader.create(
      info.endpoints.rpc,
      info.chain.addresses,
      200 + (uniqueId() % 500),
    );

    await trader.open({ pairIndex: 1, collateralUsdc: 500n * USDC_UNIT, leverage: 10, buy: true });
    const open = await signalOf(trader.address, 'OPEN');
    await trader.close(1, 0, 200n * USDC_UNIT);
    const close = await signalOf(trader.address, 'CLOSE');

    expect(open).toMatchObject({ pair: 'BTC/USD', side: 'LONG', leverage: String(10n * 10n ** 10n) });
    expect(BigInt(open.collateralUsdc)).toBeLessThan(500n * USDC_UNIT); // the opening fee came off
    expect(close).toMatchObject({
      closeReason: 'MARKET',
      closeFraction: { closed: '200000000', of: open.collateralUsdc },
    });
    const fills = await doc.send(
      new QueryCommand({
        TableName: info.tables.fills,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': trader.address },
      }),
    );
    expect(fills.Items?.map((i) => i.kind)).toEqual(
      expect.arrayContaining([
        'MarketOrderInitiated',
        'OpeningFeeCharged',
        'MarketExecuted',
        'ClosingFeesCharged',
      ]),
    );
    const positions = await doc.send(
      new QueryCommand({
        TableName: info.tables.positions,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': trader.address },
      }),
    );
    expect(positions.Items).toHaveLength(1);
  });
});
