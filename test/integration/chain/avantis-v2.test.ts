// The local Avantis v2 contracts against docs/avantis.md and docs/local-avantis.md, on a private anvil: the
// in-place upgrade (one transaction, positions kept, v1-shaped calls refused), the router's EIP-712
// hashing equal to ethers', the two-step fill in a later block, the fees in the PnL, partial closes,
// increases, margin updates, keeper TP/SL/liquidations, delegates, and every refusal with its
// custom error, after which nothing else has changed.
import { randomBytes } from 'node:crypto';
import { Contract, Wallet, getAddress, hexlify, type HDNodeWallet, type TransactionReceipt } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TNC_STRING,
  encodeIntent,
  intentDigest,
  tradingDomain,
  type CloseTradeReq,
  type DelegateReq,
  type IncreasePositionSizeReq,
  type IntentMessages,
  type OpenTradeReq,
  type UpdateTpSlReq,
} from '#core/domain/avantis/intents.js';
import {
  PRECISION,
  USDC_UNIT,
  contractInterface,
  openTradeInput,
  toTrade,
} from '../../../local/chain/abi.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import type { ContractName } from '../../../local/chain/compile.js';
import {
  deployAvantis,
  devWallet,
  findUpgradeBlock,
  implementationOf,
  isUpgradedToV2,
  upgradeToV2,
  type DeployedAvantis,
} from '../../../local/chain/deploy.js';
import { v2Pair } from '../../../local/chain/pairs-v2.js';
import { NonceSender } from '../../../local/chain/tx.js';
import {
  DIGEST_KIND,
  MARGIN,
  decodeV2Logs,
  delegatedMarginCalldata,
  delegationOf,
  isNonceUsed,
  keeperCalldata,
  openTradesOf,
  orderIdOf,
  pendingOrders,
  revertName,
  routerCalldata,
  setDelegateWithSigCalldata,
  signIntent,
  v2EventsOf,
  type AvantisV2Event,
  type AvantisV2EventKind,
  type OpenPosition,
  type RoutedKind,
} from '../../../local/chain/v2.js';

const E = (x: number | string): bigint => BigInt(x) * PRECISION;
const U = (x: number): bigint => BigInt(x) * USDC_UNIT;
const ETH = 0;
const BTC = 1;
const SOL = 2;
const FET = 28; // delisted in the v2 catalog
const SLIPPAGE_1P = PRECISION;
const MAX = 2n ** 256n - 1n;

let anvil: Anvil;
let d: DeployedAvantis;
const senders = new Map<string, NonceSender>();
const relayer = devWallet(20);
const alice = devWallet(21);
const bob = devWallet(22);
const carol = devWallet(23);
const dave = devWallet(24);
const apiKey = devWallet(25); // alice's delegate
const stranger = devWallet(26);
/** A position alice opened in v1.5, closed in v2. */
let v1Position: OpenPosition;

function sender(wallet: HDNodeWallet): NonceSender {
  let s = senders.get(wallet.address);
  if (!s) senders.set(wallet.address, (s = new NonceSender(wallet, d.provider)));
  return s;
}

async function sendRaw(
  wallet: HDNodeWallet,
  to: string,
  data: string,
): Promise<{ receipt: TransactionReceipt; events: AvantisV2Event[] }> {
  const receipt = await sender(wallet).sendAndWait({ to, data, gasLimit: 3_000_000n });
  expect(receipt.status, `transaction to ${to} reverted`).toBe(1);
  return { receipt, events: decodeV2Logs(receipt.logs, d.addresses) };
}
const send = (wallet: HDNodeWallet, contract: ContractName, to: string, fn: string, args: unknown[]) =>
  sendRaw(wallet, to, contractInterface(contract).encodeFunctionData(fn, args));

/** The custom error (or reason) an eth_call from `from` reverts with; 'no revert' if it succeeds. */
async function revertOf(from: string, to: string, data: string): Promise<string> {
  return d.provider.call({ from, to, data }).then(
    () => 'no revert',
    (err: unknown) => revertName(err) ?? `unknown revert: ${String(err).slice(0, 200)}`,
  );
}

function only<K extends AvantisV2EventKind>(events: AvantisV2Event[], kind: K) {
  const found = v2EventsOf(events, kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as NonNullable<(typeof found)[0]>;
}

const domain = () => ({ chainId: d.chainId, tradingRouter: d.addresses.tradingRouter });
const nonce = (): bigint => BigInt(hexlify(randomBytes(32)));
async function chainNow(): Promise<bigint> {
  const b = await d.provider.getBlock('latest');
  return BigInt(b?.timestamp ?? 0);
}
const deadline = async (): Promise<bigint> => ((await chainNow()) + 120n) * 1000n;
const balance = async (who: string): Promise<bigint> =>
  BigInt(await d.contracts.usdc.getFunction('balanceOf')(who));
const setPrice = (pairIndex: number, price: bigint) =>
  send(d.priceKeeper as HDNodeWallet, 'PriceFeed', d.addresses.priceFeed, 'setPrice', [pairIndex, price]);
async function price(pairIndex: number): Promise<bigint> {
  return BigInt(await d.contracts.priceFeed.getFunction('getPrice')(pairIndex));
}
const increaseTime = async (seconds: number) => {
  await d.provider.send('evm_increaseTime', [seconds]);
  await d.provider.send('evm_mine', []);
};

async function fund(wallet: HDNodeWallet, amount: bigint): Promise<void> {
  await d.provider.send('anvil_setBalance', [wallet.address, '0x56bc75e2d63100000']);
  await send(wallet, 'MockUSDC', d.addresses.usdc, 'mint', [wallet.address, amount]);
  await send(wallet, 'MockUSDC', d.addresses.usdc, 'approve', [d.addresses.tradingStorage, MAX]);
}

function openReq(
  trader: string,
  o: {
    pairIndex: number;
    collateral: bigint;
    leverage: bigint;
    buy: boolean;
    wantedPrice: bigint;
    tp?: bigint;
    sl?: bigint;
  },
  extra: { type?: number; slippageP?: bigint; deadline: bigint; nonce?: bigint },
): OpenTradeReq {
  return {
    _t: openTradeInput({ trader, ...o }),
    _type: extra.type ?? 0,
    _slippageP: extra.slippageP ?? SLIPPAGE_1P,
    _deadline: extra.deadline,
    _nonce: extra.nonce ?? nonce(),
  };
}

function calldataOf<K extends RoutedKind>(kind: K, signer: HDNodeWallet, message: IntentMessages[K]): string {
  const signed = signIntent(signer, kind, domain(), message);
  return routerCalldata(kind, signed.userIntent, signed.signature);
}
/** Registers a signed intent through the router, sent by the relayer (gasless for the trader). */
async function register<K extends RoutedKind>(
  kind: K,
  signer: HDNodeWallet,
  message: Parameters<typeof calldataOf<K>>[2],
) {
  const r = await sendRaw(relayer, d.addresses.tradingRouter, calldataOf(kind, signer, message));
  const orderId = orderIdOf(r.receipt.logs, d.addresses);
  if (orderId === undefined) throw new Error('no orderId in the registration receipt');
  return { ...r, orderId };
}
const fill = (orderId: bigint) =>
  sendRaw(d.keeper as HDNodeWallet, d.addresses.tradingCallbacks, keeperCalldata.executeMarketOrder(orderId));
const trigger = (trader: string, pairIndex: number, index: number | bigint, orderType: number) =>
  sendRaw(
    d.keeper as HDNodeWallet,
    d.addresses.trading,
    keeperCalldata.executeLimit(trader, pairIndex, index, orderType),
  );
async function positionOf(trader: string, pairIndex: number, index = 0): Promise<OpenPosition | undefined> {
  return (await openTradesOf(d.provider, d.addresses, trader, [pairIndex])).find((p) => p.index === index);
}
async function blockTime(receipt: TransactionReceipt): Promise<bigint> {
  return BigInt((await d.provider.getBlock(receipt.blockNumber))?.timestamp ?? 0);
}
async function lastOrderId(): Promise<bigint> {
  const iface = contractInterface('TradingV2');
  const out = await d.provider.call({
    to: d.addresses.trading,
    data: iface.encodeFunctionData('lastOrderId', []),
  });
  return BigInt(out);
}

// The v2 arithmetic, written out again here rather than imported, so the test checks the contracts.
function percentProfit(open: bigint, p: bigint, buy: boolean, leverage: bigint, maxGainP: bigint): bigint {
  let x = ((buy ? p - open : open - p) * 100n * leverage) / open;
  if (x > maxGainP) x = maxGainP;
  if (x < -100n * PRECISION) x = -100n * PRECISION;
  return x;
}
const levFee = (collateral: bigint, leverage: bigint, feeP: bigint): bigint =>
  (((collateral * leverage) / PRECISION) * feeP) / 100n / PRECISION;
/** [local] Skew-adjusted opening fee rate: the catalog's openFeeP at balance, 1.5x to 0.5x. */
function skewOpenFeeP(openFeeP: bigint, sameOI: bigint, oppositeOI: bigint, notional: bigint): bigint {
  const total = sameOI + notional + oppositeOI;
  const oiPct = total === 0n ? 0n : (100n * oppositeOI) / total;
  return (openFeeP * (150n - oiPct)) / 100n;
}
/** [local] Maker/taker closing fee rate on notional OI: maker half the catalog's closeFeeP. */
function closeFeeP(taker: bigint, long: bigint, short: bigint, size: bigint, buy: boolean): bigint {
  const maker = taker / 2n;
  const l1 = buy ? (long > size ? long - size : 0n) : long;
  const s1 = buy ? short : short > size ? short - size : 0n;
  if (size === 0n || long + short === 0n || l1 + s1 === 0n) return taker;
  if (long > short) {
    if (l1 * (long + short) > long * (l1 + s1)) return taker;
    if (l1 >= s1) return maker;
    return (maker * (long - short) + taker * (size - (long - short))) / size;
  }
  if (long < short) {
    if (l1 * (long + short) < long * (l1 + s1)) return taker;
    if (l1 <= s1) return maker;
    return (maker * (short - long) + taker * (size - (short - long))) / size;
  }
  return taker;
}
/** Open interest (notional USDC) per side of a pair now. */
async function oi(pairIndex: number): Promise<{ long: bigint; short: bigint }> {
  const read = async (side: number) =>
    BigInt(await d.contracts.tradingStorage.getFunction('openInterestUSDC')(pairIndex, side));
  return { long: await read(0), short: await read(1) };
}
/** The opening fee a fill now would charge, from the OI before it. */
async function openFeeNow(pairIndex: number, collateral: bigint, leverage: bigint, buy: boolean) {
  const { long, short } = await oi(pairIndex);
  const notional = (collateral * leverage) / PRECISION;
  const rate = skewOpenFeeP(catalog(pairIndex).openFeeP, buy ? long : short, buy ? short : long, notional);
  return levFee(collateral, leverage, rate);
}
/** The closing fee closing `collateral` of a trade now would charge, from the OI before it. */
async function closeFeeNow(pairIndex: number, collateral: bigint, leverage: bigint, buy: boolean) {
  const { long, short } = await oi(pairIndex);
  const size = (collateral * leverage) / PRECISION;
  return levFee(collateral, leverage, closeFeeP(catalog(pairIndex).closeFeeP, long, short, size, buy));
}
const rollover = (collateral: bigint, perHourP: bigint, s: bigint) =>
  (collateral * perHourP * s) / 3600n / 100n / PRECISION;
const funding = (collateral: bigint, leverage: bigint, buy: boolean, perHourP: bigint, s: bigint) => {
  const f = (((collateral * leverage) / PRECISION) * perHourP * s) / 3600n / 100n / PRECISION;
  return buy ? f : -f;
};
const spread = (p: bigint, spreadP: bigint, up: boolean) =>
  up ? p + (p * spreadP) / 100n / PRECISION : p - (p * spreadP) / 100n / PRECISION;
function value(collateral: bigint, p: bigint, fees: bigint, fund: bigint): bigint {
  const v = collateral + (collateral * p) / PRECISION / 100n - fees - fund;
  return v <= (collateral * 15n) / 100n ? 0n : v;
}
const catalog = (index: number) => {
  const p = v2Pair(index);
  if (!p) throw new Error(`pair ${index} not in the v2 catalog`);
  return p;
};

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployAvantis(anvil.url);
  await Promise.all([alice, bob, carol, dave, stranger].map((w) => fund(w, U(200_000))));
  await d.provider.send('anvil_setBalance', [relayer.address, '0x56bc75e2d63100000']);
  await d.provider.send('anvil_setBalance', [apiKey.address, '0x56bc75e2d63100000']);
  // alice trades v1-style before the upgrade: this position must survive it.
  await send(alice, 'Trading', d.addresses.trading, 'openTrade', [
    openTradeInput({
      trader: alice.address,
      pairIndex: BTC,
      collateral: U(1000),
      wantedPrice: E(95000),
      buy: true,
      leverage: E(10),
    }),
    0,
    SLIPPAGE_1P,
  ]);
  const [pos] = await openTradesOf(d.provider, d.addresses, alice.address, [BTC]);
  if (!pos) throw new Error('no v1 position');
  v1Position = pos;
}, 60_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('the in-place upgrade from v1.5 to v2', () => {
  it('before it: v1.5 runs behind proxies and the router answers NotLive()', async () => {
    expect(await isUpgradedToV2(d.provider, d.addresses)).toBe(false);
    expect(await implementationOf(d.provider, d.addresses.trading)).toBe(
      getAddress(d.implementations.trading),
    );
    const open = calldataOf(
      'OpenTradeReq',
      alice,
      openReq(
        alice.address,
        { pairIndex: ETH, collateral: U(100), leverage: E(5), buy: true, wantedPrice: E(3500) },
        { deadline: await deadline() },
      ),
    );
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, open)).toBe('NotLive');
  });

  it('one transaction upgrades every proxy: all Upgraded logs in its block, addresses and positions kept', async () => {
    const allowance = BigInt(
      await d.contracts.usdc.getFunction('allowance')(alice.address, d.addresses.tradingStorage),
    );
    const usdcBefore = await balance(alice.address);
    const vaultBefore = await balance(d.addresses.tradingStorage);

    const up = await upgradeToV2(d);

    const receipt = await d.provider.getTransactionReceipt(up.transactionHash);
    const upgradedTopic = contractInterface('AlfaProxy').getEvent('Upgraded')?.topicHash;
    expect(upgradedTopic).toBe('0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b');
    const upgraded = (receipt?.logs ?? [])
      .filter((l) => l.topics[0] === upgradedTopic)
      .map((l) => l.address.toLowerCase());
    const proxies = [
      'pairStorage',
      'priceFeed',
      'tradingStorage',
      'pairInfos',
      'tradingCallbacks',
      'trading',
      'tradingRouter',
    ] as const;
    expect(upgraded.sort()).toEqual(proxies.map((k) => d.addresses[k].toLowerCase()).sort());
    for (const k of proxies)
      expect(await implementationOf(d.provider, d.addresses[k])).toBe(getAddress(up.implementations[k]));
    expect(await isUpgradedToV2(d.provider, d.addresses)).toBe(true);
    expect(await findUpgradeBlock(d.provider, d.addresses, d.deployBlock)).toBe(up.block);

    expect(await positionOf(alice.address, BTC)).toEqual(v1Position);
    expect(await balance(alice.address)).toBe(usdcBefore);
    expect(await balance(d.addresses.tradingStorage)).toBe(vaultBefore);
    expect(
      BigInt(await d.contracts.usdc.getFunction('allowance')(alice.address, d.addresses.tradingStorage)),
    ).toBe(allowance);
    expect(await d.contracts.pairStorage.getFunction('pairMaxLeverage')(5, false)).toBe(E(20)); // DOGE: v2 catalog
  });

  it('after it: v1-shaped write calls revert, and a second upgrade is refused', async () => {
    const v1 = contractInterface('Trading');
    const v1Open = v1.encodeFunctionData('openTrade', [
      openTradeInput({
        trader: alice.address,
        pairIndex: ETH,
        collateral: U(100),
        wantedPrice: E(3500),
        buy: true,
        leverage: E(5),
      }),
      0,
      SLIPPAGE_1P,
    ]);
    expect(await revertOf(alice.address, d.addresses.trading, v1Open)).not.toBe('no revert');
    const v1Close = v1.encodeFunctionData('closeTradeMarket', [BTC, 0, U(100)]);
    expect(await revertOf(alice.address, d.addresses.trading, v1Close)).not.toBe('no revert');
    const v1Delegate = v1.encodeFunctionData('setDelegate', [apiKey.address]);
    expect(await revertOf(alice.address, d.addresses.trading, v1Delegate)).not.toBe('no revert');
    await expect(upgradeToV2(d)).rejects.toThrow(/already runs v2/);
  });
});

describe('EIP-712 hashing (TradingRouter.digestOf)', () => {
  const rnd = (bytes: number): bigint => BigInt(hexlify(randomBytes(bytes)));
  const addr = () => Wallet.createRandom().address;

  it('equals ethers’ intentDigest for random messages of every routed kind', async () => {
    const router = d.contracts.tradingRouter.getFunction('digestOf');
    const dom = tradingDomain(d.chainId, d.addresses.tradingRouter);
    for (let i = 0; i < 4; i++) {
      const open: OpenTradeReq = {
        _t: {
          trader: addr(),
          pairIndex: rnd(2),
          index: rnd(1),
          initialPosToken: rnd(8),
          positionSizeUSDC: rnd(10),
          openPrice: rnd(12),
          buy: i % 2 === 0,
          leverage: rnd(12),
          tp: rnd(12),
          sl: rnd(12),
          timestamp: rnd(5),
        },
        _type: i,
        _slippageP: rnd(11),
        _deadline: rnd(6),
        _nonce: rnd(32),
      };
      const close: CloseTradeReq = {
        _trader: addr(),
        _pairIndex: rnd(2),
        _index: rnd(1),
        _openTimestamp: rnd(5),
        _amount: rnd(9),
        _wantedPrice: rnd(12),
        _deadline: rnd(6),
        _nonce: rnd(32),
      };
      const inc: IncreasePositionSizeReq = {
        _updateInfo: {
          trader: addr(),
          pairIndex: rnd(2),
          index: rnd(1),
          openPrice: rnd(12),
          initialPosToken: rnd(9),
          leverage: rnd(12),
        },
        _slippageP: rnd(11),
        _deadline: rnd(6),
        _nonce: rnd(32),
      };
      const del: DelegateReq = {
        trader: addr(),
        delegate: addr(),
        expiry: rnd(5),
        deadline: rnd(6),
        tnc: i === 0 ? TNC_STRING : `tnc ${i}`,
        nonce: rnd(32),
      };
      expect(await router(DIGEST_KIND.OpenTradeReq, encodeIntent('OpenTradeReq', open))).toBe(
        intentDigest('OpenTradeReq', dom, open),
      );
      expect(await router(DIGEST_KIND.CloseTradeReq, encodeIntent('CloseTradeReq', close))).toBe(
        intentDigest('CloseTradeReq', dom, close),
      );
      expect(
        await router(DIGEST_KIND.IncreasePositionSizeReq, encodeIntent('IncreasePositionSizeReq', inc)),
      ).toBe(intentDigest('IncreasePositionSizeReq', dom, inc));
      const tpsl: UpdateTpSlReq = {
        trader: addr(),
        _pairIndex: rnd(2),
        _index: rnd(1),
        _newTp: rnd(12),
        _newSl: rnd(12),
        _deadline: rnd(6),
        _nonce: rnd(32),
      };
      expect(await router(DIGEST_KIND.UpdateTpSlReq, encodeIntent('UpdateTpSlReq', tpsl))).toBe(
        intentDigest('UpdateTpSlReq', dom, tpsl),
      );
      expect(await router(DIGEST_KIND.DelegateReq, encodeIntent('DelegateReq', del))).toBe(
        intentDigest('DelegateReq', dom, del),
      );
    }
  });
});

describe('v2 event layouts', () => {
  it('have V2.md §7’s inferred topic0s, and the unchanged ones keep v1’s', () => {
    const topic = (c: ContractName, name: string) => contractInterface(c).getEvent(name)?.topicHash;
    expect(topic('TradingV2', 'MarketOrderInitiated')).toBe(
      '0x09c4ddc6e30200bda0fa563e7dc8c77789b76168bca29d3e80911eb5e70940fe',
    );
    expect(topic('TradingCallbacksV2', 'MarketExecuted')).toBe(
      '0x194c5538fd1fd53a5ec20cd85e48e0a542b1cbfb713ee866339c38465118308a',
    );
    expect(topic('TradingCallbacksV2', 'LimitExecuted')).toBe(
      '0xa2dec9537892a111bd41f6fafe206c669b1f1fb95cf4cc574df3f2492fddd2d6',
    );
    expect(topic('TradingV2', 'MarginUpdated')).toBe(
      '0xfc0fadeeec4a08248340ffba253610fe6b83507fc885b536c6f3093094e70d2c',
    );
    expect(topic('TradingV2', 'TpUpdated')).toBe(
      '0x0e81eb0b9b7fc647560aa37f95212e9a576ae39d2ddc79246186b81dbf67f382',
    );
    expect(topic('TradingV2', 'SlUpdated')).toBe(
      '0x8bf058997b307e03a787dbfaa1bb3bd64dac2642c0808c8f8d3472546b42491d',
    );
    expect(topic('PairInfosV2', 'FeesCharged')).toBe(
      '0xb51a6506bf928fc124a77993dd9eef8ae6e9cb370d822e2b2b3ea716a72d9eb1',
    );
    expect(topic('TradingCallbacksV2', 'MarketOpenCanceled')).toBe(
      topic('TradingCallbacks', 'MarketOpenCanceled'),
    );
    expect(topic('TradingCallbacksV2', 'MarketOpenCanceled')?.slice(0, 12)).toBe('0x4b2ef4d80a');
    expect(topic('TradingCallbacksV2', 'MarketCloseCanceled')?.slice(0, 12)).toBe('0x3535b7356e'); // the 2024-05 fragment
    expect(topic('TradingStorageV2', 'FeesCharged')).toBe(topic('TradingStorage', 'FeesCharged'));
  });
});

describe('two-step market execution', () => {
  it('an open registers (collateral pulled, orderId, pending) and fills only in a later block, with spread and fee', async () => {
    const eth = catalog(ETH);
    await setPrice(ETH, E(3500));
    const before = await balance(bob.address);
    const collateral = U(1000);
    const reg = await register(
      'OpenTradeReq',
      bob,
      openReq(
        bob.address,
        { pairIndex: ETH, collateral, leverage: E(10), buy: true, wantedPrice: E(3500) },
        { deadline: await deadline() },
      ),
    );

    const initiated = only(reg.events, 'Trading.MarketOrderInitiated');
    expect(initiated).toMatchObject({
      trader: bob.address,
      pairIndex: 0n,
      open: true,
      isBuy: true,
      isPnl: false,
      initialPosToken: collateral,
      leverage: E(10),
      wantedPrice: E(3500),
    });
    expect(initiated.address).toBe(d.addresses.trading.toLowerCase());
    expect(await balance(bob.address)).toBe(before - collateral);
    expect(await positionOf(bob.address, ETH)).toBeUndefined();
    const pending = await pendingOrders(d.provider, d.addresses);
    expect(pending.map((o) => o.orderId)).toEqual([reg.orderId]);
    expect(pending[0]).toMatchObject({
      kind: 1,
      trader: bob.address,
      blockNumber: BigInt(reg.receipt.blockNumber),
    });

    // The same block: not yet (the pending block holds only what is queued, so register again there).
    await d.provider.send('evm_setAutomine', [false]);
    try {
      const queued = calldataOf(
        'OpenTradeReq',
        bob,
        openReq(
          bob.address,
          { pairIndex: ETH, collateral, leverage: E(10), buy: true, wantedPrice: E(3500) },
          { deadline: await deadline() },
        ),
      );
      const hash = await sender(relayer).send({
        to: d.addresses.tradingRouter,
        data: queued,
        gasLimit: 3_000_000n,
      });
      const sameBlock = await d.provider
        .call({
          from: d.keeper.address,
          to: d.addresses.tradingCallbacks,
          data: keeperCalldata.executeMarketOrder(reg.orderId + 1n),
          blockTag: 'pending',
        })
        .then(
          () => 'no revert',
          (err: unknown) => revertName(err),
        );
      expect(sameBlock).toBe('OrderNotReady');
      await d.provider.send('evm_mine', []);
      const queuedReceipt = await d.provider.getTransactionReceipt(hash);
      expect(queuedReceipt?.status).toBe(1);
    } finally {
      await d.provider.send('evm_setAutomine', [true]);
    }

    await setPrice(ETH, E(3510)); // the keeper fills at the price of its block
    const fee = await openFeeNow(ETH, collateral, E(10), true);
    // The first ETH trade: its side holds all the OI, so 1.5 x 0.045% of 10,000 USDC [local].
    expect(fee).toBe(levFee(collateral, E(10), (eth.openFeeP * 3n) / 2n));
    expect(fee).toBe(6_750_000n);
    const filled = await fill(reg.orderId);
    const fillPrice = spread(E(3510), eth.spreadP, true);
    const fees = only(filled.events, 'TradingStorage.FeesCharged');
    expect(fees).toMatchObject({ trader: bob.address, pairIndex: 0n, buy: true, fee });
    const spreadEv = only(filled.events, 'TradingCallbacks.SpreadCharged');
    expect(spreadEv).toMatchObject({
      open: true,
      price: fillPrice,
      spreadP: eth.spreadP,
      spreadUsdc: (U(10_000) * eth.spreadP) / 100n / PRECISION,
    });
    const exec = only(filled.events, 'TradingCallbacks.MarketExecuted');
    const at = await blockTime(filled.receipt);
    expect(exec).toMatchObject({
      orderId: reg.orderId,
      open: true,
      price: fillPrice,
      positionSizeUSDC: collateral - fee,
      percentProfit: 0n,
      usdcSentToTrader: 0n,
    });
    expect(exec.t).toMatchObject({
      trader: bob.address,
      index: 0n,
      initialPosToken: collateral - fee,
      openPrice: fillPrice,
      positionSizeUSDC: at,
      timestamp: at,
    });
    expect(exec.address).toBe(d.addresses.tradingCallbacks.toLowerCase());
    expect(await positionOf(bob.address, ETH)).toMatchObject({
      collateral: collateral - fee,
      openPrice: fillPrice,
      timestamp: at,
      leverage: E(10),
    });

    // The queued second order is still pending; filling it twice is refused.
    const second = (await pendingOrders(d.provider, d.addresses))[0];
    expect(second?.orderId).toBe(reg.orderId + 1n);
    await fill(reg.orderId + 1n);
    expect(
      await revertOf(
        d.keeper.address,
        d.addresses.tradingCallbacks,
        keeperCalldata.executeMarketOrder(reg.orderId),
      ),
    ).toBe('UnknownOrder');
    expect(
      await revertOf(
        stranger.address,
        d.addresses.tradingCallbacks,
        keeperCalldata.executeMarketOrder(reg.orderId),
      ),
    ).toBe('NotKeeper');
    expect(await pendingOrders(d.provider, d.addresses)).toEqual([]);
  });

  it('a fill past the slippage cancels: MarketOpenCanceled, the opening fee kept, the rest refunded', async () => {
    await setPrice(SOL, E(180));
    const before = await balance(carol.address);
    const reg = await register(
      'OpenTradeReq',
      carol,
      openReq(
        carol.address,
        { pairIndex: SOL, collateral: U(500), leverage: E(5), buy: true, wantedPrice: E(180) },
        { deadline: await deadline() },
      ),
    );
    await setPrice(SOL, E(190)); // +5.6%, past 1%
    const fee = await openFeeNow(SOL, U(500), E(5), true);
    const done = await fill(reg.orderId);
    expect(only(done.events, 'TradingCallbacks.MarketOpenCanceled')).toMatchObject({
      orderId: reg.orderId,
      trader: carol.address,
      pairIndex: 2n,
    });
    expect(v2EventsOf(done.events, 'TradingCallbacks.MarketExecuted')).toHaveLength(0);
    expect(only(done.events, 'TradingStorage.FeesCharged').fee).toBe(fee);
    expect(await balance(carol.address)).toBe(before - fee);
    expect(await positionOf(carol.address, SOL)).toBeUndefined();
  });

  it('cancelMarketOrder (keeper only, not in the registration block) declines like an execution-time refusal', async () => {
    await setPrice(SOL, E(180));
    const before = await balance(carol.address);
    const reg = await register(
      'OpenTradeReq',
      carol,
      openReq(
        carol.address,
        { pairIndex: SOL, collateral: U(500), leverage: E(5), buy: false, wantedPrice: E(180) },
        { deadline: await deadline() },
      ),
    );
    const cancel = contractInterface('TradingCallbacksV2').encodeFunctionData('cancelMarketOrder', [
      reg.orderId,
    ]);
    expect(await revertOf(stranger.address, d.addresses.tradingCallbacks, cancel)).toBe('NotKeeper');
    const fee = await openFeeNow(SOL, U(500), E(5), false);
    const done = await sendRaw(d.keeper as HDNodeWallet, d.addresses.tradingCallbacks, cancel);
    expect(only(done.events, 'TradingCallbacks.MarketOpenCanceled')).toMatchObject({
      orderId: reg.orderId,
      trader: carol.address,
    });
    expect(await balance(carol.address)).toBe(before - fee);
    expect(await pendingOrders(d.provider, d.addresses)).toEqual([]);
  });

  it('a wallet cap, an OI cap or max trades per pair exceeded at execution cancels the open', async () => {
    await setPrice(SOL, E(180));
    const reg = async () =>
      register(
        'OpenTradeReq',
        dave,
        openReq(
          dave.address,
          { pairIndex: SOL, collateral: U(200), leverage: E(5), buy: false, wantedPrice: E(180) },
          { deadline: await deadline() },
        ),
      );
    const caps = (maxOI: bigint, maxWalletOI: bigint) =>
      send(d.deployer as HDNodeWallet, 'PairStorageV2', d.addresses.pairStorage, 'setPairCaps', [
        SOL,
        maxOI,
        maxWalletOI,
      ]);
    const sol = catalog(SOL);

    const a = await reg();
    await caps(sol.maxOI, U(999)); // dave's 1,000 USDC notional no longer fits his wallet cap
    expect(v2EventsOf((await fill(a.orderId)).events, 'TradingCallbacks.MarketOpenCanceled')).toHaveLength(1);

    const b = await reg();
    await caps(U(999), sol.maxWalletOI); // nor the pair's short OI cap
    expect(v2EventsOf((await fill(b.orderId)).events, 'TradingCallbacks.MarketOpenCanceled')).toHaveLength(1);
    await caps(sol.maxOI, sol.maxWalletOI);

    const c = await reg();
    const first = await reg(); // both registered while 40 slots are free
    await send(
      d.deployer as HDNodeWallet,
      'TradingStorage',
      d.addresses.tradingStorage,
      'setMaxTradesPerPair',
      [1],
    );
    expect(v2EventsOf((await fill(c.orderId)).events, 'TradingCallbacks.MarketExecuted')).toHaveLength(1); // takes the slot
    expect(
      v2EventsOf((await fill(first.orderId)).events, 'TradingCallbacks.MarketOpenCanceled'),
    ).toHaveLength(1);
    // And a further registration is refused up front.
    const more = calldataOf(
      'OpenTradeReq',
      dave,
      openReq(
        dave.address,
        { pairIndex: SOL, collateral: U(200), leverage: E(5), buy: false, wantedPrice: E(180) },
        { deadline: await deadline() },
      ),
    );
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, more)).toBe('MaxTradesPerPair');
    await send(
      d.deployer as HDNodeWallet,
      'TradingStorage',
      d.addresses.tradingStorage,
      'setMaxTradesPerPair',
      [40],
    );
  });
});

describe('fees closer to Base: skew-adjusted opens, maker/taker closes [local parameters]', () => {
  const DOGE = 5; // nobody else trades it in this file, so its OI is only what this test opens
  const eve = devWallet(28);
  const frank = devWallet(29);
  const doge = PRECISION / 5n; // 0.2 USD
  const openDoge = async (w: HDNodeWallet, collateral: bigint, buy: boolean) => {
    const reg = await register(
      'OpenTradeReq',
      w,
      openReq(
        w.address,
        { pairIndex: DOGE, collateral, leverage: E(10), buy, wantedPrice: doge },
        { deadline: await deadline() },
      ),
    );
    const fee = await openFeeNow(DOGE, collateral, E(10), buy);
    const done = await fill(reg.orderId);
    expect(only(done.events, 'TradingStorage.FeesCharged').fee).toBe(fee);
    return fee;
  };
  const closeDoge = async (w: HDNodeWallet, buy: boolean, amount: bigint) => {
    const pos = await positionOf(w.address, DOGE);
    if (!pos) throw new Error('no DOGE position');
    const reg = await register('CloseTradeReq', w, {
      _trader: w.address,
      _pairIndex: BigInt(DOGE),
      _index: BigInt(pos.index),
      _openTimestamp: pos.timestamp,
      _amount: amount,
      _wantedPrice: doge,
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    const expected = await closeFeeNow(DOGE, amount, E(10), buy);
    const before = await balance(w.address);
    const done = await fill(reg.orderId);
    const charged = only(done.events, 'PairInfos.FeesCharged').closingFee;
    expect(charged).toBe(expected);
    const exec = only(done.events, 'TradingCallbacks.MarketExecuted');
    expect(await balance(w.address)).toBe(before + exec.usdcSentToTrader);
    return charged;
  };

  it('the opening fee is 1.5x on an empty side and below the catalog rate for the minority side', async () => {
    await Promise.all([fund(eve, U(10_000)), fund(frank, U(10_000))]);
    await setPrice(DOGE, doge);
    const base = catalog(DOGE).openFeeP;

    const longFee = await openDoge(eve, U(1000), true); // 10,000 notional on an empty pair
    expect(longFee).toBe(levFee(U(1000), E(10), (base * 3n) / 2n));

    const shortFee = await openDoge(frank, U(500), false); // 5,000 against ~9,900 of longs
    expect(shortFee).toBeLessThan(levFee(U(500), E(10), base));
    const { long } = await oi(DOGE);
    const oiPct = (100n * long) / (long + U(5000)); // the OI before frank's fill
    expect(oiPct).toBe(66n);
    expect(shortFee).toBe(levFee(U(500), E(10), (base * (150n - oiPct)) / 100n));
  });

  it('a close away from balance pays taker, toward it maker (half), and across 50% a blend', async () => {
    const taker = catalog(DOGE).closeFeeP;
    // frank's short is the minority: closing part of it moves the long share away from 50%.
    expect(await closeDoge(frank, false, U(100))).toBe(levFee(U(100), E(10), taker));
    // eve's long is the majority: closing 300 of it moves toward 50% without crossing.
    expect(await closeDoge(eve, true, U(300))).toBe(levFee(U(300), E(10), taker / 2n));
    // closing the rest of the long crosses 50%: maker up to balance, taker past it.
    const rest = (await positionOf(eve.address, DOGE))?.collateral ?? 0n;
    const { long, short } = await oi(DOGE);
    const blended = ((taker / 2n) * (long - short) + taker * (long - (long - short))) / long;
    const fee = await closeDoge(eve, true, rest);
    expect(fee).toBe(levFee(rest, E(10), blended));
    expect(fee).toBeGreaterThan(levFee(rest, E(10), taker / 2n));
    expect(fee).toBeLessThan(levFee(rest, E(10), taker));
  });
});

describe('closes, increases and margin', () => {
  it('a position opened in v1.5 closes in v2 with closing fee, rollover, funding and close spread in the PnL', async () => {
    const btc = catalog(BTC);
    await increaseTime(3600);
    await setPrice(BTC, E(96000));
    const before = await balance(alice.address);
    const reg = await register('CloseTradeReq', alice, {
      _trader: alice.address,
      _pairIndex: BigInt(BTC),
      _index: 0n,
      _openTimestamp: v1Position.timestamp,
      _amount: v1Position.collateral,
      _wantedPrice: E(96000),
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    expect(only(reg.events, 'Trading.MarketOrderInitiated')).toMatchObject({
      open: false,
      initialPosToken: v1Position.collateral,
      orderId: reg.orderId,
    });
    const closeFee = await closeFeeNow(BTC, v1Position.collateral, E(10), true);
    const done = await fill(reg.orderId);

    const storageV2 = new Contract(
      d.addresses.tradingStorage,
      contractInterface('TradingStorageV2'),
      d.provider,
    );
    const v2Since = BigInt(await storageV2.getFunction('v2Since')());
    const elapsed =
      (await blockTime(done.receipt)) - (v1Position.timestamp > v2Since ? v1Position.timestamp : v2Since);
    expect(elapsed).toBeGreaterThanOrEqual(3600n);
    const c = v1Position.collateral;
    const fillPrice = spread(E(96000), btc.spreadP, false); // BTC spread is 0 in the catalog
    const p = percentProfit(v1Position.openPrice, fillPrice, true, E(10), btc.maxGainP);
    const r = rollover(c, btc.rolloverFeePerHourP, elapsed);
    const f = funding(c, E(10), true, btc.fundingFeePerHourP, elapsed);
    expect(r).toBeGreaterThan(0n);
    expect(f).toBeGreaterThan(0n);
    const expected = value(c, p, closeFee + r, f);

    const feesEv = only(done.events, 'PairInfos.FeesCharged');
    expect(feesEv).toMatchObject({
      buy: true,
      collateral: c,
      leverage: E(10),
      percentProfit: p,
      rolloverFee: r,
      closingFee: closeFee,
      lossProtection: 0n,
      fundingFee: f,
    });
    const exec = only(done.events, 'TradingCallbacks.MarketExecuted');
    expect(exec).toMatchObject({
      open: false,
      price: fillPrice,
      positionSizeUSDC: c,
      percentProfit: p,
      usdcSentToTrader: expected,
    });
    expect(exec.t.timestamp).toBe(v1Position.timestamp); // the trade as it was
    expect(await balance(alice.address)).toBe(before + expected);
    expect(await positionOf(alice.address, BTC)).toBeUndefined();
  });

  it('a partial close keeps the rest open with a fresh timestamp; a close bound to the old one is refused', async () => {
    await setPrice(ETH, E(3500));
    const pos = await positionOf(bob.address, ETH);
    if (!pos) throw new Error('bob has no ETH position');
    const half = pos.collateral / 2n;
    const reg = await register('CloseTradeReq', bob, {
      _trader: bob.address,
      _pairIndex: BigInt(ETH),
      _index: BigInt(pos.index),
      _openTimestamp: pos.timestamp,
      _amount: half,
      _wantedPrice: E(3500),
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    const done = await fill(reg.orderId);
    const exec = only(done.events, 'TradingCallbacks.MarketExecuted');
    expect(exec).toMatchObject({
      open: false,
      positionSizeUSDC: half,
      price: spread(E(3500), catalog(ETH).spreadP, false),
    });
    expect(exec.t.initialPosToken).toBe(pos.collateral);
    expect(only(done.events, 'TradingCallbacks.SpreadCharged')).toMatchObject({ open: false });
    const rest = await positionOf(bob.address, ETH);
    expect(rest).toMatchObject({
      collateral: pos.collateral - half,
      openPrice: pos.openPrice,
      timestamp: await blockTime(done.receipt),
    });
    expect(rest?.timestamp).not.toBe(pos.timestamp);

    const stale = calldataOf('CloseTradeReq', bob, {
      _trader: bob.address,
      _pairIndex: BigInt(ETH),
      _index: BigInt(pos.index),
      _openTimestamp: pos.timestamp,
      _amount: 1n,
      _wantedPrice: E(3500),
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, stale)).toBe('PositionMismatch');
  });

  it('an increase blends the open price by notional and refreshes the timestamp', async () => {
    const eth = catalog(ETH);
    const pos = await positionOf(bob.address, ETH);
    if (!pos) throw new Error('bob has no ETH position');
    await setPrice(ETH, E(3600));
    const reg = await register('IncreasePositionSizeReq', bob, {
      _updateInfo: {
        trader: bob.address,
        pairIndex: BigInt(ETH),
        index: BigInt(pos.index),
        openPrice: E(3600),
        initialPosToken: U(400),
        leverage: E(5),
      },
      _slippageP: SLIPPAGE_1P,
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    expect(only(reg.events, 'Trading.IncreasePositionRequested')).toMatchObject({
      trader: bob.address,
      index: BigInt(pos.index),
      addedCollateral: U(400),
      leverage: E(5),
    });
    const fee = await openFeeNow(ETH, U(400), E(5), true);
    const done = await fill(reg.orderId);
    const inc = only(done.events, 'TradingCallbacks.PositionSizeIncreased');
    const fillPrice = spread(E(3600), eth.spreadP, true);
    const oldNotional = (pos.collateral * pos.leverage) / PRECISION;
    const addNotional = U(2000);
    expect(inc).toMatchObject({
      orderId: reg.orderId,
      price: fillPrice,
      addedCollateral: U(400),
      addedLeverage: E(5),
      openingFee: fee,
    });
    expect(inc.t.openPrice).toBe(
      (oldNotional * pos.openPrice + addNotional * fillPrice) / (oldNotional + addNotional),
    );
    const after = await positionOf(bob.address, ETH);
    expect(after?.timestamp).toBe(await blockTime(done.receipt));
    // Accrued rollover/funding of the old part are settled from the collateral: a little under old + added - fee.
    expect(after?.collateral).toBeLessThanOrEqual(pos.collateral + U(400) - fee);
    expect(after?.collateral).toBeGreaterThan(pos.collateral + U(400) - fee - U(1));
  });

  it('a margin update charges the accrued fees, moves the leverage and refreshes the timestamp', async () => {
    const eth = catalog(ETH);
    const pos = await positionOf(bob.address, ETH);
    if (!pos) throw new Error('bob has no ETH position');
    await increaseTime(7200);
    const before = await balance(bob.address);
    const done = await send(bob, 'TradingV2', d.addresses.trading, 'updateMargin', [
      ETH,
      pos.index,
      MARGIN.DEPOSIT,
      U(300),
    ]);
    const at = await blockTime(done.receipt);
    const elapsed = at - pos.timestamp; // the increase reset the accrual to its own block
    const expectedFees =
      rollover(pos.collateral, eth.rolloverFeePerHourP, elapsed) +
      funding(pos.collateral, pos.leverage, true, eth.fundingFeePerHourP, elapsed);
    const ev = only(done.events, 'Trading.MarginUpdated');
    expect(ev.marginFees).toBe(expectedFees);
    expect(ev.marginFees).toBeGreaterThan(0n);
    const notional = (pos.collateral * pos.leverage) / PRECISION;
    const collateral = pos.collateral + U(300) - expectedFees;
    expect(ev.newTrade).toMatchObject({
      initialPosToken: collateral,
      leverage: (notional * PRECISION) / collateral,
      timestamp: at,
      positionSizeUSDC: at,
    });
    expect(ev.type).toBe(MARGIN.DEPOSIT);
    expect(await balance(bob.address)).toBe(before - U(300));
    expect((await positionOf(bob.address, ETH))?.timestamp).toBe(at);
  });
});

describe('keeper TP / SL / liquidation', () => {
  async function openFilled(
    w: HDNodeWallet,
    o: { pairIndex: number; leverage: bigint; buy: boolean; tp?: bigint; sl?: bigint },
  ) {
    const p = await price(o.pairIndex);
    const reg = await register(
      'OpenTradeReq',
      w,
      openReq(w.address, { collateral: U(200), wantedPrice: p, ...o }, { deadline: await deadline() }),
    );
    const exec = only((await fill(reg.orderId)).events, 'TradingCallbacks.MarketExecuted');
    return exec.t;
  }

  it('TP fills at its level with LimitExecuted orderType 0; SL at its level with 1', async () => {
    await setPrice(ETH, E(3500));
    const tpTrade = await openFilled(carol, { pairIndex: ETH, leverage: E(10), buy: true, tp: E(3600) });
    const slTrade = await openFilled(carol, { pairIndex: ETH, leverage: E(10), buy: false, sl: E(3600) });
    expect(
      await revertOf(
        d.keeper.address,
        d.addresses.trading,
        keeperCalldata.executeLimit(carol.address, ETH, tpTrade.index, 0),
      ),
    ).toBe('WrongOrderType');
    await setPrice(ETH, E(3650));
    const tp = only(
      (await trigger(carol.address, ETH, tpTrade.index, 0)).events,
      'TradingCallbacks.LimitExecuted',
    );
    expect(tp).toMatchObject({ orderType: 0, price: E(3600), positionSizeUSDC: tpTrade.initialPosToken });
    expect(tp.usdcSentToTrader).toBeGreaterThan(tpTrade.initialPosToken);
    const sl = only(
      (await trigger(carol.address, ETH, slTrade.index, 1)).events,
      'TradingCallbacks.LimitExecuted',
    );
    expect(sl).toMatchObject({ orderType: 1, price: E(3600) });
    expect(sl.usdcSentToTrader).toBeLessThan(slTrade.initialPosToken);
  });

  it('an UpdateTpSlReq moves both legs (TP 0 = the max-gain cap) with tradeOpenTimestamp in the events', async () => {
    await setPrice(ETH, E(3500));
    const t = await openFilled(carol, { pairIndex: ETH, leverage: E(10), buy: true });
    const update = (newTp: bigint, newSl: bigint, signer = carol) =>
      calldataOf('UpdateTpSlReq', signer, {
        trader: carol.address,
        _pairIndex: BigInt(ETH),
        _index: t.index,
        _newTp: newTp,
        _newSl: newSl,
        _deadline: 0n,
        _nonce: nonce(),
      });
    const withDeadline = async (newTp: bigint, newSl: bigint, signer = carol) =>
      calldataOf('UpdateTpSlReq', signer, {
        trader: carol.address,
        _pairIndex: BigInt(ETH),
        _index: t.index,
        _newTp: newTp,
        _newSl: newSl,
        _deadline: await deadline(),
        _nonce: nonce(),
      });
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, update(E(3600), 0n))).toBe(
      'InvalidDeadline',
    );
    expect(
      await revertOf(relayer.address, d.addresses.tradingRouter, await withDeadline(E(3600), 0n, stranger)),
    ).toBe('NotDelegate');
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, await withDeadline(E(3400), 0n))).toBe(
      'WrongTp',
    );
    expect(
      await revertOf(relayer.address, d.addresses.tradingRouter, await withDeadline(E(3600), E(2000))),
    ).toBe('WrongSl');

    const done = await sendRaw(relayer, d.addresses.tradingRouter, await withDeadline(0n, E(3400)));
    const maxGainTp = t.openPrice + (t.openPrice * catalog(ETH).maxGainP) / 100n / t.leverage;
    expect(only(done.events, 'Trading.TpUpdated')).toMatchObject({
      trader: carol.address,
      index: t.index,
      price: maxGainTp,
      tradeOpenTimestamp: t.timestamp,
    });
    expect(only(done.events, 'Trading.SlUpdated')).toMatchObject({
      price: E(3400),
      tradeOpenTimestamp: t.timestamp,
    });
    await setPrice(ETH, E(3390));
    const sl = only((await trigger(carol.address, ETH, t.index, 1)).events, 'TradingCallbacks.LimitExecuted');
    expect(sl).toMatchObject({ orderType: 1, price: E(3400) });
  });

  it('a liquidation pays nothing; only keepers may trigger', async () => {
    await setPrice(ETH, E(3500));
    const t = await openFilled(carol, { pairIndex: ETH, leverage: E(50), buy: true });
    await setPrice(ETH, E(3440)); // -1.7% x50 = -85%
    expect(
      await revertOf(
        stranger.address,
        d.addresses.trading,
        keeperCalldata.executeLimit(carol.address, ETH, t.index, 2),
      ),
    ).toBe('NotKeeper');
    const liq = only(
      (await trigger(carol.address, ETH, t.index, 2)).events,
      'TradingCallbacks.LimitExecuted',
    );
    expect(liq).toMatchObject({ orderType: 2, price: E(3440), usdcSentToTrader: 0n });
    expect(await positionOf(carol.address, ETH, Number(t.index))).toBeUndefined();
  });
});

describe('delegates', () => {
  it('setDelegate: the delegate signs for the trader (its own nonce bitmap) and runs margin updates by delegatedAction', async () => {
    await setPrice(ETH, E(3500));
    const expiry = (await chainNow()) + 3600n;
    const set = await send(alice, 'TradingRouter', d.addresses.tradingRouter, 'setDelegate', [
      apiKey.address,
      expiry,
    ]);
    expect(only(set.events, 'TradingRouter.DelegateSet')).toMatchObject({
      trader: alice.address,
      delegate: apiKey.address,
      expiry,
    });
    expect(await delegationOf(d.provider, d.addresses, alice.address, apiKey.address)).toEqual({
      isEnabled: true,
      expiry,
    });

    const n = nonce();
    const reg = await register(
      'OpenTradeReq',
      apiKey,
      openReq(
        alice.address,
        { pairIndex: ETH, collateral: U(300), leverage: E(5), buy: true, wantedPrice: E(3500) },
        { deadline: await deadline(), nonce: n },
      ),
    );
    expect(await isNonceUsed(d.provider, d.addresses, apiKey.address, n)).toBe(true);
    expect(await isNonceUsed(d.provider, d.addresses, alice.address, n)).toBe(false);
    const exec = only((await fill(reg.orderId)).events, 'TradingCallbacks.MarketExecuted');
    expect(exec.t.trader).toBe(alice.address);

    const before = await balance(alice.address);
    const direct = await sendRaw(
      apiKey,
      d.addresses.tradingRouter,
      delegatedMarginCalldata(alice.address, {
        pairIndex: ETH,
        index: exec.t.index,
        type: MARGIN.DEPOSIT,
        amount: U(50),
      }),
    );
    expect(only(direct.events, 'Trading.MarginUpdated')).toMatchObject({ trader: alice.address, type: 0 });
    expect(await balance(alice.address)).toBe(before - U(50)); // the trader's USDC, the delegate's gas
    // A delegate may not call the router-only entries through delegatedAction.
    const sneaky = contractInterface('TradingRouter').encodeFunctionData('delegatedAction', [
      alice.address,
      contractInterface('TradingV2').encodeFunctionData('closeTradeV2', [
        alice.address,
        ETH,
        exec.t.index,
        exec.t.timestamp,
        U(10),
        E(3500),
      ]),
    ]);
    expect(await revertOf(apiKey.address, d.addresses.tradingRouter, sneaky)).toBe('NotAllowed');
  });

  it('a revoked delegate is refused NotDelegate, an expired one DelegateExpired', async () => {
    const intent = async () =>
      calldataOf(
        'OpenTradeReq',
        apiKey,
        openReq(
          alice.address,
          { pairIndex: ETH, collateral: U(300), leverage: E(5), buy: true, wantedPrice: E(3500) },
          { deadline: await deadline() },
        ),
      );
    await send(alice, 'TradingRouter', d.addresses.tradingRouter, 'removeDelegate', [apiKey.address]);
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, await intent())).toBe('NotDelegate');
    await send(alice, 'TradingRouter', d.addresses.tradingRouter, 'setDelegate', [
      apiKey.address,
      (await chainNow()) + 30n,
    ]);
    await increaseTime(60);
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, await intent())).toBe(
      'DelegateExpired',
    );
    const margin = delegatedMarginCalldata(alice.address, {
      pairIndex: ETH,
      index: 0,
      type: MARGIN.DEPOSIT,
      amount: U(1),
    });
    expect(await revertOf(apiKey.address, d.addresses.tradingRouter, margin)).toBe('DelegateExpired');
    expect(
      await revertOf(
        alice.address,
        d.addresses.tradingRouter,
        contractInterface('TradingRouter').encodeFunctionData('setDelegate', [
          apiKey.address,
          await chainNow(),
        ]),
      ),
    ).toBe('InvalidExpiry');
  });

  it('DelegateReq: the trader signs the exact ToS text, anyone relays setDelegateWithSig; other signers or texts are refused', async () => {
    const expiry = (await chainNow()) + 86_400n;
    const req: DelegateReq = {
      trader: dave.address,
      delegate: apiKey.address,
      expiry,
      deadline: await deadline(),
      tnc: TNC_STRING,
      nonce: nonce(),
    };
    const byDelegate = signIntent(apiKey, 'DelegateReq', domain(), req);
    expect(
      await revertOf(
        relayer.address,
        d.addresses.tradingRouter,
        setDelegateWithSigCalldata(byDelegate.signature, byDelegate.userIntent),
      ),
    ).toBe('InvalidSignature');
    const wrongText = signIntent(dave, 'DelegateReq', domain(), {
      ...req,
      tnc: TNC_STRING.replace('tos.I', 'tos. I'),
    });
    expect(
      await revertOf(
        relayer.address,
        d.addresses.tradingRouter,
        setDelegateWithSigCalldata(wrongText.signature, wrongText.userIntent),
      ),
    ).toBe('InvalidTnc');

    const signed = signIntent(dave, 'DelegateReq', domain(), req);
    const done = await sendRaw(
      relayer,
      d.addresses.tradingRouter,
      setDelegateWithSigCalldata(signed.signature, signed.userIntent),
    );
    expect(only(done.events, 'TradingRouter.DelegateSet')).toMatchObject({
      trader: dave.address,
      delegate: apiKey.address,
      expiry,
    });
    expect(await delegationOf(d.provider, d.addresses, dave.address, apiKey.address)).toEqual({
      isEnabled: true,
      expiry,
    });
    expect(
      await revertOf(
        relayer.address,
        d.addresses.tradingRouter,
        setDelegateWithSigCalldata(signed.signature, signed.userIntent),
      ),
    ).toBe('InvalidNonce');
    await setPrice(ETH, E(3500));
    const reg = await register(
      'OpenTradeReq',
      apiKey,
      openReq(
        dave.address,
        { pairIndex: ETH, collateral: U(300), leverage: E(5), buy: false, wantedPrice: E(3500) },
        { deadline: await deadline() },
      ),
    );
    expect(only((await fill(reg.orderId)).events, 'TradingCallbacks.MarketExecuted').t.trader).toBe(
      dave.address,
    );
  });
});

describe('refusals: each with its custom error, and nothing else affected', () => {
  async function snapshot() {
    return {
      usdc: await Promise.all([alice, bob, carol, dave, stranger].map((w) => balance(w.address))),
      vault: await balance(d.addresses.tradingStorage),
      lastOrderId: await lastOrderId(),
      pending: await pendingOrders(d.provider, d.addresses),
      positions: await Promise.all(
        [alice, bob, carol, dave].map((w) => openTradesOf(d.provider, d.addresses, w.address)),
      ),
    };
  }
  const good = (over: Partial<Parameters<typeof openReq>[1]> = {}) => ({
    pairIndex: ETH,
    collateral: U(200),
    leverage: E(5),
    buy: true,
    wantedPrice: E(3500),
    ...over,
  });

  it('refuses each bad intent in the router and leaves balances, nonces, orders and positions as they were', async () => {
    await setPrice(ETH, E(3500));
    const before = await snapshot();
    const dl = await deadline();
    const used = nonce();
    await register('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: dl, nonce: used }));
    const afterUsed = await snapshot();
    const bobPos = await positionOf(bob.address, ETH);
    if (!bobPos) throw new Error('bob has no ETH position');
    const now = await chainNow();

    const valid = calldataOf('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: dl }));
    const cases: [string, string, string][] = [
      [
        'a signature of the wrong length',
        routerCalldata(
          'OpenTradeReq',
          encodeIntent('OpenTradeReq', openReq(bob.address, good(), { deadline: dl })),
          `0x${'11'.repeat(64)}`,
        ),
        'InvalidSignature',
      ],
      [
        'a garbage signature',
        routerCalldata(
          'OpenTradeReq',
          encodeIntent('OpenTradeReq', openReq(bob.address, good(), { deadline: dl })),
          `0x${'00'.repeat(64)}1b`,
        ),
        'InvalidSignature',
      ],
      [
        'a foreign signature',
        calldataOf('OpenTradeReq', stranger, openReq(bob.address, good(), { deadline: dl })),
        'NotDelegate',
      ],
      [
        'a used nonce',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: dl, nonce: used })),
        'InvalidNonce',
      ],
      [
        'an expired deadline',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: (now - 1n) * 1000n })),
        'InvalidDeadline',
      ],
      [
        'a deadline in seconds',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: now + 120n })),
        'InvalidDeadline',
      ],
      [
        'below the minimum position',
        calldataOf(
          'OpenTradeReq',
          bob,
          openReq(bob.address, good({ collateral: U(19), leverage: E(5) }), { deadline: dl }),
        ),
        'BelowMinPosition',
      ],
      [
        'leverage above the pair maximum',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good({ leverage: E(76) }), { deadline: dl })),
        'LeverageIncorrect',
      ],
      [
        'leverage below the pair minimum',
        calldataOf(
          'OpenTradeReq',
          bob,
          openReq(bob.address, good({ leverage: E(1) / 2n }), { deadline: dl }),
        ),
        'LeverageIncorrect',
      ],
      [
        'an unlisted pair',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good({ pairIndex: FET }), { deadline: dl })),
        'PairNotListed',
      ],
      [
        'a PnL order on a fixed-fee pair',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good(), { deadline: dl, type: 3 })),
        'PnlOrderNotAllowed',
      ],
      [
        'a TP on the wrong side',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good({ tp: E(3400) }), { deadline: dl })),
        'WrongTp',
      ],
      [
        'an SL on the wrong side',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good({ sl: E(3600) }), { deadline: dl })),
        'WrongSl',
      ],
      [
        'an SL past 80% of the collateral (at 5x: more than 16% below 3,500)',
        calldataOf('OpenTradeReq', bob, openReq(bob.address, good({ sl: E(2939) }), { deadline: dl })),
        'WrongSl',
      ],
      [
        'a wrong open timestamp',
        calldataOf('CloseTradeReq', bob, {
          _trader: bob.address,
          _pairIndex: BigInt(ETH),
          _index: BigInt(bobPos.index),
          _openTimestamp: bobPos.timestamp - 1n,
          _amount: U(1),
          _wantedPrice: E(3500),
          _deadline: dl,
          _nonce: nonce(),
        }),
        'PositionMismatch',
      ],
      [
        'closing more than the collateral',
        calldataOf('CloseTradeReq', bob, {
          _trader: bob.address,
          _pairIndex: BigInt(ETH),
          _index: BigInt(bobPos.index),
          _openTimestamp: bobPos.timestamp,
          _amount: bobPos.collateral + 1n,
          _wantedPrice: E(3500),
          _deadline: dl,
          _nonce: nonce(),
        }),
        'WrongAmount',
      ],
      [
        'closing a trade that does not exist',
        calldataOf('CloseTradeReq', bob, {
          _trader: bob.address,
          _pairIndex: BigInt(BTC),
          _index: 7n,
          _openTimestamp: 0n,
          _amount: U(1),
          _wantedPrice: E(3500),
          _deadline: dl,
          _nonce: nonce(),
        }),
        'NoTrade',
      ],
      [
        'a foreign signature on a close',
        calldataOf('CloseTradeReq', stranger, {
          _trader: bob.address,
          _pairIndex: BigInt(ETH),
          _index: BigInt(bobPos.index),
          _openTimestamp: bobPos.timestamp,
          _amount: U(1),
          _wantedPrice: E(3500),
          _deadline: dl,
          _nonce: nonce(),
        }),
        'NotDelegate',
      ],
    ];
    for (const [what, data, error] of cases) {
      expect(await revertOf(relayer.address, d.addresses.tradingRouter, data), what).toBe(error);
    }
    // A direct call to Trading's router entry is refused too.
    const direct = contractInterface('TradingV2').encodeFunctionData('openTradeV2', [
      openTradeInput({ trader: bob.address, ...good() }),
      0,
      SLIPPAGE_1P,
    ]);
    expect(await revertOf(stranger.address, d.addresses.trading, direct)).toBe('NotAllowed');
    // The valid one still goes through: the refusals left nothing behind.
    expect(await revertOf(relayer.address, d.addresses.tradingRouter, valid)).toBe('no revert');
    expect(await snapshot()).toEqual(afterUsed);
    expect(afterUsed.lastOrderId).toBe(before.lastOrderId + 1n);
    // Clean up the one real order.
    for (const o of afterUsed.pending) await fill(o.orderId);
  });

  it('a close whose trade changed after registration is cancelled: MarketCloseCanceled, nothing paid', async () => {
    const pos = await positionOf(bob.address, ETH);
    if (!pos) throw new Error('bob has no ETH position');
    const reg = await register('CloseTradeReq', bob, {
      _trader: bob.address,
      _pairIndex: BigInt(ETH),
      _index: BigInt(pos.index),
      _openTimestamp: pos.timestamp,
      _amount: pos.collateral,
      _wantedPrice: E(3500),
      _deadline: await deadline(),
      _nonce: nonce(),
    });
    await send(bob, 'TradingV2', d.addresses.trading, 'updateMargin', [
      ETH,
      pos.index,
      MARGIN.DEPOSIT,
      U(10),
    ]); // re-timestamps it
    const before = await balance(bob.address);
    const done = await fill(reg.orderId);
    expect(only(done.events, 'TradingCallbacks.MarketCloseCanceled')).toMatchObject({
      orderId: reg.orderId,
      trader: bob.address,
      index: BigInt(pos.index),
      timestamp: pos.timestamp,
    });
    expect(await balance(bob.address)).toBe(before);
    expect(
      toTrade(await d.contracts.tradingStorage.getFunction('openTrades')(bob.address, ETH, pos.index))
        .leverage,
    ).toBeGreaterThan(0n);
  });
});

describe('LocalTrader after the upgrade', () => {
  it('opens and closes with intents it signs and submits itself; a keeper fills each a block later', async () => {
    const { LocalTrader } = await import('../../../local/chain/trader.js');
    await setPrice(ETH, E(3500));
    const t = await LocalTrader.create(anvil.url, d.addresses, 27, U(5_000));
    const opened = await t.openSigned({ pairIndex: ETH, collateralUsdc: U(500), leverage: 4, buy: true });
    expect(only((await fill(opened)).events, 'TradingCallbacks.MarketExecuted').open).toBe(true);
    const pos = await positionOf(t.address, ETH);
    if (!pos) throw new Error('no position');
    const closed = await t.closeSigned(ETH, pos.index, pos.collateral);
    expect(only((await fill(closed)).events, 'TradingCallbacks.MarketExecuted').open).toBe(false);
    expect(await positionOf(t.address, ETH)).toBeUndefined();
  });
});
