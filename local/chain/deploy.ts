// Deploys the local Avantis-compatible contracts on anvil (or any dev chain), each behind an
// EIP-1967 AlfaProxy owned by one ProxyAdmin, wires them, lists the local pairs with starting prices
// and funds the vault; upgradeToV2 later swaps every implementation for v2 in one transaction, as
// Base did on 2026-08-12 (docs/local-avantis.md). Every transaction is sent back to back with its
// own nonce and only then awaited, so a chain with `--block-time 1` deploys in a block or two.
//
// What v1.5 here differs from Avantis on Base (events, topic0, selectors, scales and the close arithmetic do not):
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
// What v2 simplifies (two-step fills, fees, caps, delegates): docs/local-avantis.md, last sections.
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  Wallet,
  dataSlice,
  getAddress,
  getCreateAddress,
  id,
  parseUnits,
  type BaseWallet,
  type TransactionReceipt,
} from 'ethers';
import { PRECISION, USDC_UNIT, artifacts, contractInterface, type AvantisAddresses } from './abi.js';
import { V2_PAIRS, type V2Pair } from './pairs-v2.js';
import type { ContractName } from './compile.js';
import type { AvantisDeployment } from '#core/domain/avantis/addresses.js';
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

/** Indices and names as on Base (docs/avantis.md v1 §4); ranges and minimums from the v1.5 snapshot, fees rounded. */
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
  /** The v1.5 implementation behind each proxy at deployment. */
  readonly implementations: Readonly<Record<ProxiedKey, string>>;
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

/** Every proxied contract; MockUSDC is not proxied (USDC is not Avantis'). */
export type ProxiedKey = Exclude<keyof AvantisAddresses, 'usdc' | 'proxyAdmin'>;

/** v1.5 implementation deploy order; constructors take proxy addresses (known up front) for immutables. */
const V1_IMPLEMENTATIONS: readonly (readonly [ProxiedKey, ContractName])[] = [
  ['pairStorage', 'PairStorage'],
  ['priceFeed', 'PriceFeed'],
  ['tradingStorage', 'TradingStorage'],
  ['pairInfos', 'PairInfos'],
  ['tradingCallbacks', 'TradingCallbacks'],
  ['trading', 'Trading'],
  ['tradingRouter', 'NotLiveRouter'],
];
/** The v2 implementation of each proxy. */
export const V2_IMPLEMENTATIONS: Readonly<Record<ProxiedKey, ContractName>> = {
  pairStorage: 'PairStorageV2',
  priceFeed: 'PriceFeedV2',
  tradingStorage: 'TradingStorageV2',
  pairInfos: 'PairInfosV2',
  tradingCallbacks: 'TradingCallbacksV2',
  trading: 'TradingV2',
  tradingRouter: 'TradingRouter',
};
const PROXIED = V1_IMPLEMENTATIONS.map(([key]) => key);
/** The ABI a handle on each address speaks before the upgrade. */
const V1_ABI: Readonly<Record<keyof AvantisAddresses, ContractName>> = {
  usdc: 'MockUSDC',
  pairStorage: 'PairStorage',
  priceFeed: 'PriceFeed',
  tradingStorage: 'TradingStorage',
  pairInfos: 'PairInfos',
  tradingCallbacks: 'TradingCallbacks',
  trading: 'Trading',
  tradingRouter: 'TradingRouter',
  proxyAdmin: 'ProxyAdmin',
};

function constructorArgs(name: ContractName, a: AvantisAddresses): unknown[] {
  switch (name) {
    case 'TradingStorage':
    case 'TradingStorageV2':
      return [a.usdc];
    case 'PairInfos':
      return [a.pairStorage];
    case 'PairInfosV2':
      return [a.pairStorage, a.tradingStorage];
    case 'TradingCallbacks':
    case 'TradingCallbacksV2':
      return [a.tradingStorage, a.pairStorage, a.pairInfos, a.priceFeed];
    case 'Trading':
      return [a.tradingStorage, a.pairStorage, a.pairInfos, a.tradingCallbacks, a.priceFeed];
    case 'TradingV2':
      return [a.tradingStorage, a.pairStorage, a.pairInfos, a.tradingCallbacks, a.priceFeed, a.tradingRouter];
    case 'TradingRouter':
      return [a.trading];
    default:
      return [];
  }
}

const deployData = (name: ContractName, args: unknown[]): string =>
  artifacts()[name].bytecode + contractInterface(name).encodeDeploy(args).slice(2);

/** Proxy creation: code deposit (~900 bytes), two slots, the initializer's few writes. */
const PROXY_GAS = 700_000n;

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
  const at = (offset: number): string =>
    getCreateAddress({ from: deployer.address, nonce: firstNonce + offset });

  // Nonce plan: USDC, the v1.5 implementations, the ProxyAdmin, then one proxy per implementation.
  // Every address is known before anything is mined, so wiring is sent right behind the deploys.
  const n = V1_IMPLEMENTATIONS.length;
  const implementations = Object.fromEntries(
    V1_IMPLEMENTATIONS.map(([key], i) => [key, at(1 + i)]),
  ) as Record<ProxiedKey, string>;
  const addresses = {
    usdc: at(0),
    proxyAdmin: at(1 + n),
    ...Object.fromEntries(V1_IMPLEMENTATIONS.map(([key], i) => [key, at(2 + n + i)])),
  } as unknown as AvantisAddresses;

  const implDeploys: TxRequest[] = await Promise.all(
    [['usdc', 'MockUSDC'] as const, ...V1_IMPLEMENTATIONS].map(async ([, name]) => {
      const data = deployData(name, constructorArgs(name, addresses));
      // Constructors only store immutables, so estimating before the others exist is exact.
      const gas = await provider.estimateGas({ from: deployer.address, data });
      return { data, gasLimit: (gas * 12n) / 10n };
    }),
  );
  const adminDeploy: TxRequest = { data: deployData('ProxyAdmin', []), gasLimit: 400_000n };
  const proxyDeploys: TxRequest[] = V1_IMPLEMENTATIONS.map(([key, name]) => {
    // The initializer runs inside the proxy's constructor, so msg.sender there is the deployer.
    const init =
      name === 'NotLiveRouter' ? '0x' : contractInterface(name).encodeFunctionData('initialize', []);
    return {
      data: deployData('AlfaProxy', [implementations[key], addresses.proxyAdmin, init]),
      gasLimit: PROXY_GAS,
    };
  });
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

  const creations = [...implDeploys, adminDeploy, ...proxyDeploys];
  const hashes: string[] = [];
  for (const req of [...creations, ...wiring]) hashes.push(await sender.send(req));
  const receipts: TransactionReceipt[] = await Promise.all(hashes.map((h) => waitReceipt(provider, h)));
  const failed = receipts.findIndex((r) => r.status !== 1);
  if (failed >= 0)
    throw new Error(`Avantis local deployment: transaction ${failed} (${hashes[failed]}) reverted`);
  for (const [i, r] of receipts.slice(0, creations.length).entries()) {
    if (r.contractAddress?.toLowerCase() !== at(i).toLowerCase()) {
      throw new Error(
        `Avantis local deployment: creation ${i} landed at ${r.contractAddress}, expected ${at(i)}`,
      );
    }
  }

  const contracts = Object.fromEntries(
    (Object.keys(V1_ABI) as (keyof AvantisAddresses)[]).map((key) => [
      key,
      new Contract(addresses[key], contractInterface(V1_ABI[key]), deployer),
    ]),
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
    implementations,
  };
}

// ---- the in-place upgrade to v2 ----

/** bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1) */
export const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';

/** The implementation a proxy points at now (its EIP-1967 slot). */
export async function implementationOf(provider: JsonRpcProvider, proxy: string): Promise<string> {
  const word = await provider.getStorage(proxy, IMPLEMENTATION_SLOT);
  return getAddress(dataSlice(word, 12));
}

/** Whether the deployment at `addresses` already runs v2 (the router is live). */
export async function isUpgradedToV2(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'tradingStorage'>,
): Promise<boolean> {
  const iface = contractInterface('TradingStorageV2');
  try {
    const out = await provider.call({
      to: addresses.tradingStorage,
      data: iface.encodeFunctionData('v2Since', []),
    });
    return BigInt(out) > 0n;
  } catch {
    return false; // v1.5 has no v2Since: the call reverts
  }
}

/**
 * The block of the v2 upgrade: where the trading proxy logged its second `Upgraded` (the first is
 * its deployment), or undefined while the chain still runs v1.5.
 */
export async function findUpgradeBlock(
  provider: JsonRpcProvider,
  addresses: Pick<AvantisAddresses, 'trading'>,
  fromBlock = 0,
): Promise<number | undefined> {
  const topic = contractInterface('AlfaProxy').getEvent('Upgraded')?.topicHash;
  if (!topic) throw new Error('AlfaProxy ABI without Upgraded');
  const logs = await provider.getLogs({
    address: addresses.trading,
    topics: [topic],
    fromBlock,
    toBlock: 'latest',
  });
  return logs[1]?.blockNumber;
}

/** PairStorageV2.initializeV2's arguments from the v2 catalog. */
function catalogArgs(pairs: readonly V2Pair[]): unknown[] {
  return [
    pairs.map((p) => p.index),
    pairs.map((p) => ({
      from: p.from,
      to: p.to,
      groupIndex: p.groupIndex,
      minLeverage: p.minLeverage,
      maxLeverage: p.maxLeverage,
      openFeeP: p.openFeeP,
      closeFeeP: p.closeFeeP,
      minLevPosUSDC: p.minLevPosUSDC,
    })),
    pairs.map((p) => ({
      spreadP: p.spreadP,
      maxGainP: p.maxGainP,
      fundingFeePerHourP: p.fundingFeePerHourP,
      rolloverFeePerHourP: p.rolloverFeePerHourP,
      maxOI: p.maxOI,
      maxWalletOI: p.maxWalletOI,
      pnlTypeAllowed: false,
    })),
    pairs.map((p) => p.listed),
  ];
}

export interface UpgradeOptions {
  /** The v2 catalog written in the upgrade transaction (default V2_PAIRS). */
  readonly pairs?: readonly V2Pair[];
  /** Who may fill market orders and trigger TP/SL/liquidations (default: the keeper and the deployer). */
  readonly keepers?: readonly string[];
}

/**
 * Deploys the v2 implementations, then upgrades every proxy to them in ONE transaction (so all the
 * `Upgraded` logs share its block) that also writes the v2 pair catalog and the keepers. Open
 * positions, USDC balances and allowances stay; v1-shaped calls revert from then on.
 */
export async function upgradeToV2(
  deployed: Pick<DeployedAvantis, 'addresses' | 'deployer' | 'keeper' | 'provider'>,
  opts: UpgradeOptions = {},
): Promise<{ block: number; transactionHash: string; implementations: Record<ProxiedKey, string> }> {
  const { addresses, deployer, provider } = deployed;
  if (await isUpgradedToV2(provider, addresses)) throw new Error('the deployment already runs v2');
  const sender = new NonceSender(deployer, provider);
  const keys = PROXIED;
  const creations = await Promise.all(
    keys.map(async (key) => {
      const name = V2_IMPLEMENTATIONS[key];
      const data = deployData(name, constructorArgs(name, addresses));
      const gas = await provider.estimateGas({ from: deployer.address, data });
      return { data, gasLimit: (gas * 12n) / 10n };
    }),
  );
  const hashes: string[] = [];
  for (const req of creations) hashes.push(await sender.send(req));
  const receipts = await Promise.all(hashes.map((h) => waitReceipt(provider, h)));
  const implementations = {} as Record<ProxiedKey, string>;
  for (const [i, key] of keys.entries()) {
    const r = receipts[i];
    if (r?.status !== 1 || !r.contractAddress)
      throw new Error(`v2 upgrade: deploying ${V2_IMPLEMENTATIONS[key]} failed`);
    implementations[key] = r.contractAddress;
  }

  const keepers = opts.keepers ?? [deployed.keeper.address, deployer.address];
  const initData = (key: ProxiedKey): string => {
    switch (key) {
      case 'pairStorage':
        return contractInterface('PairStorageV2').encodeFunctionData(
          'initializeV2',
          catalogArgs(opts.pairs ?? V2_PAIRS),
        );
      case 'tradingStorage':
        return contractInterface('TradingStorageV2').encodeFunctionData('initializeV2', []);
      case 'tradingCallbacks':
        return contractInterface('TradingCallbacksV2').encodeFunctionData('initializeV2', [keepers]);
      default:
        return '0x';
    }
  };
  const data = contractInterface('ProxyAdmin').encodeFunctionData('upgradeAll', [
    keys.map((k) => addresses[k]),
    keys.map((k) => implementations[k]),
    keys.map(initData),
  ]);
  const gas = await provider.estimateGas({ from: deployer.address, to: addresses.proxyAdmin, data });
  const receipt = await sender.sendAndWait({ to: addresses.proxyAdmin, data, gasLimit: (gas * 13n) / 10n });
  if (receipt.status !== 1) throw new Error(`v2 upgrade transaction ${receipt.hash} reverted`);
  return { block: receipt.blockNumber, transactionHash: receipt.hash, implementations };
}
