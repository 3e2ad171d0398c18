// The traffic the copy drills (emergency, avantis, telegram) make against a running local stack:
// local traders with their own funded wallets, AUTO followers each with a wallet that delegated to
// their own Alfa key (asked of the delegate-address function, as the bot does), seeded straight
// into the users and follows tables, and bursts of trader opens through the batched-market
// service. Also the operator's admin calls (the admin function through the Lambda Invoke API).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Contract, Wallet, type JsonRpcProvider } from 'ethers';
import { z } from 'zod';
import { batchWrite } from '../../layers/core/adapters/dynamo/batch.js';
import { toJson } from '../../layers/core/codec.js';
import { followToItem } from '../../layers/core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { invokeFunction } from '../../layers/core/adapters/lambda/invoke.js';
import { adminResponseSchema, type AdminRequestInput } from '../../layers/core/admin/requests.js';
import { newFollow } from '../../layers/core/domain/follows.js';
import { defaultRiskPolicy } from '../../layers/core/domain/risk.js';
import { physicalName } from '../../layers/core/resources.js';
import { P, USDC, V2Account, price, provider } from '../../test/support/v2-trading.js';
import { setBalance } from '../chain/tx.js';
import type { AvantisInfo } from '../avantis/local-service.js';
import type { LocalStackInfo } from '../stack.js';
import { ledgerResult } from './harness.js';
import { ledgerClients, type Ledger } from './ledger.js';
import type { DrillResult } from './result.js';
import { pool } from './result.js';

export { P, USDC };

export interface Follower {
  readonly userId: string;
  readonly trader: string;
  readonly wallet: string;
}

export interface Traffic {
  readonly avantis: AvantisInfo;
  readonly chain: JsonRpcProvider;
  readonly traders: readonly V2Account[];
  readonly followers: readonly Follower[];
  readonly users: ReadonlySet<string>;
  close(): void;
}

const DelegateAnswer = z.object({ userId: z.string(), delegate: z.string() });

/** The user's Alfa delegate address, from the function that holds the key. */
async function delegateOf(info: LocalStackInfo, userId: string): Promise<string> {
  const res = await fetch(info.delegates.invokeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!res.ok) throw new Error(`delegate-address answered ${res.status}`);
  return DelegateAnswer.parse(await res.json()).delegate;
}

/**
 * `traders` fresh traders and `followersPerTrader` AUTO followers of each, LIVE-ready (wallet
 * funded, approved, delegated, linked). User ids start at `baseId` so drills never share users.
 */
export async function seedTraffic(
  info: LocalStackInfo,
  opts: {
    traders: number;
    followersPerTrader: number;
    baseId: number;
    followerUsdc?: bigint;
    /** ALERTS followers get alerts only: no wallet, nothing signed (works on a DRY stack). */
    mode?: 'AUTO' | 'ALERTS';
  },
): Promise<Traffic> {
  const avantis = info.avantis;
  if (!avantis) throw new Error('the stack has no local Avantis v2 service (RPC mode?)');
  const chain = provider(info.endpoints.rpc);
  const { doc, destroy } = ledgerClients(info);
  try {
    const traders = await pool(
      Array.from({ length: opts.traders }, (_, i) => i),
      4,
      () => V2Account.create(chain, avantis, 100_000n * USDC),
    );
    const followers: Follower[] = [];
    traders.forEach((t, ti) => {
      for (let k = 0; k < opts.followersPerTrader; k++)
        followers.push({
          userId: String(opts.baseId + ti * opts.followersPerTrader + k),
          trader: t.address,
          wallet: '',
        });
    });
    const risk = {
      ...defaultRiskPolicy(),
      profile: 'CUSTOM' as const,
      maxLeverage: 50,
      maxPositionUsdc: 100_000n * USDC,
      capitalFloorUsdc: 0n,
      capitalCeilingUsdc: 1_000_000n * USDC,
    };
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
      followers.map(({ userId, trader }) => ({
        PutRequest: {
          Item: followToItem({
            ...newFollow(userId, userId, trader, now),
            mode: opts.mode ?? 'AUTO',
            sizing: { kind: 'FIXED_USD', usdc: 25n * USDC },
            maxLeverage: 50,
            maxPositionUsdc: 100_000n * USDC,
          }),
        },
      })),
    );
    if (opts.mode === 'ALERTS')
      return {
        avantis,
        chain,
        traders,
        followers,
        users: new Set(followers.map((f) => f.userId)),
        close: () => chain.destroy(),
      };
    const users = new DynamoUserStore(doc, info.tables.users);
    const expiry = ((await chain.getBlock('latest'))?.timestamp ?? 0) + 86_400;
    const linked = await pool(followers, 20, async (f) => {
      const wallet = Wallet.createRandom().connect(chain);
      await setBalance(chain, wallet.address, 10n ** 18n);
      const usdc = new Contract(
        avantis.usdc,
        ['function mint(address,uint256)', 'function approve(address,uint256) returns (bool)'],
        wallet,
      );
      const router = new Contract(avantis.tradingRouter, ['function setDelegate(address,uint256)'], wallet);
      const delegate = await delegateOf(info, f.userId);
      const sent = [
        await usdc.getFunction('mint')(wallet.address, opts.followerUsdc ?? 5_000n * USDC, { nonce: 0 }),
        await usdc.getFunction('approve')(avantis.contracts.tradingStorage, 2n ** 256n - 1n, { nonce: 1 }),
        await router.getFunction('setDelegate')(delegate, expiry, { nonce: 2 }),
      ];
      await Promise.all(sent.map((t: { wait(): Promise<unknown> }) => t.wait()));
      const address = wallet.address.toLowerCase();
      if ((await users.claimWallet(f.userId, address)) !== 'LINKED')
        throw new Error(`wallet of ${f.userId} not linked`);
      return { ...f, wallet: address };
    });
    return {
      avantis,
      chain,
      traders,
      followers: linked,
      users: new Set(linked.map((f) => f.userId)),
      close: () => chain.destroy(),
    };
  } finally {
    destroy();
  }
}

export interface TradeOutcome {
  readonly trader: string;
  readonly ok: boolean;
  readonly txHash?: string;
  readonly error?: string;
  readonly at: number;
}

/**
 * `n` trader opens, spread over the traders and pairs 0/1 (Avantis keeps at most 40 trades per
 * pair and wallet), `perTrader` at a time for each trader. Each resolves when its stream says
 * executed, i.e. the fill is mined: that fill is the signal.
 */
export async function burst(
  traffic: Traffic,
  n: number,
  opts: { offset?: number; perTrader?: number } = {},
): Promise<TradeOutcome[]> {
  const offset = opts.offset ?? 0;
  const prices = [await price(traffic.avantis, 0), await price(traffic.avantis, 1)];
  const jobs = Array.from({ length: n }, (_, i) => i + offset);
  return pool(jobs, traffic.traders.length * (opts.perTrader ?? 3), async (i) => {
    const trader = traffic.traders[i % traffic.traders.length] as V2Account;
    const pairIndex = Math.floor(i / traffic.traders.length) % 2;
    try {
      const fill = await trader.open({
        pairIndex,
        buy: i % 3 !== 0,
        leverage: 5n * P,
        collateralUsdc: 50n * USDC,
        price: prices[pairIndex] as bigint,
      });
      return { trader: trader.address, ok: true, txHash: String(fill.transactionHash), at: Date.now() };
    } catch (err) {
      return { trader: trader.address, ok: false, error: String(err).slice(0, 200), at: Date.now() };
    }
  });
}

/** The operator's admin call, the way `npm run admin` makes it (Lambda Invoke API). */
export async function admin(info: LocalStackInfo, request: AdminRequestInput) {
  const lambda = new LambdaClient({
    region: info.region,
    endpoint: info.endpoints.lambda,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    return await invokeFunction(
      physicalName.function(info.stage, 'admin'),
      request,
      adminResponseSchema,
      lambda,
    );
  } finally {
    lambda.destroy();
  }
}

/** Delivered messages per chat since a moment, from the Bot API stand-in's record. */
export async function textsTo(info: LocalStackInfo, chatId: string, since: Date): Promise<string[]> {
  const res = await fetch(`${info.telegram.callsUrl}?method=sendMessage&chat_id=${chatId}`);
  const body = z
    .object({
      calls: z.array(
        z.object({ at: z.string(), status: z.number(), params: z.record(z.string(), z.unknown()) }),
      ),
    })
    .parse(await res.json());
  return body.calls
    .filter((c) => c.status === 200 && Date.parse(c.at) >= since.getTime())
    .map((c) => String(c.params.text ?? ''));
}

const Status = z.object({
  mode: z.object({
    effective: z.string(),
    ceiling: z.string(),
    switch: z.string(),
    emergencyStop: z.boolean(),
  }),
});

/** The mode as the operator sees it (admin status). */
export async function modeStatus(info: LocalStackInfo, by: string) {
  const answer = await admin(info, { action: 'status', by });
  if (!answer.ok) throw new Error(`admin status refused: ${answer.code} ${answer.message}`);
  return Status.parse(answer.result).mode;
}

/** The DRY/LIVE switch, written the way the operator does (admin mode, confirmed). */
export async function setSwitch(info: LocalStackInfo, mode: 'LIVE' | 'DRY', by: string): Promise<void> {
  const answer = await admin(info, { action: 'mode', by, mode, confirm: true });
  if (!answer.ok) throw new Error(`admin mode ${mode} refused: ${answer.message}`);
}

/** What a drill that never got as far as its ledger reports: nothing counted. */
const NOTHING_COUNTED: Ledger = {
  signalsIn: 0,
  alertsSent: 0,
  copiesSubmitted: 0,
  copiesTerminal: {},
  lost: 0,
  duplicated: 0,
  worstLatencyMs: 0,
  lostSamples: [],
  duplicatedSamples: [],
  intentsByState: {},
  signedIntents: [],
  concerned: 0,
  queues: {},
  alertsByUser: {},
};

/** The drill's result from its final ledger (harness.ts's builder), or an empty one if it aborted. */
export function drillResult(
  drill: string,
  startedAt: Date,
  ledger: Ledger | undefined,
  recovered: boolean,
  failures: readonly string[],
  details: Record<string, unknown>,
): DrillResult {
  return ledgerResult(drill, startedAt, ledger ?? NOTHING_COUNTED, recovered, failures, details);
}
