// `npm run faucet -- <address> [usdc]` funds a wallet on the running local chain (`npm start`, found
// via .local/stack.json) so anyone can trade by hand: 100 ETH for gas, `usdc` local USDC (default
// 10,000) minted to it, and an unlimited USDC approval to TradingStorage, the contract that pulls
// collateral in v1.5 and v2 alike. The approval has to come from the address itself: anvil sends it
// while impersonating the address, so no key is needed (a local-chain-only trick). Prints what it
// gave as one JSON line.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress, isAddress, parseUnits } from 'ethers';
import { z } from 'zod';
import { contractInterface, USDC_UNIT } from '../chain/abi.js';
import { devWallet, localProvider } from '../chain/deploy.js';
import { NonceSender, waitReceipt } from '../chain/tx.js';
import { UsageError, runCli } from './cli.js';

const USAGE = 'usage: npm run faucet -- <address> [usdc (default 10000)]';
const ETH_WEI = 100n * 10n ** 18n;
const DEFAULT_USDC = '10000';
/** Dev account that sends the mints: clear of the deployer, keepers, executor and simulator. */
const FAUCET_ACCOUNT = 40;
const MAX_UINT = 2n ** 256n - 1n;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ALFA_STACK_FILE points the faucet at another stack description (tests). */
const STACK_FILE = process.env.ALFA_STACK_FILE ?? path.join(ROOT, '.local', 'stack.json');

const address = z.string().refine((a) => isAddress(a), 'not an address');
/** The part of .local/stack.json the faucet needs (written by `npm start`). */
const StackFile = z.object({
  endpoints: z.object({ rpc: z.string().url() }),
  chain: z.object({
    mode: z.literal('local'),
    addresses: z.object({ usdc: address, tradingStorage: address }),
  }),
});

async function runningStack(): Promise<z.infer<typeof StackFile>> {
  let raw: string;
  try {
    raw = await readFile(STACK_FILE, 'utf8');
  } catch {
    throw new Error('no local stack is running (start one with `npm start`; .local/stack.json is missing)');
  }
  const parsed = StackFile.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    throw new Error(
      '.local/stack.json does not describe a local chain (is `npm start` running with RPC_URLS set?)',
    );
  }
  return parsed.data;
}

function parseArgs(argv: readonly string[]): { to: string; usdc: bigint; usdcText: string } {
  const [to, amount = DEFAULT_USDC, ...rest] = argv;
  if (!to) throw new UsageError('an address is required');
  if (rest.length) throw new UsageError(`unexpected argument "${String(rest[0]).slice(0, 80)}"`);
  if (!isAddress(to)) throw new UsageError(`"${String(to).slice(0, 80)}" is not an address`);
  if (!/^\d{1,12}(\.\d{1,6})?$/.test(amount)) {
    throw new UsageError(
      `usdc must be a positive amount with at most 6 decimals, got "${amount.slice(0, 80)}"`,
    );
  }
  const usdc = parseUnits(amount, 6);
  if (usdc === 0n) throw new UsageError('usdc must be more than 0');
  return { to: getAddress(to), usdc, usdcText: amount };
}

async function main(): Promise<void> {
  const { to, usdc, usdcText } = parseArgs(process.argv.slice(2));
  const stack = await runningStack();
  const provider = localProvider(stack.endpoints.rpc);
  const { usdc: token, tradingStorage } = stack.chain.addresses;
  const erc20 = contractInterface('MockUSDC');

  const before = BigInt(await provider.getBalance(to));
  await provider.send('anvil_setBalance', [to, `0x${(before + ETH_WEI).toString(16)}`]);

  const minter = devWallet(FAUCET_ACCOUNT, provider);
  await provider.send('anvil_setBalance', [minter.address, `0x${ETH_WEI.toString(16)}`]);
  const mint = await new NonceSender(minter, provider).sendAndWait({
    to: token,
    data: erc20.encodeFunctionData('mint', [to, usdc]),
    gasLimit: 120_000n,
  });
  if (mint.status !== 1) throw new Error(`minting USDC reverted (${mint.hash})`);

  // Only the owner can approve; anvil lets us send as it without its key.
  await provider.send('anvil_impersonateAccount', [to]);
  let approveHash: string;
  try {
    approveHash = (await provider.send('eth_sendTransaction', [
      {
        from: to,
        to: token,
        data: erc20.encodeFunctionData('approve', [tradingStorage, MAX_UINT]),
        gas: '0x30d40',
      },
    ])) as string;
  } finally {
    await provider.send('anvil_stopImpersonatingAccount', [to]);
  }
  const approve = await waitReceipt(provider, approveHash);
  if (approve.status !== 1) throw new Error(`approving TradingStorage reverted (${approve.hash})`);

  const [balance] = erc20.decodeFunctionResult(
    'balanceOf',
    await provider.call({ to: token, data: erc20.encodeFunctionData('balanceOf', [to]) }),
  );
  process.stdout.write(
    `${JSON.stringify({
      address: to,
      eth: '100',
      usdc: usdcText,
      usdcRaw: usdc.toString(),
      usdcBalance: (BigInt(balance as bigint) / USDC_UNIT).toString(),
      approved: { spender: tradingStorage, amount: 'unlimited' },
      transactions: { mint: mint.hash, approve: approve.hash },
    })}\n`,
  );
}

runCli(main, USAGE);
