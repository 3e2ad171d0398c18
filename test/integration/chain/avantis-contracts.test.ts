// The local Avantis-compatible contracts on a private anvil: events come from the right contracts
// with Avantis' topic0, amounts follow the v1 PnL arithmetic (re-done here by hand in bigint),
// slots are reused, keeper triggers close with LimitExecuted, and delegation trades for a user.
import { readFileSync } from 'node:fs';
import type { HDNodeWallet, TransactionReceipt } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LIMIT_ORDER,
  PRECISION,
  USDC_UNIT,
  contractInterface,
  decodeAvantisLogs,
  eventsOf,
  openTradeInput,
  toTrade,
  type AvantisEvent,
  type Trade,
} from '../../../local/chain/abi.js';
import type { ContractName } from '../../../local/chain/compile.js';
import { deployAvantis, devWallet, type DeployedAvantis } from '../../../local/chain/deploy.js';
import { NonceSender, waitReceipt } from '../../../local/chain/tx.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';

const TOPICS = JSON.parse(readFileSync('/work/shared/avantis/abi/topics.json', 'utf8')) as {
  events: { topic0: string; signature: string; abiFile: string }[];
};
/** The current (v1.5) topic0 of `signature` in Avantis' ABI file for `contract`. */
function avantisTopic(contract: string, signature: string): string {
  const hit = TOPICS.events.find((e) => e.abiFile === `abi/${contract}.json` && e.signature === signature);
  if (!hit) throw new Error(`no topic for ${contract} ${signature}`);
  return hit.topic0;
}
const T = '(address,uint256,uint256,uint256,uint256,uint256,bool,uint256,uint256,uint256,uint256)';

const E = (x: number | string): bigint => BigInt(x) * PRECISION; // price/leverage 1e10
const U = (x: number): bigint => BigInt(x) * USDC_UNIT; // USDC 1e6
const ETH = 0;
const EUR = 11;
const HYPE = 62;
const SLIPPAGE_1P = PRECISION;

// The v1 arithmetic, written out again here rather than imported, so the test checks the contract.
function percentProfit(open: bigint, price: bigint, buy: boolean, leverage: bigint): bigint {
  const diff = buy ? price - open : open - price;
  let p = (diff * 100n * PRECISION * leverage) / PRECISION / open;
  if (p > 900n * PRECISION) p = 900n * PRECISION;
  if (p < -100n * PRECISION) p = -100n * PRECISION;
  return p;
}
const fee = (collateral: bigint, leverage: bigint, feeP: bigint): bigint =>
  (((collateral * leverage) / PRECISION) * feeP) / 100n / PRECISION;
function value(collateral: bigint, p: bigint, fees: bigint): bigint {
  const v = collateral + (collateral * p) / PRECISION / 100n - fees;
  return v <= (collateral * 15n) / 100n ? 0n : v;
}
const ETH_FEE_P = 6n * 10n ** 8n; // 0.06%

let anvil: Anvil;
let d: DeployedAvantis;
const senders = new Map<string, NonceSender>();

async function send(
  wallet: HDNodeWallet,
  contract: ContractName,
  to: string,
  fn: string,
  args: unknown[],
  value = 0n,
): Promise<{ receipt: TransactionReceipt; events: AvantisEvent[] }> {
  let s = senders.get(wallet.address);
  if (!s) senders.set(wallet.address, (s = new NonceSender(wallet, d.provider)));
  const receipt = await s.sendAndWait({
    to,
    data: contractInterface(contract).encodeFunctionData(fn, args),
    value,
    gasLimit: 2_000_000n,
  });
  expect(receipt.status, `${fn} reverted`).toBe(1);
  return { receipt, events: decodeAvantisLogs(receipt.logs, d.addresses) };
}

/** The revert reason of a call, via eth_call from `wallet`. */
async function revertOf(
  wallet: HDNodeWallet,
  contract: ContractName,
  to: string,
  fn: string,
  args: unknown[],
) {
  const data = contractInterface(contract).encodeFunctionData(fn, args);
  return d.provider.call({ from: wallet.address, to, data }).then(
    () => 'no revert',
    (err: { reason?: string; shortMessage?: string }) => err.reason ?? err.shortMessage ?? String(err),
  );
}

const setPrice = (pairIndex: number, price: bigint) =>
  send(d.priceKeeper as HDNodeWallet, 'PriceFeed', d.addresses.priceFeed, 'setPrice', [pairIndex, price]);
const balance = async (who: string): Promise<bigint> =>
  BigInt(await d.contracts.usdc.getFunction('balanceOf')(who));
const storedTrade = async (trader: string, pairIndex: number, index: bigint | number): Promise<Trade> =>
  toTrade(await d.contracts.tradingStorage.getFunction('openTrades')(trader, pairIndex, index));

async function fund(wallet: HDNodeWallet, amount: bigint): Promise<void> {
  await send(wallet, 'MockUSDC', d.addresses.usdc, 'mint', [wallet.address, amount]);
  await send(wallet, 'MockUSDC', d.addresses.usdc, 'approve', [d.addresses.tradingStorage, 2n ** 256n - 1n]);
}

function open(wallet: HDNodeWallet, o: Omit<Parameters<typeof openTradeInput>[0], 'trader'>) {
  return send(
    wallet,
    'Trading',
    d.addresses.trading,
    'openTrade',
    [openTradeInput({ trader: wallet.address, ...o }), 0, SLIPPAGE_1P],
    350_000_000_000_000n,
  );
}
const close = (wallet: HDNodeWallet, pairIndex: number, index: bigint, amount: bigint) =>
  send(wallet, 'Trading', d.addresses.trading, 'closeTradeMarket', [pairIndex, index, amount], 1n);
const trigger = (trader: string, pairIndex: number, index: bigint, orderType: number) =>
  send(d.keeper as HDNodeWallet, 'Trading', d.addresses.trading, 'executeLimit', [
    trader,
    pairIndex,
    index,
    orderType,
  ]);

function only<K extends AvantisEvent['kind']>(events: AvantisEvent[], kind: K) {
  const found = eventsOf(events, kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as NonNullable<(typeof found)[0]>;
}

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployAvantis(anvil.url);
}, 30_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('local Avantis contracts', () => {
  const trader = devWallet(3);

  it('deploys the pairs, the vault and the indexer view', async () => {
    expect(d.deployment.trading).toEqual([d.addresses.trading.toLowerCase()]);
    expect(d.deployment.tradingCallbacks).toBe(d.deployment.tradingCallbacks.toLowerCase());
    const [from, to] = (await d.contracts.pairStorage.getFunction('getPairData')(HYPE)) as [string, string];
    expect(`${from}/${to}`).toBe('HYPE/USD');
    expect(await d.contracts.pairStorage.getFunction('pairMinLevPosUSDC')(EUR)).toBe(U(300));
    expect(await balance(d.addresses.tradingStorage)).toBeGreaterThan(U(1_000_000));
    await fund(trader, U(100_000));
  });

  it('open: MarketOrderInitiated, opening FeesCharged and MarketExecuted from the right contracts', async () => {
    await setPrice(ETH, E(3500));
    const before = await balance(trader.address);
    const { receipt, events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(1000),
      wantedPrice: E(3500),
      buy: true,
      leverage: E(10),
    });

    // topic0 and emitting address of every Avantis log.
    const byTopic = new Map(receipt.logs.map((l) => [l.topics[0], l.address.toLowerCase()]));
    expect(
      byTopic.get(
        avantisTopic(
          'Trading',
          'MarketOrderInitiated(address,uint256,bool,uint256,uint256,bool,bool,uint256,uint256)',
        ),
      ),
    ).toBe(d.deployment.trading[0]);
    expect(byTopic.get(avantisTopic('TradingStorage', 'FeesCharged(address,uint256,bool,uint256)'))).toBe(
      d.deployment.tradingStorage,
    );
    expect(
      byTopic.get(
        avantisTopic(
          'TradingCallbacks',
          `MarketExecuted(uint256,${T},bool,uint256,uint256,int256,uint256,bool)`,
        ),
      ),
    ).toBe(d.deployment.tradingCallbacks);

    const initiated = only(events, 'Trading.MarketOrderInitiated');
    expect(initiated).toMatchObject({
      trader: trader.address,
      pairIndex: 0n,
      open: true,
      isBuy: true,
      isPnl: false,
      leverage: E(10),
    });
    const openFee = fee(U(1000), E(10), ETH_FEE_P);
    expect(openFee).toBe(6_000_000n); // 0.06% of 10,000 USDC
    expect(only(events, 'TradingStorage.FeesCharged')).toMatchObject({
      trader: trader.address,
      pairIndex: 0n,
      buy: true,
      fee: openFee,
    });

    const executed = only(events, 'TradingCallbacks.MarketExecuted');
    const block = await d.provider.getBlock(receipt.blockNumber);
    expect(executed).toMatchObject({
      orderId: initiated.orderId,
      open: true,
      price: E(3500),
      positionSizeUSDC: U(1000) - openFee,
      percentProfit: 0n,
      usdcSentToTrader: 0n,
      isPnl: false,
    });
    expect(executed.t).toMatchObject({
      trader: trader.address,
      pairIndex: 0n,
      index: 0n,
      initialPosToken: U(994),
      openPrice: E(3500),
      buy: true,
      leverage: E(10),
    });
    // FACTS trap 1: positionSizeUSDC of the emitted struct holds the block timestamp.
    expect(executed.t.positionSizeUSDC).toBe(BigInt(block?.timestamp ?? 0));
    expect(await balance(trader.address)).toBe(before - U(1000));
    expect((await storedTrade(trader.address, ETH, 0)).initialPosToken).toBe(U(994));
  });

  it('partial close: MarketExecuted(open=false) with the amount, PairInfos.FeesCharged, amount + pnl - fees paid', async () => {
    await setPrice(ETH, E(3600));
    const before = await balance(trader.address);
    const amount = U(400);
    const { receipt, events } = await close(trader, ETH, 0n, amount);

    const p = percentProfit(E(3500), E(3600), true, E(10));
    expect(p).toBe(285_714_285_714n); // +28.57%: 100/3500 * 10x
    const closingFee = fee(amount, E(10), ETH_FEE_P);
    expect(closingFee).toBe(2_400_000n);
    const pnl = (amount * p) / PRECISION / 100n;
    expect(pnl).toBe(114_285_714n);
    const sent = amount + pnl - closingFee;

    expect(
      receipt.logs.some(
        (l) =>
          l.topics[0] ===
            avantisTopic('PairInfos', 'FeesCharged(bool,uint256,uint256,int256,uint256,uint256,uint256)') &&
          l.address.toLowerCase() === d.deployment.pairInfos,
      ),
    ).toBe(true);
    expect(only(events, 'Trading.MarketOrderInitiated')).toMatchObject({
      open: false,
      initialPosToken: amount,
    });
    expect(only(events, 'PairInfos.FeesCharged')).toMatchObject({
      buy: true,
      collateral: amount,
      leverage: E(10),
      percentProfit: p,
      rolloverFee: 0n,
      closingFee,
      lossProtection: 0n,
    });
    const executed = only(events, 'TradingCallbacks.MarketExecuted');
    expect(executed).toMatchObject({
      open: false,
      price: E(3600),
      positionSizeUSDC: amount,
      percentProfit: p,
      usdcSentToTrader: sent,
    });
    expect(await balance(trader.address)).toBe(before + sent);
    const rest = await storedTrade(trader.address, ETH, 0);
    expect(rest).toMatchObject({ index: 0n, initialPosToken: U(594), leverage: E(10) });
  });

  it('a full close frees the slot and the next open reuses it', async () => {
    await setPrice(ETH, E(3500));
    const second = await open(trader, {
      pairIndex: ETH,
      collateral: U(100),
      wantedPrice: E(3500),
      buy: false,
      leverage: E(5),
    });
    expect(only(second.events, 'TradingCallbacks.MarketExecuted').t.index).toBe(1n);

    const full = await close(trader, ETH, 0n, U(594));
    expect(only(full.events, 'TradingCallbacks.MarketExecuted')).toMatchObject({
      open: false,
      positionSizeUSDC: U(594),
      percentProfit: 0n,
      usdcSentToTrader: U(594) - fee(U(594), E(10), ETH_FEE_P),
    });
    expect((await storedTrade(trader.address, ETH, 0)).leverage).toBe(0n);
    expect(await d.contracts.tradingStorage.getFunction('firstEmptyTradeIndex')(trader.address, ETH)).toBe(
      0n,
    );

    const reused = await open(trader, {
      pairIndex: ETH,
      collateral: U(100),
      wantedPrice: E(3500),
      buy: true,
      leverage: E(5),
    });
    expect(only(reused.events, 'TradingCallbacks.MarketExecuted').t.index).toBe(0n);
    expect(await d.contracts.tradingStorage.getFunction('openTradesCount')(trader.address, ETH)).toBe(2n);
    // Tidy up for the next tests: both ETH slots closed.
    await close(trader, ETH, 0n, (await storedTrade(trader.address, ETH, 0)).initialPosToken);
    await close(trader, ETH, 1n, (await storedTrade(trader.address, ETH, 1)).initialPosToken);
  });

  it('TP: refuses before the price crosses, then LimitExecuted(orderType 0) at the TP price', async () => {
    await setPrice(ETH, E(3500));
    const { events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(200),
      wantedPrice: E(3500),
      buy: true,
      leverage: E(20),
      tp: E(3600),
      sl: E(3400),
    });
    const t = only(events, 'TradingCallbacks.MarketExecuted').t;
    await setPrice(ETH, E(3590));
    expect(
      await revertOf(d.keeper as HDNodeWallet, 'Trading', d.addresses.trading, 'executeLimit', [
        trader.address,
        ETH,
        t.index,
        LIMIT_ORDER.TP,
      ]),
    ).toBe('NO_TP');
    await setPrice(ETH, E(3650));
    const before = await balance(trader.address);
    const res = await trigger(trader.address, ETH, t.index, LIMIT_ORDER.TP);
    only(res.events, 'Trading.LimitOrderInitiated');
    const p = percentProfit(E(3500), E(3600), true, E(20));
    const sent = value(t.initialPosToken, p, fee(t.initialPosToken, E(20), ETH_FEE_P));
    const limit = only(res.events, 'TradingCallbacks.LimitExecuted');
    expect(limit.address).toBe(d.deployment.tradingCallbacks);
    expect(
      res.receipt.logs.some(
        (l) =>
          l.topics[0] ===
          avantisTopic(
            'TradingCallbacks',
            `LimitExecuted(uint256,uint256,${T},uint8,uint256,uint256,int256,uint256,bool)`,
          ),
      ),
    ).toBe(true);
    expect(limit).toMatchObject({
      orderType: 0,
      limitIndex: t.index,
      price: E(3600),
      positionSizeUSDC: t.initialPosToken,
      percentProfit: p,
      usdcSentToTrader: sent,
    });
    expect(await balance(trader.address)).toBe(before + sent);
    expect((await storedTrade(trader.address, ETH, t.index)).leverage).toBe(0n);
  });

  it('SL on a short: LimitExecuted(orderType 1) at the SL price', async () => {
    await setPrice(ETH, E(3500));
    const { events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(300),
      wantedPrice: E(3500),
      buy: false,
      leverage: E(10),
      sl: E(3600),
    });
    const t = only(events, 'TradingCallbacks.MarketExecuted').t;
    await setPrice(ETH, E(3620));
    const res = await trigger(trader.address, ETH, t.index, LIMIT_ORDER.SL);
    const p = percentProfit(E(3500), E(3600), false, E(10));
    expect(p).toBeLessThan(0n);
    const limit = only(res.events, 'TradingCallbacks.LimitExecuted');
    expect(limit).toMatchObject({
      orderType: 1,
      price: E(3600),
      percentProfit: p,
      usdcSentToTrader: value(t.initialPosToken, p, fee(t.initialPosToken, E(10), ETH_FEE_P)),
    });
  });

  it('liquidation: LimitExecuted(orderType 2) with usdcSentToTrader 0', async () => {
    await setPrice(ETH, E(3500));
    const { events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(100),
      wantedPrice: E(3500),
      buy: true,
      leverage: E(50),
    });
    const t = only(events, 'TradingCallbacks.MarketExecuted').t;
    const canLiq = d.contracts.tradingCallbacks.getFunction('canExecute');
    await setPrice(ETH, E(3450)); // -1.43% x50 = -71%: not yet
    expect(await canLiq(trader.address, ETH, t.index, LIMIT_ORDER.LIQ)).toBe(false);
    const liqPrice = BigInt(
      await d.contracts.pairInfos.getFunction('getTradeLiquidationPrice')(
        trader.address,
        ETH,
        t.index,
        t.openPrice,
        true,
        t.initialPosToken,
        t.leverage,
      ),
    );
    expect(liqPrice).toBeLessThan(E(3450));
    expect(liqPrice).toBeGreaterThan(E(3430));
    await setPrice(ETH, liqPrice - 1n);
    expect(await canLiq(trader.address, ETH, t.index, LIMIT_ORDER.LIQ)).toBe(true);
    const before = await balance(trader.address);
    const res = await trigger(trader.address, ETH, t.index, LIMIT_ORDER.LIQ);
    const limit = only(res.events, 'TradingCallbacks.LimitExecuted');
    expect(limit).toMatchObject({
      orderType: 2,
      price: liqPrice - 1n,
      positionSizeUSDC: t.initialPosToken,
      usdcSentToTrader: 0n,
    });
    expect(limit.percentProfit).toBe(percentProfit(E(3500), liqPrice - 1n, true, E(50)));
    expect(await balance(trader.address)).toBe(before);
  });

  it('an out-of-slippage market open is canceled: MarketOpenCanceled, collateral refunded minus the opening fee', async () => {
    await setPrice(ETH, E(3500));
    const before = await balance(trader.address);
    const { events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(100),
      wantedPrice: E(3400),
      buy: true,
      leverage: E(5),
    });
    expect(eventsOf(events, 'TradingCallbacks.MarketExecuted')).toHaveLength(0);
    const canceled = only(events, 'TradingCallbacks.MarketOpenCanceled');
    expect(canceled).toMatchObject({
      trader: trader.address,
      pairIndex: 0n,
      address: d.deployment.tradingCallbacks,
    });
    expect(await balance(trader.address)).toBe(before - fee(U(100), E(5), ETH_FEE_P));
  });

  it('TP/SL update and margin update emit TpUpdated, SlUpdated and MarginUpdated from Trading', async () => {
    await setPrice(ETH, E(3500));
    const { events } = await open(trader, {
      pairIndex: ETH,
      collateral: U(500),
      wantedPrice: E(3500),
      buy: true,
      leverage: E(10),
    });
    const t = only(events, 'TradingCallbacks.MarketExecuted').t;
    // SL before TP, as in Avantis.
    const upd = await send(
      trader,
      'Trading',
      d.addresses.trading,
      'updateTpAndSl',
      [ETH, t.index, E(3300), E(3900), [], 0],
      1n,
    );
    expect(only(upd.events, 'Trading.TpUpdated')).toMatchObject({ index: t.index, price: E(3900) });
    expect(only(upd.events, 'Trading.SlUpdated')).toMatchObject({ index: t.index, price: E(3300) });
    expect(await storedTrade(trader.address, ETH, t.index)).toMatchObject({ tp: E(3900), sl: E(3300) });
    expect(
      await revertOf(trader, 'Trading', d.addresses.trading, 'updateTpAndSl', [
        ETH,
        t.index,
        E(3000),
        E(3900),
        [],
        0,
      ]),
    ).toBe('SL_TOO_BIG');

    const margin = await send(
      trader,
      'Trading',
      d.addresses.trading,
      'updateMargin',
      [ETH, t.index, 0, t.initialPosToken, [], 0],
      1n,
    );
    const m = only(margin.events, 'Trading.MarginUpdated');
    expect(m.newTrade).toMatchObject({ initialPosToken: t.initialPosToken * 2n, leverage: E(5) });
  });

  it('refuses what Avantis refuses', async () => {
    await setPrice(EUR, 10_800_000_000n);
    const input = (o: Partial<Parameters<typeof openTradeInput>[0]>) => [
      openTradeInput({
        trader: trader.address,
        pairIndex: EUR,
        collateral: U(29),
        wantedPrice: 10_800_000_000n,
        buy: true,
        leverage: E(10),
        ...o,
      }),
      0,
      SLIPPAGE_1P,
    ];
    const why = (args: unknown[]) => revertOf(trader, 'Trading', d.addresses.trading, 'openTrade', args);
    expect(await why(input({}))).toBe('BELOW_MIN_POS'); // forex: 290 < 300 USDC
    expect(await why(input({ collateral: U(30) }))).toBe('no revert');
    expect(
      await why(input({ pairIndex: HYPE, wantedPrice: E(25), collateral: U(100), leverage: E(21) })),
    ).toBe('LEVERAGE_INCORRECT');
    expect(await why(input({ pairIndex: 3 }))).toBe('PAIR_NOT_LISTED');
    expect(await why(input({ trader: devWallet(7).address }))).toBe('WRONG_TRADER');
    expect(await why(input({ collateral: U(30), tp: 10_000_000_000n }))).toBe('WRONG_TP');
    expect(await revertOf(trader, 'Trading', d.addresses.trading, 'closeTradeMarket', [EUR, 5, U(1)])).toBe(
      'NO_TRADE',
    );

    const owner = d.deployer as HDNodeWallet;
    await send(owner, 'TradingStorage', d.addresses.tradingStorage, 'setMaxTradesPerPair', [1]);
    await send(trader, 'Trading', d.addresses.trading, 'openTrade', input({ collateral: U(30) }), 1n);
    expect(await why(input({ collateral: U(30) }))).toBe('MAX_TRADES_PER_PAIR');
    await send(owner, 'TradingStorage', d.addresses.tradingStorage, 'setMaxTradesPerPair', [40]);
  });

  it('delegation: a bot opens and partially closes for a user; funds move from and to the user', async () => {
    const user = devWallet(4);
    const bot = devWallet(5);
    const stranger = devWallet(6);
    await fund(user, U(10_000));
    await setPrice(ETH, E(3500));
    await send(user, 'Trading', d.addresses.trading, 'setDelegate', [bot.address]);
    expect(await d.contracts.trading.getFunction('delegations')(user.address)).toBe(bot.address);

    const trading = contractInterface('Trading');
    const openCall = trading.encodeFunctionData('openTrade', [
      openTradeInput({
        trader: user.address,
        pairIndex: ETH,
        collateral: U(1000),
        wantedPrice: E(3500),
        buy: true,
        leverage: E(5),
      }),
      0,
      SLIPPAGE_1P,
    ]);
    expect(
      await revertOf(stranger, 'Trading', d.addresses.trading, 'delegatedAction', [user.address, openCall]),
    ).toBe('DELEGATE_NOT_APPROVED');

    const userBefore = await balance(user.address);
    const botBefore = await balance(bot.address);
    const opened = await send(
      bot,
      'Trading',
      d.addresses.trading,
      'delegatedAction',
      [user.address, openCall],
      350_000_000_000_000n,
    );
    expect(opened.receipt.from).toBe(bot.address);
    expect(only(opened.events, 'Trading.MarketOrderInitiated').trader).toBe(user.address);
    const t = only(opened.events, 'TradingCallbacks.MarketExecuted').t;
    expect(t.trader).toBe(user.address);
    expect(await balance(user.address)).toBe(userBefore - U(1000));
    expect(await balance(bot.address)).toBe(botBefore);
    expect((await storedTrade(user.address, ETH, t.index)).leverage).toBe(E(5));
    expect((await storedTrade(bot.address, ETH, t.index)).leverage).toBe(0n);

    await setPrice(ETH, E(3400));
    const closeCall = trading.encodeFunctionData('closeTradeMarket', [ETH, t.index, U(500)]);
    const closed = await send(
      bot,
      'Trading',
      d.addresses.trading,
      'delegatedAction',
      [user.address, closeCall],
      1n,
    );
    const executed = only(closed.events, 'TradingCallbacks.MarketExecuted');
    const p = percentProfit(E(3500), E(3400), true, E(5));
    const sent = value(U(500), p, fee(U(500), E(5), ETH_FEE_P));
    expect(executed).toMatchObject({
      open: false,
      positionSizeUSDC: U(500),
      percentProfit: p,
      usdcSentToTrader: sent,
    });
    expect(executed.t.trader).toBe(user.address);
    expect(await balance(user.address)).toBe(userBefore - U(1000) + sent);
    expect(await balance(bot.address)).toBe(botBefore);

    // A delegate cannot appoint delegates, and a removed delegate is refused.
    const setCall = trading.encodeFunctionData('setDelegate', [stranger.address]);
    expect(
      await revertOf(bot, 'Trading', d.addresses.trading, 'delegatedAction', [user.address, setCall]),
    ).toBe('NOT_ALLOWED_IN_DELEGATED_ACTION');
    await send(user, 'Trading', d.addresses.trading, 'removeDelegate', []);
    expect(
      await revertOf(bot, 'Trading', d.addresses.trading, 'delegatedAction', [user.address, closeCall]),
    ).toBe('DELEGATE_NOT_APPROVED');
  });

  it('receipts are polled, not waited for at ethers 4 s pace', async () => {
    const started = Date.now();
    const hash = await new NonceSender(devWallet(8), d.provider).send({
      to: devWallet(8).address,
      data: '0x',
      gasLimit: 21_000n,
    });
    await waitReceipt(d.provider, hash);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
