// `npm run faucet` against a private anvil described by a stack file like `npm start` writes: the
// address gets ETH, local USDC and an unlimited approval to TradingStorage without its key, the one
// JSON line says so, and mistakes are usage errors that change nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USDC_UNIT } from '../../../local/chain/abi.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { deployAvantis, type DeployedAvantis } from '../../../local/chain/deploy.js';

const run = promisify(execFile);
let anvil: Anvil;
let d: DeployedAvantis;
let stackFile: string;

async function faucet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('npx', ['tsx', 'local/cli/faucet.ts', ...args], {
    env: { ...process.env, ALFA_STACK_FILE: stackFile },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

beforeAll(async () => {
  anvil = await startAnvil();
  d = await deployAvantis(anvil.url);
  stackFile = path.join(mkdtempSync(path.join(tmpdir(), 'alfa-faucet-')), 'stack.json');
  writeFileSync(
    stackFile,
    JSON.stringify({ endpoints: { rpc: anvil.url }, chain: { mode: 'local', addresses: d.addresses } }),
  );
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('npm run faucet', () => {
  it('gives ETH, USDC and the TradingStorage approval to an address it has no key for', async () => {
    const who = Wallet.createRandom().address;
    const out = await faucet(who, '2500.5');
    expect(out.code, out.stderr).toBe(0);
    const line = JSON.parse(out.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      address: who,
      eth: '100',
      usdc: '2500.5',
      usdcRaw: '2500500000',
      approved: { spender: d.addresses.tradingStorage, amount: 'unlimited' },
    });
    expect(await d.provider.getBalance(who)).toBeGreaterThan(99n * 10n ** 18n); // 100 less the approval's gas
    expect(BigInt(await d.contracts.usdc.getFunction('balanceOf')(who))).toBe(2500n * USDC_UNIT + 500_000n);
    expect(BigInt(await d.contracts.usdc.getFunction('allowance')(who, d.addresses.tradingStorage))).toBe(
      2n ** 256n - 1n,
    );
  }, 60_000);

  it('refuses a bad address or amount with the usage, changing nothing', async () => {
    const bad = await faucet('0x1234');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an address[\s\S]*usage: npm run faucet/);
    const who = Wallet.createRandom().address;
    const amount = await faucet(who, '-5');
    expect(amount.code).toBe(2);
    expect(await d.provider.getBalance(who)).toBe(0n);
  }, 60_000);
});
