// The local Avantis as the shared test stack exposes it (.local/stack.json → avantis): already
// upgraded to v2, its batched-market service filling a signed order for a fresh trader, the reads
// answering, and the handlers pointed at it.
import { getAddress } from 'ethers';
import { describe, expect, inject, it } from 'vitest';
import { USDC_UNIT, contractInterface } from '../../../local/chain/abi.js';
import { devWallet, isUpgradedToV2, localProvider } from '../../../local/chain/deploy.js';
import { NonceSender, setBalance } from '../../../local/chain/tx.js';
import { openReq, signedBody } from '../../unit/local/avantis/intents.js';
import { getJson, postOrder } from '../../unit/local/avantis/sse-client.js';

const stack = inject('stack');

describe('the shared stack’s local Avantis', () => {
  it('names every endpoint and contract outside tools rely on', () => {
    const a = stack.avantis;
    expect(a).toMatchObject({
      rpcUrl: stack.endpoints.rpc,
      chainId: 31337,
      tradingRouter: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      batchedMarketUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/batched-market$/),
      usdc: expect.stringMatching(/^0x/),
      upgradeBlock: expect.any(Number),
      pricesUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
      userDataUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
      faultsUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
    });
    expect(a?.contracts.tradingRouter).toBe(a?.tradingRouter);
    expect(stack.env.AVANTIS_BATCHED_MARKET_URL).toBe(a?.batchedMarketUrl);
    expect(stack.env.AVANTIS_USER_DATA_URL).toBe(a?.userDataUrl);
    expect(stack.env.AVANTIS_PRICES_URL).toBe(a?.pricesUrl);
  });

  it('runs v2 from the start', async () => {
    const provider = localProvider(stack.endpoints.rpc);
    expect(await isUpgradedToV2(provider, stack.avantis!.contracts)).toBe(true);
    provider.destroy();
  });

  it('fills a signed market open of a fresh trader through the service', async () => {
    // Prepare: a dev account no other test uses, with ETH, USDC and the allowance
    const a = stack.avantis!;
    const provider = localProvider(a.rpcUrl);
    const trader = devWallet(600 + Math.floor(Math.random() * 300), provider);
    await setBalance(provider, trader.address, 10n ** 20n);
    const sender = new NonceSender(trader, provider);
    const usdc = contractInterface('MockUSDC');
    await sender.sendAndWait({
      to: a.usdc,
      data: usdc.encodeFunctionData('mint', [trader.address, 1_000n * USDC_UNIT]),
      gasLimit: 200_000n,
    });
    await sender.sendAndWait({
      to: a.usdc,
      data: usdc.encodeFunctionData('approve', [a.contracts.tradingStorage, 2n ** 256n - 1n]),
      gasLimit: 200_000n,
    });
    const { body: priced } = await getJson(`${a.pricesUrl}/0`);
    const body = await signedBody(
      a,
      trader,
      'OpenTradeReq',
      openReq({ trader: trader.address, openPrice: BigInt(String(priced.price)) }),
    );
    // Act
    const r = await postOrder(`${a.batchedMarketUrl}/market/execute-batched`, body);
    const { body: user } = await getJson(`${a.userDataUrl}?trader=${trader.address}`);
    provider.destroy();
    // Assess
    expect(r.events.map((e) => e.type)).toEqual([
      'MarketOrderAccepted',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
    expect(getAddress(String(r.events[1]?.data.trader))).toBe(trader.address);
    expect(user.positions).toEqual([expect.objectContaining({ pairIndex: 0, buy: true })]);
  });
});
