// The traffic the copy drills (emergency, avantis, telegram) make against a running local stack:
// local traders with their own funded wallets, AUTO followers each with a wallet that delegated to
// their own Alfa key (asked of the delegate-address function, as the bot does), seeded straight
// into the users and follows tables, and bursts of trader opens through the batched-market
// service. Also the operator's admin calls (the admin function through the Lambda Invoke API).
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { JsonRpcProvider } from 'ethers';
import { z } from 'zod';
import { invokeFunction } from '#core/adapters/lambda/invoke.js';
import { adminResponseSchema, type AdminRequestInput } from '#core/admin/requests.js';
import { physicalName } from '#core/resources.js';
import { P, USDC, V2Account, price, provider } from '../../test/support/v2-trading.js';
import type { AvantisInfo } from '../avantis/local-service.js';
import { seedFollowers, userIds, waitForV2, type SeededFollower } from '../seed-followers.js';
import type { LocalStackInfo } from '../stack.js';
import { ledgerResult } from './harness.js';
import type { Ledger } from './ledger.js';
import type { DrillResult } from './result.js';
import { pool } from './result.js';

export { P, USDC };

export type Follower = SeededFollower;

export interface Traffic {
  readonly avantis: AvantisInfo;
  readonly chain: JsonRpcProvider;
  readonly traders: readonly V2Account[];
  readonly followers: readonly Follower[];
  readonly users: ReadonlySet<string>;
  close(): void;
}

/**
 * `traders` fresh traders and `followersPerTrader` followers of each (the first trader's first),
 * AUTO and LIVE-ready (wallet funded, approved, delegated, linked) unless `mode` is ALERTS. User
 * ids start at `baseId` so drills never share users.
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
  try {
    // The traders open v2 intents: with ALERTS followers only, nothing else would wait for v2 and
    // every open before the local upgrade reverts NotLive() (the telegram drill once made 2 of 32).
    const expiry = ((await chain.getBlock('latest'))?.timestamp ?? 0) + 86_400;
    await waitForV2(chain, avantis.tradingRouter, expiry);
    const traders = await pool(
      Array.from({ length: opts.traders }, (_, i) => i),
      4,
      () => V2Account.create(chain, avantis, 100_000n * USDC),
    );
    const follows = traders.flatMap((t) => Array.from({ length: opts.followersPerTrader }, () => t.address));
    const followers = await seedFollowers(info, {
      follows,
      auto: opts.mode === 'ALERTS' ? 0 : follows.length,
      baseId: opts.baseId,
      walletUsdc: opts.followerUsdc ?? 5_000n * USDC,
    });
    return { avantis, chain, traders, followers, users: userIds(followers), close: () => chain.destroy() };
  } catch (err) {
    chain.destroy();
    throw err;
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
  unfilledReasons: {},
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
