// The scheduled indexer of the local stack follows the local chain: a trade opened and partly
// closed on the Avantis-compatible contracts becomes fills and a position, and its signals reach a
// follower as alerts through the signal router and the follower function.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { ChatDriver } from '../support/chat-driver.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import { waitForText } from '../support/wait.js';

const info = stackInfo();
const { doc } = clients(info);

describe('indexer on the local stack', () => {
  it('turns an open and a partial close into fills, a position and alerts to a follower', async () => {
    if (info.chain.mode !== 'local') throw new Error('the test stack runs the local chain');
    const trader = await LocalTrader.create(
      info.endpoints.rpc,
      info.chain.addresses,
      200 + (uniqueId() % 500),
    );
    const ada = new ChatDriver(info, { id: uniqueId(), firstName: 'Ada' });
    await ada.say(`/follow ${trader.address}`);

    await trader.open({ pairIndex: 1, collateralUsdc: 500n * USDC_UNIT, leverage: 10, buy: true });
    const opened = await waitForText(info, ada.person.id, /opened <b>LONG BTC\/USD<\/b> 10x/);
    await trader.close(1, 0, 200n * USDC_UNIT);
    const closed = await waitForText(info, ada.person.id, /closed 40(\.\d)?% of <b>LONG BTC\/USD<\/b>/);

    expect(opened).toContain('$497.00 ($4,970.00 notional)'); // the 0.06% opening fee on $5,000 came off
    expect(closed).toContain('🔴');
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
