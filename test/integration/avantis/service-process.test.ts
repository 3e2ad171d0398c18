// The local Avantis service in a process of its own (local/avantis/service-process.ts), as the
// stack runs it: forked with the deployment, answering over HTTP with the URLs it reported, its
// log lines reaching the parent, and gone after close().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { deployAvantis, upgradeToV2, type DeployedAvantis } from '../../../local/chain/deploy.js';
import { serviceKeeperAddress } from '../../../local/avantis/local-service.js';
import {
  startAvantisServiceProcess,
  type AvantisServiceProcess,
} from '../../../local/avantis/service-process.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Function: startAvantisServiceProcess', () => {
  let anvil: Anvil;
  let d: DeployedAvantis;
  let service: AvantisServiceProcess | undefined;
  beforeAll(async () => {
    anvil = await startAnvil();
    d = await deployAvantis(anvil.url);
    await upgradeToV2(d, { keepers: [d.keeper.address, d.deployer.address, serviceKeeperAddress()] });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await anvil?.stop();
  });

  it('serves the deployment from a child process and stops with close()', async () => {
    // Act
    service = await startAvantisServiceProcess(d, { rpcUrl: anvil.url });
    const info = service.info(7);
    const meta = await fetch(`${info.batchedMarketUrl}/v2/meta`);
    const price = await fetch(`${info.pricesUrl}/0`);

    // Assess
    expect(service.pid).not.toBe(process.pid);
    expect(alive(service.pid)).toBe(true);
    expect(info).toMatchObject({
      rpcUrl: anvil.url,
      chainId: d.chainId,
      tradingRouter: d.addresses.tradingRouter,
      usdc: d.addresses.usdc,
      upgradeBlock: 7,
      contracts: d.addresses,
    });
    expect(meta.status).toBe(200);
    expect(price.status).toBe(200);
    expect(await price.json()).toMatchObject({ pairIndex: 0, price: expect.stringMatching(/^\d+$/) });

    const pid = service.pid;
    await service.close();
    service = undefined;
    expect(alive(pid)).toBe(false);
  }, 60_000);
});
