// The market simulator on private anvils, across the v1.5 → v2 upgrade: before it, a few dozen
// ticks open, partially close, close, move TP/SL and trigger TP/SL/liquidations v1-style; after it
// the same traders (a third through delegates) trade with signed intents filled a block later,
// increase positions, move margin and TP/SL, and get cancelled. The chain's events of each era agree with the
// simulator's counts, and the same seed replays the same actions and fills on a second chain.
import type { Log } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractInterface } from '../../../local/chain/abi.js';
import type { ContractName } from '../../../local/chain/compile.js';
import {
  deployAvantis,
  findUpgradeBlock,
  localProvider,
  upgradeToV2,
  type DeployedAvantis,
} from '../../../local/chain/deploy.js';
import { V2_PAIRS } from '../../../local/chain/pairs-v2.js';
import { decodeV2Logs, v2EventsOf } from '../../../local/chain/v2.js';
import {
  runSimulatorSteps,
  startSimulator,
  type SimulatorStats,
} from '../../../local/simulator/simulator.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';

const STEPS = 170;
const UPGRADE_TICK = 70;
const TRADERS = 16; // every style is among the first 16; the default is 32
const SEED = 42;
/**
 * Rollover and funding accrue per second of block time, which differs between two runs by a second
 * here and there; without them every amount is a function of the seed alone. (Their arithmetic is
 * tested in avantis-v2.test.ts.)
 */
const TIMELESS_PAIRS = V2_PAIRS.map((p) => ({ ...p, rolloverFeePerHourP: 0n, fundingFeePerHourP: 0n }));

interface Run {
  readonly anvil: Anvil;
  readonly d: DeployedAvantis;
  readonly stats: SimulatorStats;
  readonly actions: string[];
  readonly upgradeBlock: number;
}

let runs: Run[] = [];

async function run(seed: number): Promise<Run> {
  const anvil = await startAnvil();
  const d = await deployAvantis(anvil.url);
  const { stats, actions } = await runSimulatorSteps(
    {
      rpcUrl: anvil.url,
      deployment: d,
      seed,
      traders: TRADERS,
      beforeTick: async (tick) => {
        if (tick === UPGRADE_TICK) await upgradeToV2(d, { pairs: TIMELESS_PAIRS });
      },
    },
    STEPS,
  );
  const upgradeBlock = await findUpgradeBlock(d.provider, d.addresses, d.deployBlock);
  if (upgradeBlock === undefined) throw new Error('the chain was not upgraded');
  return { anvil, d, stats, actions, upgradeBlock };
}

async function logsOf(
  r: Run,
  contract: ContractName,
  events: string[],
  fromBlock: number,
  toBlock: number | 'latest',
): Promise<Log[]> {
  const iface = contractInterface(contract);
  const topics = events.map((e) => {
    const ev = iface.getEvent(e);
    if (!ev) throw new Error(`${contract} has no ${e}`);
    return ev.topicHash;
  });
  return r.d.provider.getLogs({
    address: r.d.addresses.tradingCallbacks,
    topics: [topics],
    fromBlock,
    toBlock,
  });
}

beforeAll(async () => {
  // Two chains side by side: anvil mines one transaction at a time, two of them halve the wait.
  runs = await Promise.all([run(SEED), run(SEED)]);
}, 180_000);

afterAll(async () => {
  await Promise.all(runs.map((r) => r.anvil.stop()));
});

describe('market simulator', () => {
  it('trades every kind of event across the upgrade, nothing reverted', () => {
    const s = runs[0]?.stats;
    expect(s).toBeDefined();
    if (!s) return;
    expect(s.ticks).toBe(STEPS);
    expect(s.upgradedAtTick).toBe(UPGRADE_TICK);
    expect(s.opens).toBeGreaterThan(50);
    expect(s.partialCloses).toBeGreaterThan(0);
    expect(s.fullCloses).toBeGreaterThan(0);
    expect(s.tp).toBeGreaterThan(0);
    expect(s.sl).toBeGreaterThan(0);
    expect(s.liq).toBeGreaterThan(0);
    expect(s.tpSlUpdates).toBeGreaterThan(0); // v1.5 calls, then v2 UpdateTpSlReq intents
    expect(s.increases).toBeGreaterThan(0); // v2 only
    expect(s.marginUpdates).toBeGreaterThan(0);
    expect(s.canceledOpens).toBeGreaterThan(0);
    expect(s.delegates).toBe(Math.floor((TRADERS + 1) / 3));
    expect(s.reverted).toBe(0);
    expect(s.errors).toBe(0);
  });

  it('is deterministic: the same seed gives the same actions and fills on another chain', () => {
    const [a, b] = runs;
    expect(a?.actions.length).toBeGreaterThan(STEPS);
    expect(b?.actions).toEqual(a?.actions);
  });

  it('what each era logged matches what the simulator counted', async () => {
    const r = runs[0];
    if (!r) throw new Error('no run');
    const v1 = contractInterface('TradingCallbacks');
    let opens = 0;
    let closes = 0;
    const byType = [0, 0, 0];
    for (const log of await logsOf(
      r,
      'TradingCallbacks',
      ['MarketExecuted', 'LimitExecuted'],
      r.d.deployBlock,
      r.upgradeBlock,
    )) {
      const parsed = v1.parseLog(log);
      if (parsed?.name === 'MarketExecuted') {
        if (parsed.args.getValue('open')) opens += 1;
        else closes += 1;
      } else if (parsed?.name === 'LimitExecuted') {
        const t = Number(parsed.args.getValue('orderType'));
        byType[t] = (byType[t] ?? 0) + 1;
      }
    }
    const v1Opens = opens;
    const v1Limits = byType.reduce((x, y) => x + y, 0);
    const logs = await r.d.provider.getLogs({
      address: [r.d.addresses.trading, r.d.addresses.tradingCallbacks],
      fromBlock: r.upgradeBlock,
      toBlock: 'latest',
    });
    const v2 = decodeV2Logs(logs, r.d.addresses);
    const executed = v2EventsOf(v2, 'TradingCallbacks.MarketExecuted');
    const limits = v2EventsOf(v2, 'TradingCallbacks.LimitExecuted');
    opens += executed.filter((e) => e.open).length;
    closes += executed.filter((e) => !e.open).length;
    for (const l of limits) byType[l.orderType] = (byType[l.orderType] ?? 0) + 1;

    expect(v1Opens).toBeGreaterThan(0);
    expect(v1Limits).toBeGreaterThan(0);
    expect(executed.filter((e) => e.open).length).toBeGreaterThan(0);
    expect(limits.length).toBeGreaterThan(0);
    expect(opens).toBe(r.stats.opens);
    expect(closes).toBe(r.stats.partialCloses + r.stats.fullCloses);
    expect(byType).toEqual([r.stats.tp, r.stats.sl, r.stats.liq]);
    expect(v2EventsOf(v2, 'TradingCallbacks.MarketOpenCanceled')).toHaveLength(r.stats.canceledOpens);
    expect(v2EventsOf(v2, 'TradingCallbacks.PositionSizeIncreased')).toHaveLength(r.stats.increases);
    expect(v2EventsOf(v2, 'Trading.MarginUpdated')).toHaveLength(r.stats.marginUpdates);
    expect(v2EventsOf(v2, 'Trading.TpUpdated').length).toBeGreaterThan(0);
    // Every v2 fill came a block after its registration.
    const registered = new Map(
      v2EventsOf(v2, 'Trading.MarketOrderInitiated').map((e) => [e.orderId, e.blockNumber]),
    );
    for (const e of executed) expect(e.blockNumber).toBeGreaterThan(registered.get(e.orderId) ?? Infinity);
  });

  it('startSimulator ticks on its own until stopped', { timeout: 40_000 }, async () => {
    const r = runs[0];
    if (!r) throw new Error('no run');
    const lines: string[] = [];
    const sim = await startSimulator({
      rpcUrl: r.anvil.url,
      deployment: r.d,
      seed: 7,
      tickMs: 20,
      traders: 8,
      firstTraderAccount: 200,
      log: (l) => lines.push(l),
    });
    // Several ticks, however busy the machine is.
    for (let waited = 0; sim.stats().ticks <= 3 && waited < 20_000; waited += 100) {
      await new Promise((res) => setTimeout(res, 100));
    }
    await sim.stop();
    const s = sim.stats();
    expect(s.ticks).toBeGreaterThan(3);
    expect(s.upgradedAtTick).toBe(1); // this chain already runs v2
    expect(s.errors).toBe(0);
    expect(lines[0]).toMatch(/8 traders funded/);
    const after = await localProvider(r.anvil.url).getBlockNumber();
    await new Promise((res) => setTimeout(res, 100));
    expect(await localProvider(r.anvil.url).getBlockNumber()).toBe(after); // really stopped
  });
});
