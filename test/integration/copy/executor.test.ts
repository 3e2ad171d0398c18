// The copy executor on a private anvil with the local Avantis contracts: delegatedAction opens for
// a user who delegated, a simulated revert for one who did not, and replacing a stuck send with
// the same nonce and a higher fee leaves exactly one trade.
import { KMSClient } from '@aws-sdk/client-kms';
import { HDNodeWallet, JsonRpcProvider, verifyMessage } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyExecutor } from '../../../layers/core/adapters/chain/executor.js';
import { KmsSigner } from '../../../layers/core/adapters/chain/kms-signer.js';
import { startControlPlane } from '../../../local/standins/aws-control-plane.js';
import { contractInterface, toTrade } from '../../../local/chain/abi.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { DEV_MNEMONIC, deployAvantis, type DeployedAvantis } from '../../../local/chain/deploy.js';
import { LocalTrader, USDC_UNIT } from '../../../local/chain/trader.js';

let anvil: Anvil;
let avantis: DeployedAvantis;
let provider: JsonRpcProvider;
let executor: CopyExecutor;
const P = 10n ** 10n;
const noLease = { withLease: <T>(_e: string, fn: () => Promise<T>) => fn() };

async function openTrades(wallet: string, pairIndex: number, index: number) {
  const iface = contractInterface('TradingStorage');
  const raw = await provider.call({
    to: avantis.addresses.tradingStorage,
    data: iface.encodeFunctionData('openTrades', [wallet, pairIndex, index]),
  });
  return toTrade(iface.decodeFunctionResult('openTrades', raw)[0]);
}

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (executor test)' });
  avantis = await deployAvantis(anvil.url);
  provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const key = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/9").privateKey;
  executor = await CopyExecutor.create(anvil.url, { privateKey: key }, avantis.deployment, noLease);
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await anvil?.stop();
});

describe('Class: CopyExecutor', () => {
  it('opens for a user who delegated; simulation catches one who did not', async () => {
    const user = await LocalTrader.create(anvil.url, avantis.addresses, 300, 1_000n * USDC_UNIT);
    const stranger = await LocalTrader.create(anvil.url, avantis.addresses, 301, 1_000n * USDC_UNIT);
    await user.delegateTo(executor.address);
    const price = await user.price(1);
    const order = (who: string) =>
      executor.openCalldata({
        user: who,
        pairIndex: 1,
        buy: true,
        leverage: 5n * P,
        collateralUsdc: 50n * USDC_UNIT,
        wantedPrice: price,
      });
    const data = order(user.address);
    expect(await executor.simulate(data)).toBeUndefined();
    expect(await executor.simulate(order(stranger.address))).toMatch(/DELEGATE_NOT_APPROVED/);

    const sent = await executor.send(data);
    expect(await waitMined(sent.txHash)).toBe('MINED');
    expect((await openTrades(user.address, 1, 0)).leverage).toBe(5n * P);
  });

  it('replaces a stuck send: same nonce, higher fee, one trade', async () => {
    const user = await LocalTrader.create(anvil.url, avantis.addresses, 302, 1_000n * USDC_UNIT);
    await user.delegateTo(executor.address);
    const data = executor.openCalldata({
      user: user.address,
      pairIndex: 0,
      buy: false,
      leverage: 3n * P,
      collateralUsdc: 60n * USDC_UNIT,
      wantedPrice: await user.price(0),
    });
    await provider.send('evm_setAutomine', [false]);
    try {
      const first = await executor.send(data);
      const again = await executor.send(data, { nonce: first.nonce, bumpFrom: BigInt(first.maxFeePerGas) });
      expect(again.nonce).toBe(first.nonce);
      expect(BigInt(again.maxFeePerGas)).toBeGreaterThan((BigInt(first.maxFeePerGas) * 5n) / 4n);
      await provider.send('evm_mine', []);

      expect(await executor.receiptStatus(again.txHash)).toBe('MINED');
      expect(await executor.receiptStatus(first.txHash)).toBe('PENDING'); // replaced: never mined
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
    expect((await openTrades(user.address, 0, 0)).initialPosToken).toBeGreaterThan(0n);
    expect((await openTrades(user.address, 0, 1)).leverage).toBe(0n); // no second trade
  });
});

describe('Class: KmsSigner', () => {
  it('signs the executor’s copies with a key held in KMS (stand-in), to the same address and effect', async () => {
    const key = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/8");
    const plane = await startControlPlane({ kmsKeys: { 'alfa-executor': key.privateKey } });
    try {
      const kms = new KMSClient({
        region: 'us-east-1',
        endpoint: plane.url,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      const viaKms = await CopyExecutor.create(
        anvil.url,
        { kms, keyId: 'alfa-executor' },
        avantis.deployment,
        noLease,
      );
      expect(viaKms.address).toBe(key.address.toLowerCase());
      const signer = new KmsSigner(kms, 'alfa-executor');
      expect(verifyMessage('alfa', await signer.signMessage('alfa'))).toBe(key.address);

      const user = await LocalTrader.create(anvil.url, avantis.addresses, 303, 1_000n * USDC_UNIT);
      await user.delegateTo(viaKms.address);
      const data = viaKms.openCalldata({
        user: user.address,
        pairIndex: 2,
        buy: true,
        leverage: 4n * P,
        collateralUsdc: 40n * USDC_UNIT,
        wantedPrice: await user.price(2),
      });
      const sent = await viaKms.send(data);

      expect(await waitMined(sent.txHash, viaKms)).toBe('MINED');
      expect((await openTrades(user.address, 2, 0)).leverage).toBe(4n * P);
    } finally {
      await plane.close();
    }
  });
});

async function waitMined(txHash: string, by: CopyExecutor = executor): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const status = await by.receiptStatus(txHash);
    if (status !== 'PENDING') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'PENDING';
}
