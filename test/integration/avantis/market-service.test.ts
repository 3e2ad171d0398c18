// The local batched-market service on the real local Avantis v2 contracts (a private anvil,
// deployed and upgraded here): every event of docs/avantis.md v2 §4's stream on a real fill, the two-step fill
// in a later block, every refusal answered 400 with the router's error name and nothing mined, a
// cancel on slippage, contract refusals after acceptance, gasless delegate registration, the
// prices and user-data reads, and the keeper's TP trigger.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transaction, type HDNodeWallet, type JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENT_TYPES } from '#core/domain/avantis/intents.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { PRECISION, USDC_UNIT, contractInterface } from '../../../local/chain/abi.js';
import {
  deployAvantis,
  devWallet,
  localProvider,
  upgradeToV2,
  type DeployedAvantis,
} from '../../../local/chain/deploy.js';
import { EthersMarketChain } from '../../../local/avantis/ethers-chain.js';
import { startMarketServer } from '../../../local/avantis/server.js';
import { NonceSender, setBalance } from '../../../local/chain/tx.js';
import {
  SERVICE_ACCOUNTS,
  serviceKeeperAddress,
  startAvantisService,
  type AvantisService,
} from '../../../local/avantis/local-service.js';
import { closeReq, deadlineIn, increaseReq, openReq, signedBody } from '../../unit/local/avantis/intents.js';
import { getJson, postOrder, type PostResult } from '../../unit/local/avantis/sse-client.js';

let anvil: Anvil;
let d: DeployedAvantis;
let svc: AvantisService;
let provider: JsonRpcProvider;
const trader = devWallet(3);
const delegate = devWallet(4);
const stranger = devWallet(5);
const relayer = devWallet(SERVICE_ACCOUNTS.relayer);
const ETH = 0n;

const domain = () => ({ chainId: d.chainId, tradingRouter: d.addresses.tradingRouter });
const execUrl = () => `${svc.server.batchedMarketUrl}/market/execute-batched`;
const types = (r: PostResult) => r.events.map((e) => e.type);
const relayerNonce = () => provider.getTransactionCount(relayer.address, 'latest');

async function price(pairIndex = ETH): Promise<bigint> {
  const { body } = await getJson(`${svc.server.pricesUrl}/${pairIndex}`);
  return BigInt(String(body.price));
}

async function send(
  wallet: HDNodeWallet,
  to: string,
  name: 'MockUSDC' | 'TradingRouter' | 'PriceFeed',
  fn: string,
  args: unknown[],
) {
  const r = await new NonceSender(wallet.connect(provider), provider).sendAndWait({
    to,
    data: contractInterface(name).encodeFunctionData(fn, args),
    gasLimit: 500_000n,
  });
  expect(r.status, `${fn} mined`).toBe(1);
  return r;
}

async function openBody(over: Partial<Parameters<typeof openReq>[0]> = {}, signer: HDNodeWallet = trader) {
  return signedBody(
    domain(),
    signer,
    'OpenTradeReq',
    openReq({ trader: trader.address, openPrice: await price(), ...over }),
  );
}

interface Position {
  pairIndex: number;
  index: number;
  collateral: string;
  timestamp: string;
  tp: string;
}
async function positions(): Promise<Position[]> {
  const { body } = await getJson(`${svc.server.userDataUrl}?trader=${trader.address}`);
  return body.positions as Position[];
}

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (batched-market)' });
  d = await deployAvantis(anvil.url);
  provider = d.provider;
  await upgradeToV2(d, { keepers: [d.keeper.address, serviceKeeperAddress()] });
  for (const w of [trader, delegate, stranger]) await setBalance(provider, w.address, 10n ** 20n);
  await send(trader, d.addresses.usdc, 'MockUSDC', 'mint', [trader.address, 1_000_000n * USDC_UNIT]);
  await send(trader, d.addresses.usdc, 'MockUSDC', 'approve', [d.addresses.tradingStorage, 2n ** 256n - 1n]);
  svc = await startAvantisService(d, { rpcUrl: anvil.url, keeperPollMs: 25, retryDelayMs: 10 });
}, 120_000);

afterAll(async () => {
  await svc?.close();
  await anvil?.stop();
});

describe('a market open on the local contracts', () => {
  it('streams Accepted, Initiated and Executed, filled by the keeper in a later block', async () => {
    // Act
    const r = await postOrder(execUrl(), await openBody());
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderExecuted']);
    expect(r.events.map((e) => e.id)).toEqual(['0', '1', '2']);
    const [, initiated, executed] = r.events;
    expect(initiated?.data).toMatchObject({
      trader: trader.address,
      pairIndex: '0',
      open: true,
      isBuy: true,
    });
    expect(executed?.data).toMatchObject({
      orderId: initiated?.data.orderId,
      open: true,
      usdcSentToTrader: '0',
    });
    const registered = await provider.getTransactionReceipt(String(initiated?.data.transactionHash));
    const filled = await provider.getTransactionReceipt(String(executed?.data.transactionHash));
    expect(filled!.blockNumber).toBeGreaterThan(registered!.blockNumber);
    // Registered by the relayer, not the trader: gasless.
    expect(registered!.from).toBe(relayer.address);
    // The collateral after the opening fee (docs/local-avantis.md), as a string.
    const t = executed?.data.t as Record<string, string>;
    expect(BigInt(t.initialPosToken ?? '0')).toBeLessThan(100n * USDC_UNIT);
    expect(BigInt(t.initialPosToken ?? '0')).toBeGreaterThan(99n * USDC_UNIT);
  });

  it('lists the position in /user-data with the open timestamp a close binds, and closes it', async () => {
    // Prepare
    const before = await positions();
    const p = before.find((x) => x.pairIndex === 0);
    expect(p).toBeDefined();
    const body = await signedBody(
      domain(),
      trader,
      'CloseTradeReq',
      closeReq({
        trader: trader.address,
        index: BigInt(p!.index),
        openTimestamp: BigInt(p!.timestamp),
        amount: BigInt(p!.collateral),
        wantedPrice: await price(),
      }),
    );
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderExecuted']);
    expect(r.events[1]?.data).toMatchObject({ open: false });
    expect(r.events[2]?.data).toMatchObject({ open: false });
    expect(BigInt(String(r.events[2]?.data.usdcSentToTrader))).toBeGreaterThan(0n);
    expect((await positions()).find((x) => x.index === p!.index && x.pairIndex === 0)).toBeUndefined();
  });

  it('increases a position: IncreasePositionRequested then PositionSizeIncreased', async () => {
    // Prepare
    await postOrder(execUrl(), await openBody());
    const [p] = await positions();
    const body = await signedBody(
      domain(),
      trader,
      'IncreasePositionSizeReq',
      increaseReq({
        trader: trader.address,
        index: BigInt(p!.index),
        openPrice: await price(),
        collateral: 50n * USDC_UNIT,
      }),
    );
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'IncreasePositionRequested', 'PositionSizeIncreased']);
    expect(r.events[1]?.data).toMatchObject({
      index: String(p!.index),
      addedCollateral: String(50n * USDC_UNIT),
    });
    const t = r.events[2]?.data.t as Record<string, string>;
    expect(BigInt(t.initialPosToken ?? '0')).toBeGreaterThan(BigInt(p!.collateral));
  });

  it('ends with MarketOrderCanceled when the price is past the slippage at the fill', async () => {
    // Prepare: a long whose reference is 10% under the market, with 1% slippage
    const body = await openBody({ openPrice: ((await price()) * 90n) / 100n });
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderCanceled']);
    expect(r.events[2]?.data).toMatchObject({ trader: trader.address, pairIndex: '0' });
  });

  it('ends with MarketOrderCanceled when the cancelNext fault is armed for the trader', async () => {
    // Prepare
    await fetch(svc.server.faultsUrl, {
      method: 'POST',
      body: JSON.stringify({ cancelNext: 1, trader: trader.address }),
    });
    // Act
    const r = await postOrder(execUrl(), await openBody());
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderCanceled']);
    const receipt = await provider.getTransactionReceipt(String(r.events[2]?.data.transactionHash));
    const canceled = receipt!.logs
      .map((l) => contractInterface('TradingCallbacksV2').parseLog({ topics: [...l.topics], data: l.data }))
      .find((x) => x?.name === 'MarketOpenCanceled');
    expect(canceled?.args.orderId).toBe(BigInt(String(r.events[1]?.data.orderId)));
  });

  it('ends with Error BelowMinPosition, and mines nothing, for a position under the minimum', async () => {
    // Prepare
    const nonce = await relayerNonce();
    // Act
    const r = await postOrder(
      execUrl(),
      await openBody({ collateral: 5n * USDC_UNIT, leverage: 2n * PRECISION }),
    );
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'Error']);
    expect(r.events[1]?.data).toMatchObject({ status: 'failed', code: 'BelowMinPosition' });
    expect(await relayerNonce()).toBe(nonce);
  });
});

describe('refusals before the stream, with nothing mined', () => {
  const refused = async (body: unknown, code: string) => {
    const nonce = await relayerNonce();
    const r = await postOrder(execUrl(), body);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code });
    expect(await relayerNonce()).toBe(nonce);
  };

  it('refuses a signature by a stranger: NotDelegate', async () => {
    await refused(await openBody({}, stranger), 'NotDelegate');
  });

  it('refuses a signature that recovers to nobody valid: InvalidSignature', async () => {
    const body = await openBody();
    const sig = `0x${'11'.repeat(64)}1b`;
    await refused({ ...body, erc712: { ...body.erc712, userSignature: sig } }, 'InvalidSignature');
  });

  it('refuses an expired deadline: InvalidDeadline', async () => {
    await refused(await openBody({ deadline: deadlineIn(-60_000) }), 'InvalidDeadline');
  });

  it('refuses a used nonce: InvalidNonce', async () => {
    const body = await openBody();
    await postOrder(execUrl(), body);
    await refused(body, 'InvalidNonce');
  });

  it('refuses a close with the wrong open timestamp: PositionMismatch', async () => {
    const [p] = await positions();
    const body = await signedBody(
      domain(),
      trader,
      'CloseTradeReq',
      closeReq({
        trader: trader.address,
        index: BigInt(p!.index),
        openTimestamp: BigInt(p!.timestamp) - 1n,
        amount: BigInt(p!.collateral),
        wantedPrice: await price(),
      }),
    );
    await refused(body, 'PositionMismatch');
  });

  it('refuses a revoked delegate (NotDelegate) and an expired one (DelegateExpired)', async () => {
    // Prepare: a delegate set and removed, then one set to expire in 5 s and the clock moved on
    const now = BigInt((await provider.getBlock('latest'))!.timestamp);
    await send(trader, d.addresses.tradingRouter, 'TradingRouter', 'setDelegate', [
      delegate.address,
      now + 3600n,
    ]);
    await send(trader, d.addresses.tradingRouter, 'TradingRouter', 'removeDelegate', [delegate.address]);
    await refused(await openBody({}, delegate), 'NotDelegate');
    await send(trader, d.addresses.tradingRouter, 'TradingRouter', 'setDelegate', [
      delegate.address,
      now + 5n,
    ]);
    await provider.send('evm_increaseTime', [10]);
    await provider.send('evm_mine', []);
    await refused(await openBody({ deadline: deadlineIn(3_600_000) }, delegate), 'DelegateExpired');
  });
});

describe('delegates registered gaslessly through the service', () => {
  it('relays a DelegateReq the trader signed, and then takes the delegate’s intents', async () => {
    // Prepare
    const set = await getJson(`${svc.server.batchedMarketUrl}/v2/intents/delegate-set`, {
      method: 'POST',
      body: JSON.stringify({ trader: trader.address, delegate: delegate.address, expirySeconds: 86_400 }),
    });
    const data = set.body.data as { domain: never; message: Record<string, string>; encodedIntent: string };
    const signature = await trader.signTypedData(data.domain, INTENT_TYPES.DelegateReq, data.message);
    // Act
    const submit = await getJson(`${svc.server.batchedMarketUrl}/v2/intents/delegate-submit`, {
      method: 'POST',
      body: JSON.stringify({ signature, encodedIntent: data.encodedIntent }),
    });
    const status = await getJson(
      `${svc.server.batchedMarketUrl}/v2/delegation?trader=${trader.address}&delegate=${delegate.address}`,
    );
    const r = await postOrder(execUrl(), await openBody({ deadline: deadlineIn(3_600_000) }, delegate));
    // Assess
    expect(submit.body).toMatchObject({ ok: true });
    const tx = await provider.getTransactionReceipt(
      String((submit.body.data as { transactionHash: string }).transactionHash),
    );
    expect(tx?.from).toBe(relayer.address);
    expect(status.body.data).toMatchObject({
      isEnabled: true,
      canSignIntents: true,
      canDelegatedAction: true,
    });
    expect(types(r).at(-1)).toBe('MarketOrderExecuted');
  });
});

describe('the keeper', () => {
  it('waits keeperDelayBlocks before filling, and the stream times out meanwhile without losing the order', async () => {
    // Prepare
    await fetch(svc.server.faultsUrl, {
      method: 'POST',
      body: JSON.stringify({ keeperDelayBlocks: 3, streamTimeoutNext: 1 }),
    });
    // Act
    const r = await postOrder(execUrl(), await openBody());
    const trackingId = String(r.events[0]?.data.trackingId);
    const { body: early } = await getJson(
      `${svc.server.batchedMarketUrl}/tracking-id/${trackingId}/status?afterSeq=0`,
    );
    for (let i = 0; i < 4; i++) await provider.send('evm_mine', []);
    let events: { type: string }[] = [];
    // Up to 15 s: the relay and the keeper's fill each take a block, more with a busy machine.
    for (let i = 0; i < 300 && !events.some((e) => e.type === 'MarketOrderExecuted'); i++) {
      await new Promise((res) => setTimeout(res, 50));
      events = (await getJson(`${svc.server.batchedMarketUrl}/tracking-id/${trackingId}/status`)).body
        .events as { type: string }[];
    }
    await fetch(svc.server.faultsUrl, { method: 'DELETE' });
    // Assess
    expect(r.events.at(-1)).toMatchObject({ type: 'Error', id: undefined, data: { code: 'STREAM_TIMEOUT' } });
    expect((early.events as { type: string }[]).map((e) => e.type)).not.toContain('MarketOrderExecuted');
    expect(events.map((e) => e.type)).toEqual([
      'MarketOrderAccepted',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
  });

  it('triggers a take-profit when the price reaches it', async () => {
    // Prepare: a long with TP 1% above the market, then the oracle moves 2% up
    const market = await price();
    const r = await postOrder(execUrl(), await openBody({ tp: (market * 101n) / 100n }));
    const opened = r.events.at(-1)?.data.t as Record<string, string>;
    await send(d.priceKeeper as HDNodeWallet, d.addresses.priceFeed, 'PriceFeed', 'setPrice', [
      ETH,
      (market * 102n) / 100n,
    ]);
    // Act: the keeper runs on the next blocks
    let still = true;
    for (let i = 0; i < 100 && still; i++) {
      await provider.send('evm_mine', []);
      await new Promise((res) => setTimeout(res, 50));
      still = (await positions()).some((p) => String(p.index) === opened.index && p.pairIndex === 0);
    }
    await send(d.priceKeeper as HDNodeWallet, d.addresses.priceFeed, 'PriceFeed', 'setPrice', [ETH, market]);
    // Assess
    expect(still).toBe(false);
  });
});

describe('faults on the real chain', () => {
  const arm = (faults: Record<string, unknown>) =>
    fetch(svc.server.faultsUrl, {
      method: 'POST',
      body: JSON.stringify({ ...faults, trader: trader.address }),
    });

  it('ends in ATTEMPTS_EXHAUSTED after three failed attempts, with nothing mined', async () => {
    // Prepare
    await arm({ failAttempts: 3 });
    const nonce = await relayerNonce();
    // Act
    const r = await postOrder(execUrl(), await openBody());
    // Assess
    expect(types(r)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'AttemptFailed',
      'AttemptFailed',
      'Error',
    ]);
    expect(r.events.at(-1)?.data).toMatchObject({ code: 'ATTEMPTS_EXHAUSTED' });
    expect(await relayerNonce()).toBe(nonce);
  });

  it('answers 503 before any stream, with nothing mined', async () => {
    // Prepare
    await arm({ http5xx: 1 });
    const nonce = await relayerNonce();
    // Act
    const r = await postOrder(execUrl(), await openBody());
    // Assess
    expect(r.status).toBe(503);
    expect(await relayerNonce()).toBe(nonce);
  });

  it('cuts the stream after Accepted, and the replay still ends in the fill', async () => {
    // Prepare
    await arm({ dropStreamNext: 1 });
    // Act
    const r = await postOrder(execUrl(), await openBody());
    const trackingId = String(r.events[0]?.data.trackingId);
    let events: { type: string }[] = [];
    // Up to 15 s: the relay and the keeper's fill each take a block, more with a busy machine.
    for (let i = 0; i < 300 && !events.some((e) => e.type === 'MarketOrderExecuted'); i++) {
      await new Promise((res) => setTimeout(res, 50));
      events = (await getJson(`${svc.server.batchedMarketUrl}/tracking-id/${trackingId}/status`)).body
        .events as { type: string }[];
    }
    // Assess
    expect(r.dropped).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      'MarketOrderAccepted',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
  });
});

/**
 * A JSON-RPC proxy in front of anvil that answers `null` to eth_getTransactionReceipt for the
 * first transaction `from` sends, for `withholdMs` after it was sent: a node that lost the receipt.
 */
async function receiptWithholdingRpc(upstream: string, from: string, withholdMs: number) {
  const withheld: string[] = [];
  let until = 0;
  type Req = { id: unknown; method: string; params?: unknown[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const parsed = JSON.parse(body) as Req | Req[];
        const up = await fetch(upstream, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const answer = (await up.json()) as
          { id: unknown; result?: unknown } | { id: unknown; result?: unknown }[];
        const reqs = Array.isArray(parsed) ? parsed : [parsed];
        const outs = Array.isArray(answer) ? answer : [answer];
        for (const r of reqs) {
          const out = outs.find((o) => o.id === r.id);
          if (!out) continue;
          if (
            r.method === 'eth_sendRawTransaction' &&
            withheld.length === 0 &&
            Transaction.from(String(r.params?.[0])).from === from
          ) {
            withheld.push(String(out.result));
            until = Date.now() + withholdMs;
          }
          if (
            r.method === 'eth_getTransactionReceipt' &&
            r.params?.[0] === withheld[0] &&
            Date.now() < until
          ) {
            out.result = null;
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    withheld,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('a relayer retry after the RPC lost the receipt', () => {
  it('finds the order the first transaction registered instead of failing InvalidNonce', async () => {
    // Prepare: a second service whose RPC withholds its first receipt past the relayer's timeout
    const ownRelayer = devWallet(6);
    await setBalance(provider, ownRelayer.address, 10n ** 20n);
    const rpc = await receiptWithholdingRpc(anvil.url, ownRelayer.address, 3_000);
    const rpcProvider = localProvider(rpc.url);
    const chain = new EthersMarketChain({
      provider: rpcProvider,
      chainId: d.chainId,
      addresses: d.addresses,
      relayer: ownRelayer.connect(rpcProvider),
      keeper: d.keeper.connect(rpcProvider),
      fromBlock: d.deployBlock,
      receiptTimeoutMs: 1_000,
    });
    const server = await startMarketServer({ chain, keeperPollMs: 25, retryDelayMs: 3_000 });
    try {
      // Act
      const r = await postOrder(`${server.batchedMarketUrl}/market/execute-batched`, await openBody());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'MarketOrderInitiated',
        'MarketOrderExecuted',
      ]);
      expect(r.events[1]?.data).toMatchObject({ attempt: 1, willRetry: true });
      expect(String(r.events[1]?.data.message)).toMatch(/no receipt/);
      expect(r.events[2]?.data.transactionHash).toBe(rpc.withheld[0]);
      expect(await provider.getTransactionCount(ownRelayer.address, 'latest')).toBe(1);
    } finally {
      await server.close();
      await rpc.close();
      rpcProvider.destroy();
    }
  }, 30_000);

  it('finds it the same way when the loseReceiptNext fault drops the receipt', async () => {
    // Prepare
    await fetch(svc.server.faultsUrl, {
      method: 'POST',
      body: JSON.stringify({ loseReceiptNext: 1, trader: trader.address }),
    });
    const nonce = await relayerNonce();
    // Act
    const r = await postOrder(execUrl(), await openBody());
    // Assess
    expect(types(r)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
    expect(await relayerNonce()).toBe(nonce + 1);
  });
});

describe('the prices read', () => {
  it('gives the oracle price as a 1e10 string', async () => {
    const { body } = await getJson(`${svc.server.pricesUrl}/0`);
    const onChain = contractInterface('PriceFeed').decodeFunctionResult(
      'getPrice',
      await provider.call({
        to: d.addresses.priceFeed,
        data: contractInterface('PriceFeed').encodeFunctionData('getPrice', [0]),
      }),
    )[0] as bigint;
    expect(body).toEqual({ pairIndex: 0, price: String(onChain) });
  });
});
