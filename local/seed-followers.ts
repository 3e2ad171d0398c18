// Followers seeded straight into a running local stack, for the drills and the copy benchmark: the
// users and follows items the bot would have written, and for AUTO followers a fresh wallet on the
// local chain with gas, USDC, the TradingStorage approval and a setDelegate to the user's own Alfa
// delegate (asked of the delegate-address function, as the bot does), linked through the user
// store as /wallet does. One place, so a change to what a follower is reaches every caller.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Interface, Wallet } from 'ethers';
import { z } from 'zod';
import { batchWrite } from '#core/adapters/dynamo/batch.js';
import { followToItem } from '#core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '#core/adapters/dynamo/user-store.js';
import { toJson } from '#core/codec.js';
import { newFollow, type Sizing } from '#core/domain/follows.js';
import { defaultRiskPolicy } from '#core/domain/risk.js';
import { localProvider } from './chain/deploy.js';
import { NonceSender, setBalance, waitReceipt } from './chain/tx.js';
import { pool } from './drills/result.js';
import type { LocalStackInfo } from './stack.js';

const USDC = 1_000_000n;
/** AUTO followers set up at once: each is four transactions and a delegate-address invoke. */
const CONCURRENCY = 20;

export interface SeedFollowersOptions {
  /** The trader each follower follows (lower case), in user-id order: one follower per entry. */
  readonly follows: readonly string[];
  /** The first `auto` followers copy (AUTO, with a wallet); the rest get alerts only. Default: all. */
  readonly auto?: number;
  /** The first user id; the others follow it one by one. Default: a random base, so runs never share. */
  readonly baseId?: number;
  /** USDC minted to each AUTO wallet (1e6). Default 1,000 USDC. */
  readonly walletUsdc?: bigint;
  /** Default: the follow's own default (25 USDC per copy). */
  readonly sizing?: Sizing;
  readonly log?: (line: string) => void;
}

export interface SeededFollower {
  readonly userId: string;
  readonly trader: string;
  readonly mode: 'AUTO' | 'ALERTS';
  /** The linked wallet (lower case); empty for ALERTS followers. */
  readonly wallet: string;
}

const DelegateAnswer = z.object({ userId: z.string(), delegate: z.string() });

/** The user's Alfa delegate address, from the function that holds the key. */
async function delegateOf(info: LocalStackInfo, userId: string): Promise<string> {
  const res = await fetch(info.delegates.invokeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!res.ok) throw new Error(`delegate-address answered ${res.status} for user ${userId}`);
  return DelegateAnswer.parse(await res.json()).delegate;
}

const ERC20 = new Interface([
  'function mint(address,uint256)',
  'function approve(address,uint256) returns (bool)',
]);
const ROUTER = new Interface(['function setDelegate(address,uint256)', 'error NotLive()']);
/** How long seeding waits for the local chain's v2 upgrade (planned about a minute after start). */
const UPGRADE_WAIT_MS = 180_000;

/**
 * Waits until the TradingRouter takes a setDelegate: before the local v2 upgrade it is a
 * NotLiveRouter that reverts NotLive(), and a drill started right after `npm start` would see its
 * AUTO wallets' setup, and its traders' opens, revert.
 */
export async function waitForV2(
  chain: ReturnType<typeof localProvider>,
  router: string,
  expiry: number,
  log?: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + UPGRADE_WAIT_MS;
  const probe = Wallet.createRandom().address;
  const data = ROUTER.encodeFunctionData('setDelegate', [Wallet.createRandom().address, expiry]);
  let told = false;
  for (;;) {
    const notLive = await chain.call({ from: probe, to: router, data }).then(
      () => false,
      (err: unknown) => {
        const revert = (err as { data?: unknown }).data;
        if (typeof revert === 'string' && revert.startsWith(ROUTER.getError('NotLive')?.selector ?? '0x'))
          return true;
        throw err;
      },
    );
    if (!notLive) return;
    if (Date.now() > deadline)
      throw new Error(`the local chain's v2 upgrade has not happened after ${UPGRADE_WAIT_MS / 1000} s`);
    if (!told) log?.("waiting for the local chain's Avantis v2 upgrade (about a minute after npm start)");
    told = true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * Seeds `follows.length` followers with alerts on (the drill ledger reads their alert records) and
 * limits wide enough that the copy's own sizing decides, not the risk profile.
 */
export async function seedFollowers(
  info: LocalStackInfo,
  opts: SeedFollowersOptions,
): Promise<SeededFollower[]> {
  const avantis = info.avantis;
  if (!avantis || info.chain.mode !== 'local')
    throw new Error('seeding followers needs the local chain and its Avantis v2 service');
  const base = opts.baseId ?? 8_000_000_000 + Math.floor(Math.random() * 1e8) * 10_000;
  const auto = opts.auto ?? opts.follows.length;
  const followers: SeededFollower[] = opts.follows.map((trader, k) => ({
    userId: String(base + k),
    trader,
    mode: k < auto ? 'AUTO' : 'ALERTS',
    wallet: '',
  }));
  const dynamo = new DynamoDBClient({
    region: info.region,
    endpoint: info.endpoints.dynamodb,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const doc = DynamoDBDocumentClient.from(dynamo);
  const chain = localProvider(info.endpoints.rpc);
  const risk = {
    ...defaultRiskPolicy(),
    profile: 'CUSTOM' as const,
    maxLeverage: 50,
    maxPositionUsdc: 100_000n * USDC,
    capitalFloorUsdc: 0n,
    capitalCeilingUsdc: 1_000_000n * USDC,
  };
  try {
    await batchWrite(
      doc,
      info.tables.users,
      followers.map(({ userId }) => ({
        PutRequest: {
          Item: {
            userId,
            chatId: userId,
            firstName: 'Drill',
            active: true,
            risk: toJson(risk),
            paused: false,
          },
        },
      })),
    );
    const now = new Date();
    await batchWrite(
      doc,
      info.tables.follows,
      followers.map(({ userId, trader, mode }) => ({
        PutRequest: {
          Item: followToItem({
            ...newFollow(userId, userId, trader, now),
            mode,
            ...(opts.sizing ? { sizing: opts.sizing } : {}),
            maxLeverage: 50,
            maxPositionUsdc: 100_000n * USDC,
          }),
        },
      })),
    );
    const autos = followers.filter((f) => f.mode === 'AUTO');
    opts.log?.(
      `seeded ${followers.length} followers of ${new Set(opts.follows).size} traders; ` +
        `funding ${autos.length} AUTO wallets`,
    );
    const users = new DynamoUserStore(doc, info.tables.users);
    const expiry = ((await chain.getBlock('latest'))?.timestamp ?? 0) + 86_400;
    if (autos.length > 0) await waitForV2(chain, avantis.tradingRouter, expiry, opts.log);
    const mint = opts.walletUsdc ?? 1_000n * USDC;
    const linked = await pool(autos, CONCURRENCY, async (f) => {
      const wallet = Wallet.createRandom();
      const sender = new NonceSender(wallet, chain);
      await setBalance(chain, wallet.address, 10n ** 18n);
      const delegate = await delegateOf(info, f.userId);
      // Sent back to back (local nonces), then waited for together: one block for all three.
      const hashes = [
        await sender.send({
          to: avantis.usdc,
          data: ERC20.encodeFunctionData('mint', [wallet.address, mint]),
          gasLimit: 200_000n,
        }),
        await sender.send({
          to: avantis.usdc,
          data: ERC20.encodeFunctionData('approve', [avantis.contracts.tradingStorage, 2n ** 256n - 1n]),
          gasLimit: 200_000n,
        }),
        await sender.send({
          to: avantis.tradingRouter,
          data: ROUTER.encodeFunctionData('setDelegate', [delegate, expiry]),
          gasLimit: 300_000n,
        }),
      ];
      const receipts = await Promise.all(hashes.map((h) => waitReceipt(chain, h)));
      if (!receipts.every((r) => r.status === 1))
        throw new Error(`the wallet setup of follower ${f.userId} reverted or was not mined`);
      const address = wallet.address.toLowerCase();
      if ((await users.claimWallet(f.userId, address)) !== 'LINKED')
        throw new Error(`wallet of follower ${f.userId} not linked`);
      return { ...f, wallet: address };
    });
    const byId = new Map(linked.map((f) => [f.userId, f]));
    return followers.map((f) => byId.get(f.userId) ?? f);
  } finally {
    dynamo.destroy();
    chain.destroy();
  }
}

/** The ids of seeded followers, as the drill ledger takes them. */
export const userIds = (followers: readonly SeededFollower[]): Set<string> =>
  new Set(followers.map((f) => f.userId));

/** `count` follows spread over `traders`: follower k follows traders[k % traders.length]. */
export function roundRobin(traders: readonly string[], count: number): string[] {
  if (traders.length === 0) throw new Error('no trader to follow');
  return Array.from({ length: count }, (_, k) => traders[k % traders.length] as string);
}

/**
 * Removes the follows of seeded followers (the users stay, as after /unfollow), so a drill that
 * followed the simulator's own traders does not leave its followers' alerts and copies loading the
 * next drill on the same stack. Their open copies still have their closes mirrored, as for any
 * unfollow.
 */
export async function unseedFollowers(
  info: LocalStackInfo,
  followers: readonly Pick<SeededFollower, 'userId' | 'trader'>[],
): Promise<void> {
  if (followers.length === 0) return;
  const dynamo = new DynamoDBClient({
    region: info.region,
    endpoint: info.endpoints.dynamodb,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    await batchWrite(
      DynamoDBDocumentClient.from(dynamo),
      info.tables.follows,
      followers.map(({ userId, trader }) => ({ DeleteRequest: { Key: { userId, trader } } })),
    );
  } finally {
    dynamo.destroy();
  }
}
