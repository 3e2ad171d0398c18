// Conformance of the local batched-market service's HTTP/SSE layer with docs/avantis.md v2 §4, against an
// in-memory chain (fake-chain.ts): the stream order and ids, every terminal, the 400s before any
// stream, replay by trackingId, keep-alives, the lifetime cap, and each injected fault. The same
// behaviour on the real contracts is in test/integration/avantis/.
import { Wallet, type BaseWallet } from 'ethers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTENT_TYPES, intentDigest, tradingDomain } from '#core/domain/avantis/intents.js';
import {
  startMarketServer,
  type MarketServer,
  type MarketServerOptions,
} from '../../../../local/avantis/server.js';
import { FakeChain } from './fake-chain.js';
import { closeReq, deadlineIn, increaseReq, openReq, signedBody, type BatchedBody } from './intents.js';
import { getJson, postOrder, type PostResult } from './sse-client.js';

const PRICE = 3500n * 10n ** 10n;
let chain: FakeChain;
let server: MarketServer;
const trader = Wallet.createRandom();
const delegate = Wallet.createRandom();
const stranger = Wallet.createRandom();

async function start(opts: Partial<MarketServerOptions> = {}) {
  server = await startMarketServer({ chain, keeperPollMs: 10, retryDelayMs: 5, ...opts });
}

beforeEach(async () => {
  chain = new FakeChain();
  await start();
});
afterEach(async () => {
  await server.close();
});

const execUrl = () => `${server.batchedMarketUrl}/market/execute-batched`;
const open = (over: Partial<Parameters<typeof openReq>[0]> = {}, signer: BaseWallet = trader) =>
  signedBody(chain, signer, 'OpenTradeReq', openReq({ trader: trader.address, openPrice: PRICE, ...over }));
const types = (r: PostResult) => r.events.map((e) => e.type);
const arm = (faults: Record<string, unknown>) =>
  fetch(server.faultsUrl, { method: 'POST', body: JSON.stringify(faults) });
const replay = (trackingId: string, afterSeq?: number) =>
  getJson(
    `${server.batchedMarketUrl}/tracking-id/${trackingId}/status${afterSeq === undefined ? '' : `?afterSeq=${afterSeq}`}`,
  );

async function replayUntilTerminal(trackingId: string): Promise<{ type: string; seq: number }[]> {
  for (let i = 0; i < 200; i++) {
    const { body } = await replay(trackingId);
    const events = body.events as { type: string; seq: number }[];
    if (events.some((e) => ['MarketOrderExecuted', 'MarketOrderCanceled', 'Error'].includes(e.type)))
      return events;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no terminal');
}

async function openPosition(): Promise<{ timestamp: bigint }> {
  const r = await postOrder(execUrl(), await open());
  const t = r.events.at(-1)?.data.t as Record<string, string>;
  return { timestamp: BigInt(t.timestamp ?? '0') };
}

export type { BatchedBody };

describe('a market open through the batched-market service', () => {
  it('streams Accepted (id 0), Initiated (id 1) and Executed (id 2), then closes the stream', async () => {
    // Prepare
    const body = await open();
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/event-stream/);
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderExecuted']);
    expect(r.events.map((e) => e.id)).toEqual(['0', '1', '2']);
    expect(r.dropped).toBe(false);
    const [accepted, initiated, executed] = r.events;
    expect(accepted?.data).toEqual({ trackingId: expect.any(String) });
    expect(initiated?.data).toMatchObject({
      orderId: '1',
      trader: trader.address,
      pairIndex: '0',
      open: true,
      isBuy: true,
      isPnl: false,
      transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(executed?.data).toMatchObject({
      orderId: '1',
      open: true,
      price: String(PRICE),
      usdcSentToTrader: '0',
    });
    expect((executed?.data.t as Record<string, unknown>).initialPosToken).toBe('100000000');
  });

  it('is filled by the keeper in a transaction after the one that registered it', async () => {
    // Act
    await postOrder(execUrl(), await open());
    // Assess
    expect(chain.txs).toEqual(['register open', 'execute 1']);
    // It registered the order itself, so it never read the order's block back from the chain.
    expect(chain.blockReads).toEqual([]);
  });

  it('sends every chain number as a decimal string', async () => {
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    const executed = r.events.at(-1)?.data ?? {};
    for (const k of [
      'orderId',
      'price',
      'positionSizeUSDC',
      'percentProfit',
      'usdcSentToTrader',
      'coinExposure',
    ]) {
      expect(typeof executed[k], k).toBe('string');
    }
    for (const v of Object.values(executed.t as Record<string, unknown>)) {
      expect(['string', 'boolean']).toContain(typeof v);
    }
  });

  it('accepts an intent signed by an active delegate of the trader', async () => {
    // Prepare
    chain.setDelegate(trader.address, delegate.address, chain.now + 3600n);
    // Act
    const r = await postOrder(execUrl(), await open({}, delegate));
    // Assess
    expect(types(r).at(-1)).toBe('MarketOrderExecuted');
  });

  it('ends with MarketOrderCanceled when the fill price is past the slippage', async () => {
    // Prepare: a long whose reference is 10% under the market, with 1% slippage
    const body = await open({ openPrice: (PRICE * 90n) / 100n });
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderCanceled']);
    expect(r.events.at(-1)?.data).toMatchObject({ orderId: '1', trader: trader.address, pairIndex: '0' });
  });

  it('ends with an Error carrying the contract error name when the router refuses at submission', async () => {
    // Prepare
    chain.revertWith = 'WrongSl';
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'Error']);
    expect(r.events.at(-1)).toMatchObject({ id: '1', data: { status: 'failed', code: 'WrongSl' } });
    expect(chain.txs).toEqual([]);
  });
});

describe('closes and increases', () => {
  it('closes a position whose open timestamp the intent binds', async () => {
    // Prepare
    const { timestamp } = await openPosition();
    const body = await signedBody(
      chain,
      trader,
      'CloseTradeReq',
      closeReq({
        trader: trader.address,
        openTimestamp: timestamp,
        amount: 100_000_000n,
        wantedPrice: PRICE,
      }),
    );
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'MarketOrderExecuted']);
    expect(r.events[1]?.data).toMatchObject({ open: false });
    expect(r.events[2]?.data).toMatchObject({ open: false, usdcSentToTrader: '100000000' });
  });

  it('streams IncreasePositionRequested then PositionSizeIncreased for an increase', async () => {
    // Prepare
    await openPosition();
    const body = await signedBody(
      chain,
      trader,
      'IncreasePositionSizeReq',
      increaseReq({ trader: trader.address, openPrice: PRICE, collateral: 50_000_000n }),
    );
    // Act
    const r = await postOrder(execUrl(), body);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'IncreasePositionRequested', 'PositionSizeIncreased']);
    expect(r.events[1]?.data).toMatchObject({
      index: '0',
      addedCollateral: '50000000',
      isCoinExposureFixed: false,
    });
    expect((r.events[2]?.data.t as Record<string, string>).initialPosToken).toBe('150000000');
  });
});

describe('bad input is answered 400 before any stream, and nothing is submitted', () => {
  const expect400 = async (body: unknown, code: string) => {
    const r = await postOrder(execUrl(), body);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code, message: expect.any(String) });
    expect(chain.txs).toEqual([]);
  };

  it('refuses a body that is not JSON', () => expect400('{not json', 'INVALID_REQUEST'));
  it('refuses a body without erc712', () => expect400({ orderType: 0 }, 'INVALID_REQUEST'));
  it('refuses an orderType the service does not serve', async () => {
    const body = await open();
    await expect400({ ...body, orderType: 2 }, 'UNSUPPORTED_ORDER_TYPE');
    await expect400({ ...body, orderType: 12 }, 'UNSUPPORTED_ORDER_TYPE');
  });
  it('refuses a userIntent that does not decode as the orderType struct', async () => {
    const body = await open();
    await expect400({ ...body, erc712: { ...body.erc712, userIntent: '0x1234' } }, 'INVALID_INTENT');
  });
  it('refuses a signature that is not 65 bytes', async () => {
    const body = await open();
    await expect400({ ...body, erc712: { ...body.erc712, userSignature: '0xdead' } }, 'InvalidSignature');
  });
  it('refuses a PnL orderType on a plain market open', async () => {
    const body = await open();
    await expect400({ ...body, orderType: 6 }, 'PnlOrderNotAllowed');
  });
  it('refuses a signature by someone who is not the trader nor a delegate', async () => {
    await expect400(await open({}, stranger), 'NotDelegate');
  });
  it('refuses a signature by an expired delegate', async () => {
    chain.setDelegate(trader.address, delegate.address, chain.now - 1n);
    await expect400(await open({}, delegate), 'DelegateExpired');
  });
  it('refuses an expired deadline (milliseconds)', async () => {
    await expect400(await open({ deadline: deadlineIn(-5_000) }), 'InvalidDeadline');
  });
  it('refuses a close that binds the wrong open timestamp', async () => {
    const { timestamp } = await openPosition();
    chain.txs.length = 0;
    const body = await signedBody(
      chain,
      trader,
      'CloseTradeReq',
      closeReq({ trader: trader.address, openTimestamp: timestamp - 1n, amount: 1n, wantedPrice: PRICE }),
    );
    await expect400(body, 'PositionMismatch');
  });
  it('refuses a used nonce', async () => {
    const body = await open();
    await postOrder(execUrl(), body);
    chain.txs.length = 0;
    await expect400(body, 'InvalidNonce');
  });
});

describe('replay by trackingId', () => {
  it('returns the persisted events after a seq, and all of them without afterSeq', async () => {
    // Prepare
    const r = await postOrder(execUrl(), await open());
    const trackingId = String(r.events[0]?.data.trackingId);
    // Act
    const all = await replay(trackingId);
    const after0 = await replay(trackingId, 0);
    // Assess
    expect(all.status).toBe(200);
    expect((all.body.events as { seq: number }[]).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(after0.body.events).toEqual([
      { seq: 1, type: 'MarketOrderInitiated', payload: r.events[1]?.data, at: expect.any(Number) },
      { seq: 2, type: 'MarketOrderExecuted', payload: r.events[2]?.data, at: expect.any(Number) },
    ]);
  });

  it('answers 404 for a finished trackingId once its retention has passed', async () => {
    // Prepare
    await server.close();
    await start({ tracking: { retainFinishedMs: 50 } });
    const first = await postOrder(execUrl(), await open());
    const trackingId = String(first.events[0]?.data.trackingId);
    const before = await replay(trackingId);
    // Act: the retention passes, and the next order prunes the log
    await new Promise((r) => setTimeout(r, 60));
    await postOrder(execUrl(), await open());
    const after = await replay(trackingId);
    // Assess
    expect(before.status).toBe(200);
    expect(after.status).toBe(404);
  });

  it('answers 404 for an unknown trackingId', async () => {
    const r = await replay('no-such-id');
    expect(r.status).toBe(404);
  });
});

describe('the stream view', () => {
  it('sends keep-alive comments while the order is pending', async () => {
    // Prepare: a keeper that waits long, a short stream
    await server.close();
    await start({ keepAliveMs: 20, streamLifetimeMs: 400, keeperDelayBlocks: 1000 });
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    expect(r.comments.length).toBeGreaterThanOrEqual(3);
  });

  it('ends with STREAM_TIMEOUT without an id at the lifetime cap, while the order still executes', async () => {
    // Prepare
    await server.close();
    await start({ streamLifetimeMs: 100, keeperDelayBlocks: 3 });
    // Act
    const r = await postOrder(execUrl(), await open());
    const trackingId = String(r.events[0]?.data.trackingId);
    chain.block += 5; // the keeper's delay passes after the stream ended
    const replayed = await replayUntilTerminal(trackingId);
    // Assess
    expect(types(r)).toEqual(['MarketOrderAccepted', 'MarketOrderInitiated', 'Error']);
    expect(r.events.at(-1)).toEqual({
      type: 'Error',
      id: undefined,
      data: expect.objectContaining({ code: 'STREAM_TIMEOUT', trackingId }),
    });
    expect(replayed.map((e) => e.type)).toEqual([
      'MarketOrderAccepted',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
  });
});

describe('fault injection', () => {
  it('reports failed attempts and then the fill when the next attempt succeeds', async () => {
    // Prepare
    await arm({ failAttempts: 2 });
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    expect(types(r)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'AttemptFailed',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
    expect(r.events[1]?.data).toEqual({
      attempt: 1,
      code: 'SUBMISSION_FAILED',
      message: expect.any(String),
      willRetry: true,
    });
    expect(r.events[2]?.data).toMatchObject({ attempt: 2, willRetry: true });
  });

  it('ends with Error ATTEMPTS_EXHAUSTED when every attempt fails, and submits nothing', async () => {
    // Prepare
    await arm({ failAttempts: 3 });
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    expect(types(r)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'AttemptFailed',
      'AttemptFailed',
      'Error',
    ]);
    expect(r.events[3]?.data).toMatchObject({ attempt: 3, willRetry: false });
    expect(r.events[4]).toMatchObject({
      id: '4',
      data: { status: 'failed', code: 'ATTEMPTS_EXHAUSTED', trackingId: r.events[0]?.data.trackingId },
    });
    expect(chain.txs).toEqual([]);
  });

  it('retries a submission the RPC failed', async () => {
    // Prepare
    chain.networkFailures = 1;
    // Act
    const r = await postOrder(execUrl(), await open());
    // Assess
    expect(types(r)).toEqual([
      'MarketOrderAccepted',
      'AttemptFailed',
      'MarketOrderInitiated',
      'MarketOrderExecuted',
    ]);
    expect(r.events[1]?.data).toMatchObject({ code: 'SUBMISSION_FAILED', willRetry: true });
  });

  describe('a retry after a lost receipt', () => {
    it('reports the order the first attempt registered instead of failing InvalidNonce', async () => {
      // Prepare: the first submission is mined but its receipt never comes
      chain.lostReceipts = 1;
      // Act
      const r = await postOrder(execUrl(), await open());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'MarketOrderInitiated',
        'MarketOrderExecuted',
      ]);
      expect(r.events[1]?.data).toMatchObject({ attempt: 1, code: 'SUBMISSION_FAILED', willRetry: true });
      expect(r.events[2]?.data).toMatchObject({ transactionHash: `0x${'1'.padStart(64, '0')}` });
      expect(chain.txs.filter((t) => t.startsWith('register'))).toEqual(['register open']);
    });

    it('reports the fill when the keeper settled the order before the retry found it', async () => {
      // Prepare: the retry waits long enough for the keeper to fill the order nobody tracks yet
      await server.close();
      await start({ retryDelayMs: 150 });
      chain.lostReceipts = 1;
      // Act
      const r = await postOrder(execUrl(), await open());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'MarketOrderInitiated',
        'MarketOrderExecuted',
      ]);
      expect(r.events[3]?.data).toMatchObject({ transactionHash: `0x${'2'.padStart(64, '0')}` });
      expect(chain.txs).toEqual(['register open', 'execute 1']);
    });

    it('looks again while the first transaction is not found mined and the nonce is already used', async () => {
      // Prepare
      chain.lostReceipts = 1;
      chain.unminedLookups = 1;
      // Act
      const r = await postOrder(execUrl(), await open());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'AttemptFailed',
        'MarketOrderInitiated',
        'MarketOrderExecuted',
      ]);
      expect(r.events[2]?.data).toMatchObject({ attempt: 2, willRetry: true });
      expect(chain.txs.filter((t) => t.startsWith('register'))).toEqual(['register open']);
    });

    it('ends in InvalidNonce when the used nonce never turns out to be its own', async () => {
      // Prepare: the earlier transaction is never found
      chain.lostReceipts = 1;
      chain.unminedLookups = 10;
      // Act
      const r = await postOrder(execUrl(), await open());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'AttemptFailed',
        'AttemptFailed',
        'Error',
      ]);
      expect(r.events[4]?.data).toMatchObject({ code: 'InvalidNonce' });
    });

    it('is what the loseReceiptNext fault injects', async () => {
      // Prepare
      await arm({ loseReceiptNext: 1, trader: trader.address });
      // Act
      const r = await postOrder(execUrl(), await open());
      // Assess
      expect(types(r)).toEqual([
        'MarketOrderAccepted',
        'AttemptFailed',
        'MarketOrderInitiated',
        'MarketOrderExecuted',
      ]);
      expect(r.events[1]?.data.message).toMatch(/no receipt/);
      expect(chain.txs.filter((t) => t.startsWith('register'))).toEqual(['register open']);
    });
  });

  it('cancels the next order', async () => {
    // Prepare
    await arm({ cancelNext: 1 });
    // Act
    const first = await postOrder(execUrl(), await open());
    const second = await postOrder(execUrl(), await open());
    // Assess
    expect(types(first).at(-1)).toBe('MarketOrderCanceled');
    expect(types(second).at(-1)).toBe('MarketOrderExecuted');
  });

  it('times the next stream out right after Accepted while the order goes on', async () => {
    // Prepare
    await arm({ streamTimeoutNext: 1 });
    // Act
    const r = await postOrder(execUrl(), await open());
    const replayed = await replayUntilTerminal(String(r.events[0]?.data.trackingId));
    // Assess
    expect(r.events.map((e) => [e.type, e.id, e.data.code])).toEqual([
      ['MarketOrderAccepted', '0', undefined],
      ['Error', undefined, 'STREAM_TIMEOUT'],
    ]);
    expect(replayed.at(-1)?.type).toBe('MarketOrderExecuted');
  });

  it('answers 5xx before any stream, and serves the next request', async () => {
    // Prepare
    await arm({ http5xx: 1 });
    // Act
    const failed = await postOrder(execUrl(), await open());
    const next = await postOrder(execUrl(), await open());
    // Assess
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(types(next).at(-1)).toBe('MarketOrderExecuted');
    expect(chain.txs).toEqual(['register open', 'execute 1']);
  });

  it('cuts the next stream without a terminal, and replay gives the outcome', async () => {
    // Prepare
    await arm({ dropStreamNext: 1 });
    // Act
    const r = await postOrder(execUrl(), await open());
    const replayed = await replayUntilTerminal(String(r.events[0]?.data.trackingId));
    // Assess
    expect(r.dropped).toBe(true);
    expect(types(r)).toEqual(['MarketOrderAccepted']);
    expect(replayed.at(-1)?.type).toBe('MarketOrderExecuted');
  });

  it('reports the fill another keeper made while its own keeper waited', async () => {
    // Prepare: its own keeper waits 1,000 blocks; another keeper fills as soon as it is registered
    await arm({ keeperDelayBlocks: 1000 });
    // Act
    const r = await postOrder(execUrl(), await open(), {
      onEvent: (e) => {
        if (e.type !== 'MarketOrderInitiated') return;
        chain.block += 1;
        chain.fillElsewhere(BigInt(e.data.orderId as string));
        chain.block += 1000;
      },
    });
    // Assess: the stream ends with that fill, and this keeper sent nothing for the order
    expect(types(r).at(-1)).toBe('MarketOrderExecuted');
    expect(chain.txs).toEqual(['register open', 'execute 1']);
  });

  it('delays the keeper by K blocks', async () => {
    // Prepare
    await arm({ keeperDelayBlocks: 4 });
    let registeredAt = 0;
    // Act: mine a block every 30 ms while the stream is open
    const miner = setInterval(() => (chain.block += 1), 30);
    const r = await postOrder(execUrl(), await open(), {
      onEvent: (e) => {
        if (e.type === 'MarketOrderInitiated') registeredAt = chain.block;
      },
    }).finally(() => clearInterval(miner));
    // Assess
    expect(types(r).at(-1)).toBe('MarketOrderExecuted');
    const executedBlock = chain.block;
    expect(executedBlock - registeredAt).toBeGreaterThanOrEqual(3);
  });

  it('applies a fault scoped to a trader to that trader only', async () => {
    // Prepare
    const other = Wallet.createRandom();
    await arm({ cancelNext: 1, trader: other.address });
    // Act
    const mine = await postOrder(execUrl(), await open());
    // Assess
    expect(types(mine).at(-1)).toBe('MarketOrderExecuted');
    const view = await getJson(server.faultsUrl);
    expect(view.body.armed).toEqual([
      { fault: 'cancelNext', remaining: 1, trader: other.address.toLowerCase() },
    ]);
  });

  it('shows what is armed and clears it all on DELETE', async () => {
    // Prepare
    await arm({ failAttempts: 2, keeperDelayBlocks: 3 });
    // Act
    const armed = await getJson(server.faultsUrl);
    const cleared = await getJson(server.faultsUrl, { method: 'DELETE' });
    // Assess
    expect(armed.body).toMatchObject({
      armed: [{ fault: 'failAttempts', remaining: 2 }],
      keeperDelayBlocks: 3,
    });
    expect(cleared.body).toMatchObject({ armed: [], keeperDelayBlocks: 1 });
  });

  it('refuses an unknown fault', async () => {
    const r = await arm({ explode: 1 });
    expect(r.status).toBe(400);
  });
});

describe('reads beside the service', () => {
  it('serves the latest price as a 1e10 string, and 404 for a pair without one', async () => {
    const ok = await getJson(`${server.pricesUrl}/0`);
    const none = await getJson(`${server.pricesUrl}/77`);
    expect(ok).toEqual({ status: 200, body: { pairIndex: 0, price: String(PRICE) } });
    expect(none.status).toBe(404);
  });

  it('lists a trader’s open positions like /user-data', async () => {
    // Prepare
    const { timestamp } = await openPosition();
    // Act
    const r = await getJson(`${server.userDataUrl}?trader=${trader.address}`);
    // Assess
    expect(r.body.positions).toEqual([
      {
        pairIndex: 0,
        index: 0,
        buy: true,
        collateral: '100000000',
        leverage: String(10n * 10n ** 10n),
        openPrice: String(PRICE),
        tp: '0',
        sl: '0',
        timestamp: String(timestamp),
      },
    ]);
  });

  it('registers a delegate gaslessly: delegate-set, the trader signs, delegate-submit, delegation', async () => {
    // Prepare
    const set = await fetch(`${server.batchedMarketUrl}/v2/intents/delegate-set`, {
      method: 'POST',
      body: JSON.stringify({ trader: trader.address, delegate: delegate.address, expirySeconds: 3600 }),
    });
    const { data } = (await set.json()) as {
      data: {
        domain: never;
        message: Record<string, string>;
        digest: string;
        encodedIntent: string;
        primaryType: string;
      };
    };
    const message = { ...data.message };
    const signature = await trader.signTypedData(data.domain, INTENT_TYPES.DelegateReq, message);
    // Act
    const submit = await getJson(`${server.batchedMarketUrl}/v2/intents/delegate-submit`, {
      method: 'POST',
      body: JSON.stringify({ signature, encodedIntent: data.encodedIntent }),
    });
    const status = await getJson(
      `${server.batchedMarketUrl}/v2/delegation?trader=${trader.address}&delegate=${delegate.address}`,
    );
    // Assess
    expect(data.primaryType).toBe('DelegateReq');
    expect(data.digest).toBe(
      intentDigest('DelegateReq', tradingDomain(chain.chainId, chain.tradingRouter), message),
    );
    expect(submit.body).toMatchObject({ ok: true, data: { transactionHash: expect.any(String) } });
    expect(status.body).toMatchObject({
      ok: true,
      data: { isEnabled: true, canSignIntents: true, canDelegatedAction: true },
    });
  });

  it('refuses a delegate registration not signed by the trader', async () => {
    // Prepare
    const set = await fetch(`${server.batchedMarketUrl}/v2/intents/delegate-set`, {
      method: 'POST',
      body: JSON.stringify({ trader: trader.address, delegate: delegate.address, expirySeconds: 3600 }),
    });
    const { data } = (await set.json()) as {
      data: { domain: never; message: Record<string, string>; encodedIntent: string };
    };
    const signature = await delegate.signTypedData(data.domain, INTENT_TYPES.DelegateReq, data.message);
    // Act
    const submit = await getJson(`${server.batchedMarketUrl}/v2/intents/delegate-submit`, {
      method: 'POST',
      body: JSON.stringify({ signature, encodedIntent: data.encodedIntent }),
    });
    // Assess
    expect(submit).toMatchObject({ status: 400, body: { ok: false, error: { code: 'InvalidSignature' } } });
    expect(chain.txs).toEqual([]);
  });
});
