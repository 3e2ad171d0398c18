// Deploys the local Avantis-compatible contracts on anvil (or any dev chain), wires them, lists the
// local pairs with starting prices and funds the vault. Every transaction is sent back to back with
// its own nonce and only then awaited, so a chain with `--block-time 1` deploys in a block or two.
//
// What differs from Avantis on Base (events, topic0, selectors, scales and the close arithmetic do not):
// - Market orders and keeper triggers execute in the same transaction (Trading emits
//   MarketOrderInitiated/LimitOrderInitiated, then TradingCallbacks emits MarketExecuted/LimitExecuted);
//   on Base a keeper calls back a block or more later with a Pyth price. Nothing is ever pending.
// - Prices come from PriceFeed (pushed by the price keeper), no spread, no price impact.
// - Fees: flat open/close fee % per pair; no rollover, funding, loss protection, referral or
//   executor reward (PairInfos.FeesCharged has r = 0 and lossProtection = 0). The opening fee is kept
//   by the vault, also on a cancelled open (as in the v1 source).
// - The execution fee (msg.value) may be any amount, 0 included; it stays in Trading.
// - Only MARKET opens (_type 0); limit/stop/zero-fee orders revert ORDER_TYPE_NOT_SUPPORTED.
// - TP/SL execute at the TP/SL price, a liquidation at the market price. No limitOrdersTimelock.
// - No OI caps; MarketOrderInitiated.initialPosToken is the collateral sent (open) or closed (close).
// - MarketExecuted of a partial close carries the trade as it was before the close.
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  Wallet,
  getCreateAddress,
  id,
  parseUnits,
  type BaseWallet,
  type TransactionReceipt,
} from 'ethers';
import { PRECISION, USDC_UNIT, artifacts, contractInterface, type AvantisAddresses } from './abi.js';
import type { ContractName } from './compile.js';
import type { AvantisDeployment } from '../../layers/core/domain/avantis/addresses.js';
import { NonceSender, waitReceipt, type TxRequest } from './tx.js';

export type { AvantisAddresses } from './abi.js';

/** anvil's default mnemonic: public, funded on every anvil chain, worthless anywhere else. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
/**
 * Which dev account does what. 9 is the copy executor (local/stack.ts); the simulator's traders
 * start at SIMULATOR_FIRST_TRADER_ACCOUNT.
 */
export const DEV_ACCOUNTS = { deployer: 0, priceKeeper: 1, keeper: 2 } as const;

export type { AvantisDeployment };

export interface LocalPair {
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly groupIndex: number;
  /** 1e10 */
  readonly minLeverage: bigint;
  readonly maxLeverage: bigint;
  /** Percent 1e10 of the leveraged position. */
  readonly openFeeP: bigint;
  readonly closeFeeP: bigint;
  /** USDC 1e6 */
  readonly minLevPosUSDC: bigint;
  /** 1e10 */
  readonly initialPrice: bigint;
}

const lev = (x: number): bigint => BigInt(x) * PRECISION;
/** A percent written as a decimal string ('0.06' = 0.06%), scaled 1e10. */
const pct = (p: string): bigint => parseUnits(p, 10);
const px = (p: string): bigint => parseUnits(p, 10);
const usdc = (n: number): bigint => BigInt(n) * USDC_UNIT;

/** Indices and names as on Base (FACTS §4); ranges and minimums from the v1.5 snapshot, fees rounded. */
export const LOCAL_PAIRS: readonly LocalPair[] = [
  pair(0, 'ETH', 'USD', 0, 1, 75, '0.06', '0.06', 100, '3500'),
  pair(1, 'BTC', 'USD', 0, 1, 75, '0.06', '0.06', 100, '95000'),
  pair(2, 'SOL', 'USD', 1, 1, 75, '0.08', '0.08', 100, '180'),
  pair(5, 'DOGE', 'USD', 1, 1, 40, '0.08', '0.08', 100, '0.35'),
  pair(11, 'EUR', 'USD', 2, 1, 100, '0.03', '0.03', 300, '1.08'),
  pair(12, 'USD', 'JPY', 2, 1, 100, '0.03', '0.03', 300, '150'),
  pair(21, 'XAU', 'USD', 3, 1, 75, '0.05', '0.05', 100, '2650'),
  pair(62, 'HYPE', 'USD', 5, 1, 20, '0.1', '0.1', 100, '25'),
];

function pair(
  index: number,
  from: string,
  to: string,
  groupIndex: number,
  minLev: number,
  maxLev: number,
  openFee: string,
  closeFee: string,
  minPos: number,
  price: string,
): LocalPair {
  return {
    index,
    from,
    to,
    groupIndex,
    minLeverage: lev(minLev),
    maxLeverage: lev(maxLev),
    openFeeP: pct(openFee),
    closeFeeP: pct(closeFee),
    minLevPosUSDC: usdc(minPos),
    initialPrice: px(price),
  };
}

/** USDC the vault (TradingStorage) starts with, to pay profits: one billion. */
export const VAULT_USDC = 1_000_000_000n * USDC_UNIT;

export type AvantisContracts = Readonly<Record<keyof AvantisAddresses, Contract>>;

export interface DeployedAvantis {
  readonly chainId: number;
  readonly addresses: AvantisAddresses;
  /** The indexer's view of the same addresses. */
  readonly deployment: AvantisDeployment;
  /** Block of the first deployment transaction: where an indexer starts. */
  readonly deployBlock: number;
  readonly provider: JsonRpcProvider;
  /** Handles connected to the deployer (owner of every contract). */
  readonly contracts: AvantisContracts;
  readonly deployer: BaseWallet;
  /** Allowed to push prices to PriceFeed. */
  readonly priceKeeper: BaseWallet;
  /** Triggers TP/SL/liquidations (Trading.executeLimit is open to anyone; this is the usual caller). */
  readonly keeper: BaseWallet;
  readonly pairs: readonly LocalPair[];
}

/** ethers settings for a local node: no network re-detection, no 250 ms call cache (nonce races). */
export function localProvider(rpcUrl: string): JsonRpcProvider {
  // batchStallTime 0: still one HTTP batch per event-loop turn, without 10 ms of waiting per call.
  return new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, batchStallTime: 0 });
}

/** Dev account `index` of the anvil mnemonic (m/44'/60'/0'/0/index). */
export function devWallet(index: number, provider?: JsonRpcProvider): HDNodeWallet {
  const wallet = devRoot().deriveChild(index);
  return provider ? wallet.connect(provider) : wallet;
}

let root: HDNodeWallet | undefined;
function devRoot(): HDNodeWallet {
  // The seed derivation (PBKDF2) is the slow part: do it once.
  root ??= HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return root;
}

export function toAvantisDeployment(chainId: number, a: AvantisAddresses): AvantisDeployment {
  return {
    chainId,
    tradingCallbacks: a.tradingCallbacks.toLowerCase(),
    trading: [a.trading.toLowerCase()],
    tradingStorage: a.tradingStorage.toLowerCase(),
    pairInfos: a.pairInfos.toLowerCase(),
    pairStorage: a.pairStorage.toLowerCase(),
    usdc: a.usdc.toLowerCase(),
  };
}

/** Deploy order; each constructor only takes addresses deployed before it. */
const DEPLOY_ORDER: readonly (readonly [keyof AvantisAddresses, ContractName])[] = [
  ['usdc', 'MockUSDC'],
  ['pairStorage', 'PairStorage'],
  ['priceFeed', 'PriceFeed'],
  ['tradingStorage', 'TradingStorage'],
  ['pairInfos', 'PairInfos'],
  ['tradingCallbacks', 'TradingCallbacks'],
  ['trading', 'Trading'],
];

function constructorArgs(key: keyof AvantisAddresses, a: AvantisAddresses): unknown[] {
  switch (key) {
    case 'tradingStorage':
      return [a.usdc];
    case 'pairInfos':
      return [a.pairStorage];
    case 'tradingCallbacks':
      return [a.tradingStorage, a.pairStorage, a.pairInfos, a.priceFeed];
    case 'trading':
      return [a.tradingStorage, a.pairStorage, a.pairInfos, a.tradingCallbacks, a.priceFeed];
    default:
      return [];
  }
}

export async function deployAvantis(
  rpcUrl: string,
  opts: { deployerKey?: string; pairs?: readonly LocalPair[]; vaultUsdc?: bigint } = {},
): Promise<DeployedAvantis> {
  const provider = localProvider(rpcUrl);
  const deployer: BaseWallet = opts.deployerKey
    ? new Wallet(opts.deployerKey, provider)
    : devWallet(DEV_ACCOUNTS.deployer, provider);
  const priceKeeper = devWallet(DEV_ACCOUNTS.priceKeeper, provider);
  const keeper = devWallet(DEV_ACCOUNTS.keeper, provider);
  const pairs = opts.pairs ?? LOCAL_PAIRS;
  const chainId = Number((await provider.getNetwork()).chainId);
  const sender = new NonceSender(deployer, provider);
  const firstNonce = await provider.getTransactionCount(deployer.address, 'pending');

  // Addresses are known before anything is mined, so wiring can be sent right behind the deploys.
  const addresses = Object.fromEntries(
    DEPLOY_ORDER.map(([key], i) => [
      key,
      getCreateAddress({ from: deployer.address, nonce: firstNonce + i }),
    ]),
  ) as unknown as AvantisAddresses;

  const deploys: TxRequest[] = await Promise.all(
    DEPLOY_ORDER.map(async ([key, name]) => {
      const data =
        artifacts()[name].bytecode +
        contractInterface(name).encodeDeploy(constructorArgs(key, addresses)).slice(2);
      // Constructors only store addresses, so estimating before the others exist is exact.
      const gas = await provider.estimateGas({ from: deployer.address, data });
      return { data, gasLimit: (gas * 12n) / 10n };
    }),
  );
  const call = (
    name: ContractName,
    to: string,
    fn: string,
    args: unknown[],
    gasLimit: bigint,
  ): TxRequest => ({
    to,
    data: contractInterface(name).encodeFunctionData(fn, args),
    gasLimit,
  });
  const a = addresses;
  const wiring: TxRequest[] = [
    call('TradingStorage', a.tradingStorage, 'setTrading', [a.trading], 100_000n),
    call('TradingStorage', a.tradingStorage, 'setCallbacks', [a.tradingCallbacks], 100_000n),
    call('PairInfos', a.pairInfos, 'setCallbacks', [a.tradingCallbacks], 100_000n),
    call('TradingCallbacks', a.tradingCallbacks, 'setTrading', [a.trading], 100_000n),
    call('PriceFeed', a.priceFeed, 'setKeeper', [priceKeeper.address, true], 100_000n),
    ...pairs.map((p) =>
      call(
        'PairStorage',
        a.pairStorage,
        'addPair',
        [
          p.index,
          {
            from: p.from,
            to: p.to,
            groupIndex: p.groupIndex,
            minLeverage: p.minLeverage,
            maxLeverage: p.maxLeverage,
            openFeeP: p.openFeeP,
            closeFeeP: p.closeFeeP,
            minLevPosUSDC: p.minLevPosUSDC,
          },
          id(`${p.from}/${p.to}`),
        ],
        400_000n,
      ),
    ),
    call(
      'PriceFeed',
      a.priceFeed,
      'setPrices',
      [pairs.map((p) => p.index), pairs.map((p) => p.initialPrice)],
      BigInt(60_000 + 50_000 * pairs.length),
    ),
    call('MockUSDC', a.usdc, 'mint', [a.tradingStorage, opts.vaultUsdc ?? VAULT_USDC], 120_000n),
  ];

  const hashes: string[] = [];
  for (const req of [...deploys, ...wiring]) hashes.push(await sender.send(req));
  const receipts: TransactionReceipt[] = await Promise.all(hashes.map((h) => waitReceipt(provider, h)));
  const failed = receipts.findIndex((r) => r.status !== 1);
  if (failed >= 0)
    throw new Error(`Avantis local deployment: transaction ${failed} (${hashes[failed]}) reverted`);
  for (const [i, [key]] of DEPLOY_ORDER.entries()) {
    const created = receipts[i]?.contractAddress;
    if (created?.toLowerCase() !== addresses[key].toLowerCase()) {
      throw new Error(`Avantis local deployment: ${key} landed at ${created}, expected ${addresses[key]}`);
    }
  }

  const contracts = Object.fromEntries(
    DEPLOY_ORDER.map(([key, name]) => [key, new Contract(addresses[key], contractInterface(name), deployer)]),
  ) as unknown as AvantisContracts;
  return {
    chainId,
    addresses,
    deployment: toAvantisDeployment(chainId, addresses),
    deployBlock: receipts[0]?.blockNumber ?? 0,
    provider,
    contracts,
    deployer,
    priceKeeper,
    keeper,
    pairs,
  };
}
