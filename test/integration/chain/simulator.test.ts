// The market simulator on private anvils: a few hundred ticks open, partially close, close and
// trigger TP/SL/liquidations on the local Avantis contracts, the chain's events agree with its
// counts, and the same seed replays the same actions and fills on a second chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractInterface } from '../../../local/chain/abi.js';
import { deployAvantis, localProvider, type DeployedAvantis } from '../../../local/chain/deploy.js';
import {
  runSimulatorSteps,
  startSimulator,
  type SimulatorStats,
} from '../../../local/simulator/simulator.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';

const STEPS = 200;
const TRADERS = 16; // every style is among the first 16; the default is 32
const SEED = 42;

interface Run {
  readonly anvil: Anvil;
  readonly d: DeployedAvantis;
  readonly stats: SimulatorStats;
  readonly actions: string[];
}

let runs: Run[] = [];

async function run(seed: number): Promise<Run> {
  const anvil = await startAnvil();
  const d = await deployAvantis(anvil.url);
  const { stats, actions } = await runSimulatorSteps(
    { rpcUrl: anvil.url, deployment: d, seed, traders: TRADERS },
    STEPS,
  );
  return { anvil, d, stats, actions };
}

beforeAll(async () => {
  // Two chains side by side: anvil mines one transaction at a time, two of them halve the wait.
  runs = await Promise.all([run(SEED), run(SEED)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(runs.map((r) => r.anvil.stop()));
});

describe('market simulator', () => {
  it('trades: opens, partial closes, full closes, TP/SL/liquidations, TP/SL updates, nothing reverted', () => {
    const s = runs[0]?.stats;
    expect(s).toBeDefined();
    if (!s) return;
    expect(s.ticks).toBe(STEPS);
    expect(s.opens).toBeGreaterThan(50);
    expect(s.partialCloses).toBeGreaterThan(0);
    expect(s.fullCloses).toBeGreaterThan(0);
    expect(s.tp).toBeGreaterThan(0);
    expect(s.sl).toBeGreaterThan(0);
    expect(s.liq).toBeGreaterThan(0);
    expect(s.tpSlUpdates).toBeGreaterThan(0);
    expect(s.reverted).toBe(0);
    expect(s.errors).toBe(0);
  });

  it('is deterministic: the same seed gives the same actions and fills on another chain', () => {
    const [a, b] = runs;
    expect(a?.actions.length).toBeGreaterThan(STEPS);
    expect(b?.actions).toEqual(a?.actions);
  });

  it('what the chain logged matches what the simulator counted', async () => {
    const r = runs[0];
    if (!r) throw new Error('no run');
    const callbacks = contractInterface('TradingCallbacks');
    const market = callbacks.getEvent('MarketExecuted');
    const limit = callbacks.getEvent('LimitExecuted');
    if (!market || !limit) throw new Error('ABI without MarketExecuted/LimitExecuted');
    const logs = await r.d.provider.getLogs({
      address: r.d.addresses.tradingCallbacks,
      topics: [[market.topicHash, limit.topicHash]],
      fromBlock: r.d.deployBlock,
      toBlock: 'latest',
    });
    let opens = 0;
    let closes = 0;
    const byType = [0, 0, 0];
    for (const log of logs) {
      const parsed = callbacks.parseLog(log);
      if (parsed?.name === 'MarketExecuted') {
        if (parsed.args.getValue('open')) opens += 1;
        else closes += 1;
      } else if (parsed?.name === 'LimitExecuted') {
        const t = Number(parsed.args.getValue('orderType'));
        byType[t] = (byType[t] ?? 0) + 1;
      }
    }
    expect(opens).toBe(r.stats.opens);
    expect(closes).toBe(r.stats.partialCloses + r.stats.fullCloses);
    expect(byType).toEqual([r.stats.tp, r.stats.sl, r.stats.liq]);
  });

  it('startSimulator ticks on its own until stopped', async () => {
    const r = runs[0];
    if (!r) throw new Error('no run');
    const lines: string[] = [];
    const sim = await startSimulator({
      rpcUrl: r.anvil.url,
      deployment: r.d,
      seed: 7,
      tickMs: 20,
      traders: 8,
      log: (l) => lines.push(l),
    });
    await new Promise((res) => setTimeout(res, 600));
    await sim.stop();
    const s = sim.stats();
    expect(s.ticks).toBeGreaterThan(3);
    expect(s.opens).toBeGreaterThan(0);
    expect(s.errors).toBe(0);
    expect(lines[0]).toMatch(/8 traders funded/);
    const after = await localProvider(r.anvil.url).getBlockNumber();
    await new Promise((res) => setTimeout(res, 100));
    expect(await localProvider(r.anvil.url).getBlockNumber()).toBe(after); // really stopped
  });
});
