// Starts the local Avantis batched-market service on a deployed local chain: the relayer and keeper
// dev accounts (given ETH, the keeper registered on TradingCallbacks once the chain runs v2), the
// ethers chain adapter, and the HTTP server. Also the upgrade schedule of the running stack: the
// v1.5 → v2 upgrade at a block (ALFA_UPGRADE_BLOCK, or deployBlock + 60 in `npm start`).
import { parseEther, type BaseWallet, type JsonRpcProvider } from 'ethers';
import { contractInterface, type AvantisAddresses } from '../chain/abi.js';
import { devWallet, isUpgradedToV2, upgradeToV2, type DeployedAvantis } from '../chain/deploy.js';
import { NonceSender, setBalance } from '../chain/tx.js';
import { EthersMarketChain } from './ethers-chain.js';
import { startMarketServer, type MarketServer, type MarketServerOptions } from './server.js';

/** The service's own dev accounts (clear of the deployer 0-2, tests 3-8, executor 9, simulator 100+). */
export const SERVICE_ACCOUNTS = { relayer: 20, keeper: 21 } as const;

/** What `.local/stack.json` → `avantis` holds (issue 9 item 6). */
export interface AvantisInfo {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** The EIP-712 verifyingContract; also where a trader calls setDelegate / removeDelegate. */
  readonly tradingRouter: string;
  readonly batchedMarketUrl: string;
  readonly usdc: string;
  /** The block the v2 upgrade landed in, or the block it is planned for while the chain is v1.5. */
  upgradeBlock: number | null;
  readonly pricesUrl: string;
  readonly userDataUrl: string;
  readonly faultsUrl: string;
  /** Every proxy address (and USDC, the ProxyAdmin). */
  readonly contracts: AvantisAddresses;
}

export function serviceKeeperAddress(): string {
  return devWallet(SERVICE_ACCOUNTS.keeper).address;
}

export interface AvantisServiceOptions extends Omit<MarketServerOptions, 'chain' | 'addresses'> {
  readonly rpcUrl: string;
}

export interface AvantisService {
  readonly server: MarketServer;
  info(upgradeBlock: number | null): AvantisInfo;
  close(): Promise<void>;
}

const GAS_MONEY = parseEther('1000');

export async function startAvantisService(
  deployed: Pick<DeployedAvantis, 'addresses' | 'chainId' | 'deployBlock' | 'provider' | 'deployer'>,
  opts: AvantisServiceOptions,
): Promise<AvantisService> {
  const { provider, addresses } = deployed;
  const relayer = devWallet(SERVICE_ACCOUNTS.relayer, provider);
  const keeper = devWallet(SERVICE_ACCOUNTS.keeper, provider);
  // Accounts past the tenth have no ETH on anvil.
  await Promise.all([relayer, keeper].map((w) => setBalance(provider, w.address, GAS_MONEY)));
  const chain = new EthersMarketChain({
    provider,
    chainId: deployed.chainId,
    addresses,
    relayer,
    keeper,
    fromBlock: deployed.deployBlock,
    ...(opts.log ? { log: opts.log } : {}),
  });
  const server = await startMarketServer({
    ...opts,
    chain,
    addresses: {
      usdc: addresses.usdc,
      tradingStorage: addresses.tradingStorage,
      trading: addresses.trading,
      tradingCallbacks: addresses.tradingCallbacks,
    },
  });
  const keeperWatch = watchKeeperRegistration(provider, addresses, deployed.deployer, keeper, opts.log);
  return {
    server,
    info: (upgradeBlock) => ({
      rpcUrl: opts.rpcUrl,
      chainId: deployed.chainId,
      tradingRouter: addresses.tradingRouter,
      batchedMarketUrl: server.batchedMarketUrl,
      usdc: addresses.usdc,
      upgradeBlock,
      pricesUrl: server.pricesUrl,
      userDataUrl: server.userDataUrl,
      faultsUrl: server.faultsUrl,
      contracts: addresses,
    }),
    async close() {
      keeperWatch.stop();
      await server.close();
    },
  };
}

/**
 * The keeper may only fill once TradingCallbacks v2 knows it. The upgrade can name it (pass
 * serviceKeeperAddress() in `keepers`); otherwise the owner registers it as soon as v2 is live.
 */
function watchKeeperRegistration(
  provider: JsonRpcProvider,
  addresses: AvantisAddresses,
  owner: BaseWallet,
  keeper: BaseWallet,
  log: ((line: string) => void) | undefined,
): { stop(): void } {
  const iface = contractInterface('TradingCallbacksV2');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async (): Promise<boolean> => {
    if (!(await isUpgradedToV2(provider, addresses))) return false;
    const out = await provider.call({
      to: addresses.tradingCallbacks,
      data: iface.encodeFunctionData('isKeeper', [keeper.address]),
    });
    if (BigInt(out) === 1n) return true;
    const receipt = await new NonceSender(owner, provider).sendAndWait({
      to: addresses.tradingCallbacks,
      data: iface.encodeFunctionData('setKeeper', [keeper.address, true]),
      gasLimit: 100_000n,
    });
    return receipt.status === 1;
  };
  const loop = () => {
    if (stopped) return;
    check()
      .then((done) => {
        if (!done && !stopped) timer = setTimeout(loop, 500);
      })
      .catch((err: unknown) => {
        log?.(`batched-market: keeper registration: ${String(err)}`);
        if (!stopped) timer = setTimeout(loop, 1000);
      });
  };
  loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

export interface UpgradeSchedule {
  /** The block the upgrade is planned for (it lands in the first block it can from there on). */
  readonly plannedBlock: number;
  /** Resolves with the block the upgrade landed in. */
  readonly done: Promise<number>;
  stop(): void;
}

/**
 * Upgrades to v2 when the chain reaches `block`: the implementations are deployed once the latest
 * block is `block - 2` and the one upgrade transaction sent after them, so the upgrade lands at
 * `block` on a chain with 1 s blocks and never before it, with the service's keeper among the keepers.
 */
export function scheduleUpgrade(
  deployed: Pick<DeployedAvantis, 'addresses' | 'deployer' | 'keeper' | 'provider'>,
  block: number,
  log?: (line: string) => void,
): UpgradeSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<number>((resolve, reject) => {
    const poll = () => {
      if (stopped) return;
      deployed.provider
        .getBlockNumber()
        .then(async (latest) => {
          if (stopped) return;
          // The implementations land in a block after `latest`, the upgrade in a block after
          // those: starting at block - 2 lands it at `block` with 1 s blocks, never before.
          if (latest + 2 < block) {
            timer = setTimeout(poll, 250);
            return;
          }
          const { block: landed } = await upgradeToV2(deployed, {
            keepers: [deployed.keeper.address, deployed.deployer.address, serviceKeeperAddress()],
          });
          log?.(`Avantis v2 upgrade landed in block ${landed} (planned ${block})`);
          resolve(landed);
        })
        .catch(reject);
    };
    poll();
  });
  // A stack stopped before the upgrade leaves `done` pending forever; nobody must wait on it then.
  done.catch((err: unknown) => log?.(`Avantis v2 upgrade failed: ${String(err)}`));
  return {
    plannedBlock: block,
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
