// The simulator through the local batched-market service on a private anvil: after the upgrade
// every open, close and increase is a signed intent POSTed to /market/execute-batched, relayed by
// the service (gasless for the traders) and filled by the service's keeper; the simulator only
// reads the outcome back from the chain, and sees opens, closes, increases, margin updates and
// keeper TP/SL/liquidations without a refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import {
  deployAvantis,
  findUpgradeBlock,
  upgradeToV2,
  type DeployedAvantis,
} from '../../../local/chain/deploy.js';
import { decodeV2Logs, v2EventsOf } from '../../../local/chain/v2.js';
import {
  SERVICE_ACCOUNTS,
  serviceKeeperAddress,
  startAvantisService,
  type AvantisService,
} from '../../../local/avantis/local-service.js';
import { devWallet } from '../../../local/chain/deploy.js';
import { runSimulatorSteps, type SimulatorStats } from '../../../local/simulator/simulator.js';
import { serviceSubmitter } from '../../../local/simulator/submit.js';

const UPGRADE_TICK = 15;
const STEPS = 70;

let anvil: Anvil;
let d: DeployedAvantis;
let service: AvantisService;
let stats: SimulatorStats;
let actions: string[];

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployAvantis(anvil.url);
  service = await startAvantisService(d, { rpcUrl: anvil.url });
  ({ stats, actions } = await runSimulatorSteps(
    {
      rpcUrl: anvil.url,
      deployment: d,
      seed: 42,
      traders: 12,
      v2: { submit: serviceSubmitter(service.server.batchedMarketUrl), keeper: 'external' },
      beforeTick: async (tick) => {
        if (tick === UPGRADE_TICK) {
          await upgradeToV2(d, { keepers: [d.keeper.address, d.deployer.address, serviceKeeperAddress()] });
        }
        // Give the service's keeper a moment to fill what the last tick registered.
        if (tick > UPGRADE_TICK) await new Promise((r) => setTimeout(r, 250));
      },
    },
    STEPS,
  ));
}, 120_000);

afterAll(async () => {
  await service?.close();
  await anvil?.stop();
});

describe('the simulator through the batched-market service', () => {
  it('trades every v2 kind, filled by the service’s keeper a block after the relayer registered it', async () => {
    expect(stats.upgradedAtTick).toBe(UPGRADE_TICK);
    // The only refusals are races with the service's keeper: a close or increase of a trade it
    // just liquidated or took profit on (NoTrade), which a trader cannot see coming; when the
    // keeper's fill lands between the relayer's simulation and its transaction, the transaction
    // reverts on chain and the service says TX_NOT_EXECUTED, as Avantis' does.
    const refusals = actions.filter((a) => / -> refused /.test(a));
    expect(refusals).toHaveLength(stats.refused);
    for (const r of refusals)
      expect(r).toMatch(
        /(close|increase) .* -> refused (NoTrade|PositionMismatch|WrongAmount|TX_NOT_EXECUTED)$/,
      );
    expect(stats.refused).toBeLessThan(5);
    expect(stats.errors).toBe(0);
    expect(stats.reverted).toBe(0);
    expect(stats.increases).toBeGreaterThan(0);
    expect(stats.marginUpdates).toBeGreaterThan(0);

    const from = (await findUpgradeBlock(d.provider, d.addresses, d.deployBlock)) ?? 0;
    const logs = await d.provider.getLogs({
      address: [d.addresses.trading, d.addresses.tradingCallbacks],
      fromBlock: from,
      toBlock: 'latest',
    });
    const events = decodeV2Logs(logs, d.addresses);
    const registered = v2EventsOf(events, 'Trading.MarketOrderInitiated');
    const executed = v2EventsOf(events, 'TradingCallbacks.MarketExecuted');
    expect(executed.filter((e) => e.open).length).toBeGreaterThan(0);
    expect(executed.filter((e) => !e.open).length).toBeGreaterThan(0);
    expect(v2EventsOf(events, 'TradingCallbacks.LimitExecuted').length).toBeGreaterThan(0);

    const relayer = devWallet(SERVICE_ACCOUNTS.relayer).address;
    const keeper = serviceKeeperAddress();
    const senderOf = async (hash: string) => (await d.provider.getTransaction(hash))?.from;
    for (const e of registered.slice(0, 10)) expect(await senderOf(e.transactionHash)).toBe(relayer);
    for (const e of executed.slice(0, 10)) expect(await senderOf(e.transactionHash)).toBe(keeper);
    const at = new Map(registered.map((e) => [e.orderId, e.blockNumber]));
    for (const e of executed) expect(e.blockNumber).toBeGreaterThan(at.get(e.orderId) ?? Infinity);
  });
});
