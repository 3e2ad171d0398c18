// The running stack's upgrade schedule on a private anvil with 1 s blocks (as npm start runs it):
// the v1.5 → v2 upgrade lands at the planned block (never before it), and the service's keeper is
// a keeper from that block on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractInterface } from '../../../local/chain/abi.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import {
  deployAvantis,
  findUpgradeBlock,
  isUpgradedToV2,
  type DeployedAvantis,
} from '../../../local/chain/deploy.js';
import { scheduleUpgrade, serviceKeeperAddress } from '../../../local/avantis/local-service.js';

let anvil: Anvil;
let d: DeployedAvantis;

beforeAll(async () => {
  anvil = await startAnvil({ blockTimeSeconds: 1, name: 'anvil (upgrade schedule)' });
  d = await deployAvantis(anvil.url);
}, 60_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('the scheduled v2 upgrade', () => {
  it('lands at the planned block, not before, with the service keeper registered', async () => {
    // Prepare
    const planned = (await d.provider.getBlockNumber()) + 4;
    // Act
    const schedule = scheduleUpgrade(d, planned);
    const landed = await schedule.done;
    // Assess
    expect(landed).toBeGreaterThanOrEqual(planned);
    // Two cores shared with other work may push it a block late, never more.
    expect(landed).toBeLessThanOrEqual(planned + 1);
    expect(await findUpgradeBlock(d.provider, d.addresses)).toBe(landed);
    expect(await isUpgradedToV2(d.provider, d.addresses)).toBe(true);
    const iface = contractInterface('TradingCallbacksV2');
    const out = await d.provider.call({
      to: d.addresses.tradingCallbacks,
      data: iface.encodeFunctionData('isKeeper', [serviceKeeperAddress()]),
    });
    expect(BigInt(out)).toBe(1n);
  }, 30_000);
});
