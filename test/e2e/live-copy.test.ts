// LIVE copy trading end to end on a stack of its own (deploy ceiling LIVE, switch LIVE): a trader
// opens and partly closes on the local Avantis contracts; a follower who delegated to the executor
// gets the same trade opened and the same fraction closed in their own wallet, exactly once, and
// nothing is signed after an emergency stop.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { toJson } from '../../layers/core/adapters/dynamo/codec.js';
import { DynamoOperatorFlags } from '../../layers/core/adapters/dynamo/operator-state.js';
import type { FanoutMessage } from '../../layers/core/ports.js';
import { contractInterface, toTrade, type Trade } from '../../local/chain/abi.js';
import { LocalTrader, USDC_UNIT } from '../../local/chain/trader.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { ChatDriver } from '../support/chat-driver.js';
import { uniqueId } from '../support/stack-clients.js';
import { waitForText } from '../support/wait.js';

let stack: LocalStack;
let doc: DynamoDBDocumentClient;
let provider: JsonRpcProvider;
let sqs: SQSClient;

async function onChain(wallet: string, pairIndex: number, index: number): Promise<Trade> {
  if (stack.info.chain.mode !== 'local') throw new Error('needs the local chain');
  const iface = contractInterface('TradingStorage');
  const data = iface.encodeFunctionData('openTrades', [wallet, pairIndex, index]);
  const raw = await provider.call({ to: stack.info.chain.addresses.tradingStorage, data });
  return toTrade(iface.decodeFunctionResult('openTrades', raw)[0]);
}

async function intents(userId: number) {
  const out = await doc.send(
    new ScanCommand({
      TableName: stack.info.tables.intents,
      FilterExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': String(userId) },
    }),
  );
  return out.Items ?? [];
}

/** Delivers a fanout message as SQS would redeliver it: same body, a new dedup id. */
const deliver = (m: FanoutMessage) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.info.queues.fanout.url,
      MessageBody: toJson(m),
      MessageGroupId: m.userId,
      MessageDeduplicationId: String(uniqueId()),
    }),
  );

const executorNonce = () => provider.getTransactionCount(stack.info.executorAddress, 'latest');

beforeAll(async () => {
  stack = await startLocalStack({
    env: {
      COPY_EXECUTION_MODE: 'LIVE',
      POWERTOOLS_LOG_LEVEL: process.env.ALFA_TEST_LOGS === '1' ? 'INFO' : 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    log: (line) => (process.env.ALFA_TEST_LOGS === '1' ? process.stderr.write(`${line}\n`) : undefined),
  });
  const base = { region: stack.info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, endpoint: stack.info.endpoints.dynamodb }));
  await new SSMClient({ ...base, endpoint: stack.info.endpoints.awsControlPlane }).send(
    new PutParameterCommand({
      Name: stack.info.executionModeParameter,
      Value: 'LIVE',
      Type: 'String',
      Overwrite: true,
    }),
  );
  sqs = new SQSClient({ ...base, endpoint: stack.info.endpoints.sqs });
  provider = new JsonRpcProvider(stack.info.endpoints.rpc, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
  });
}, 90_000);

afterAll(async () => {
  provider?.destroy();
  await stack?.stop();
});

describe('LIVE copy', () => {
  it('opens the copy in the follower’s wallet, closes the same fraction, once each; stops on an emergency', async () => {
    if (stack.info.chain.mode !== 'local') throw new Error('needs the local chain');
    const { addresses } = stack.info.chain;
    const trader = await LocalTrader.create(stack.info.endpoints.rpc, addresses, 400 + (uniqueId() % 50));
    const wallet = await LocalTrader.create(
      stack.info.endpoints.rpc,
      addresses,
      450 + (uniqueId() % 50),
      1_000n * USDC_UNIT,
    );
    await wallet.delegateTo(stack.info.executorAddress);
    const bob = new ChatDriver(stack.info, { id: uniqueId(), firstName: 'Bob' });
    await bob.say(`/follow ${trader.address}`);
    await bob.say(`/set ${trader.address} mode auto`);
    await bob.say(`/wallet ${wallet.address}`);
    const nonceBefore = await executorNonce();

    // The trader opens 500 USDC at 10x: Bob copies $25 at 5x (his conservative profile's cap).
    await trader.open({ pairIndex: 1, collateralUsdc: 500n * USDC_UNIT, leverage: 10, buy: true });
    expect(await waitForText(stack.info, bob.person.id, /Copy: opening LONG 5x with \$25\.00/)).not.toContain(
      '(DRY)',
    );
    await waitForText(stack.info, bob.person.id, /Copy filled: opened <b>LONG BTC\/USD<\/b> 5x/);
    const opened = await onChain(wallet.address, 1, 0);
    expect(opened.leverage).toBe(5n * 10n ** 10n);
    expect(opened.buy).toBe(true);
    const collateral = opened.initialPosToken;

    // The trader closes 200 of the collateral left after fees: Bob closes the same fraction of his.
    const traderTrade = await onChain(trader.address, 1, 0);
    await trader.close(1, 0, 200n * USDC_UNIT);
    await waitForText(stack.info, bob.person.id, /Copy filled: closed/);
    const after = await onChain(wallet.address, 1, 0);
    const expectedLeft = collateral - (collateral * 200n * USDC_UNIT) / traderTrade.initialPosToken;
    expect(after.initialPosToken).toBe(expectedLeft);

    expect(await executorNonce()).toBe(nonceBefore + 2);
    const states = (await intents(bob.person.id)).map((i) => i.state).sort();
    expect(states).toEqual(['MINED', 'MINED']);

    // The same fanout message delivered three times (and so any Lambda retry): one transaction.
    const signalId = `0x${uniqueId().toString(16).padStart(64, '0')}:1`;
    const message: FanoutMessage = {
      signal: {
        id: signalId,
        kind: 'OPEN',
        trader: trader.address,
        pairIndex: 1,
        pair: 'BTC/USD',
        tradeIndex: 5,
        side: 'SHORT',
        leverage: String(5n * 10n ** 10n),
        collateralUsdc: String(100n * USDC_UNIT),
        notionalUsdc: String(500n * USDC_UNIT),
        price: String(await trader.price(1)),
        block: 1,
        blockHash: '0x1',
        txHash: '0x2',
        ts: 0,
      },
      userId: String(bob.person.id),
      chatId: String(bob.person.id),
      follower: {
        userId: String(bob.person.id),
        chatId: String(bob.person.id),
        mode: 'AUTO',
        sizing: { kind: 'FIXED_USD', usdc: 25n * USDC_UNIT },
        maxLeverage: 10,
        maxPositionUsdc: 250n * USDC_UNIT,
        pairs: 'ALL',
        notify: true,
        paused: false,
      },
      decision: {
        action: 'COPY',
        reason: 'COPY_OK',
        adjustments: [],
        notify: true,
        order: {
          kind: 'OPEN',
          pairIndex: 1,
          buy: false,
          leverage: String(5n * 10n ** 10n),
          collateralUsdc: String(25n * USDC_UNIT),
        },
      },
    };
    await Promise.all([1, 2, 3].map(() => deliver(message)));
    await waitForText(stack.info, bob.person.id, /Copy filled: opened <b>SHORT BTC\/USD<\/b>/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await executorNonce()).toBe(nonceBefore + 3);
    expect(
      (await intents(bob.person.id)).filter((i) => String(i.intentId).startsWith(signalId)),
    ).toHaveLength(1);

    // An SSM outage: any doubt means DRY, so the copy is only simulated and nothing is signed.
    await fetch(`${stack.info.endpoints.awsControlPlane}/_alfa/ssm-outage`, {
      method: 'POST',
      body: JSON.stringify({ on: true }),
    });
    await trader.open({ pairIndex: 2, collateralUsdc: 300n * USDC_UNIT, leverage: 5, buy: true });
    expect(
      await waitForText(
        stack.info,
        bob.person.id,
        /opened <b>LONG SOL\/USD<\/b>[\s\S]*Copy \(DRY\): would open/,
      ),
    ).toBeTruthy();
    await fetch(`${stack.info.endpoints.awsControlPlane}/_alfa/ssm-outage`, {
      method: 'POST',
      body: JSON.stringify({ on: false }),
    });
    expect(await executorNonce()).toBe(nonceBefore + 3);

    // Emergency stop: the next open is alerted, not copied, and nothing is signed.
    await new DynamoOperatorFlags(doc, stack.info.tables.state).setEmergencyStop(true, 'test', new Date());
    await trader.open({ pairIndex: 0, collateralUsdc: 300n * USDC_UNIT, leverage: 5, buy: false });
    await waitForText(
      stack.info,
      bob.person.id,
      /SHORT ETH\/USD[\s\S]*Not copied( \(DRY\))?: copying is stopped by the operators/,
    );
    expect(await executorNonce()).toBe(nonceBefore + 3);
  });
});
