// The scheduled indexer of the local stack follows the local chain, which runs Avantis v2 (upgraded at
// start): a trade opened and partly closed with signed intents through the batched-market service
// (filled by its keeper in a later block) becomes trade events, fills and a position, and its
// signals reach a follower as alerts through the signal router.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import { P, USDC, V2Account, price, provider } from '../support/v2-trading.js';
import { waitForText } from '../support/wait.js';

const info = stackInfo();
const { doc } = clients(info);

describe('indexer on the local stack', () => {
  it('turns a v2 open and a partial close into trade events, fills, a position and alerts to a follower', async () => {
    if (info.chain.mode !== 'local' || !info.avantis) throw new Error('the test stack runs the local chain');
    const avantis = info.avantis;
    const trader = await V2Account.create(provider(info.endpoints.rpc), avantis);
    const ada = new ChatDriver(info, { id: uniqueId(), firstName: 'Ada' });
    await ada.say(`/follow ${trader.address}`);

    await trader.open({
      pairIndex: 1,
      buy: true,
      leverage: 10n * P,
      collateralUsdc: 500n * USDC,
      price: await price(avantis, 1),
    });
    const opened = await waitForText(info, ada.person.id, /opened <b>LONG BTC\/USD<\/b> 10x/);
    const [position] = await trader.positions();
    if (!position) throw new Error('the open left no position');
    await trader.close(1, position.index, 200n * USDC, 500n * USDC, await price(avantis, 1));
    const closed = await waitForText(info, ada.person.id, /closed 40(\.\d)?% of <b>LONG BTC\/USD<\/b>/);

    expect(opened).not.toContain('$500.00 ('); // the opening fee came off the collateral
    expect(closed).toMatch(/🔴|🟢/);
    const events = await doc.send(
      new QueryCommand({
        TableName: info.tables.fills,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': trader.address },
      }),
    );
    expect(events.Items?.map((i) => i.kind)).toEqual(
      expect.arrayContaining([
        'MarketOrderInitiated',
        'OpeningFeeCharged',
        'SpreadCharged',
        'MarketExecuted',
        'ClosingFeesCharged',
      ]),
    );
    // Fills are the executions only: the open and the partial close.
    expect(events.Items?.filter((i) => i.isFill === true).map((i) => i.kind)).toEqual([
      'MarketExecuted',
      'MarketExecuted',
    ]);
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
