// The copy path's composition root: the only file in copy/ that imports adapters. It wires the
// copier's and the reconciler's dependencies (Avantis service and reads, chain views, delegate
// keys, DynamoDB, queues) from config, and the signal router's.
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkHttp } from '../adapters/aws/http.js';
import { HttpBatchedMarket } from '../adapters/avantis/batched-market.js';
import { ChainDelegationRead, HttpPositionsRead, HttpPriceRead } from '../adapters/avantis/reads.js';
import { RpcPool } from '../adapters/chain/rpc-pool.js';
import { coalescedGets } from '../adapters/dynamo/coalesced-gets.js';
import { DynamoFollowStore } from '../adapters/dynamo/follow-store.js';
import { DynamoIntentStore } from '../adapters/dynamo/intent-store.js';
import { DynamoStatsStore } from '../adapters/dynamo/stats-store.js';
import { DynamoUserStore } from '../adapters/dynamo/user-store.js';
import { DynamoOperatorFlags } from '../adapters/dynamo/operator-state.js';
import { KmsDelegateKeys } from '../adapters/kms/delegate-keys.js';
import { modeSourceFromConfig } from '../adapters/mode-source.js';
import { sqsClient } from '../adapters/sqs/client.js';
import { SqsAlertQueue, SqsCopyQueue } from '../adapters/sqs/copy-queues.js';
import type { Config } from '../config.js';
import { tradingDomain } from '../domain/avantis/intents.js';
import { pairCatalog } from '../domain/avantis/pairs.js';
import { dayOf } from '../domain/analytics/stats.js';
import { nonceFromBytes } from '../domain/copy/orders.js';
import { Interface, id, zeroPadValue } from 'ethers';
import { z } from 'zod';
import type { AppLog } from '../ports/runtime.js';
import type { DelegateKeys } from '../ports/copy.js';
import type { CopyDeps, CopyPair, MetricName } from './copy.js';
import type { RouteDeps } from './route.js';

export class CopyConfigError extends Error {
  override readonly name = 'CopyConfigError';
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new CopyConfigError(`copy execution needs ${what}`);
  return value;
}

/** The catalog's pair as copies need it; Upside (PnL) pairs use their own leverage bounds. */
export function copyPair(pairIndex: number): CopyPair | undefined {
  const p = pairCatalog.get(pairIndex);
  if (!p) return undefined;
  return {
    listed: p.listed,
    minLeverage: p.pnlPair ? p.pnlMinLeverage : p.minLeverage,
    maxLeverage: p.pnlPair ? p.pnlMaxLeverage : p.maxLeverage,
    minPositionUsdc: p.minPositionUsdc,
    pnl: p.pnlPair,
    openFeeP: p.openFeeP,
  };
}

const erc20 = new Interface(['function balanceOf(address) view returns (uint256)']);

/** The signer's side: only the copier gets a real keyring; the reconciler never signs. */
export function delegateKeys(cfg: Config): DelegateKeys {
  // One command class, sent without options: the SDK may resolve its middleware once (cacheMiddleware).
  const keys = memo(
    () =>
      new KmsDelegateKeys(
        new KMSClient({ ...sdkHttp, cacheMiddleware: true }),
        need(cfg.copy.delegateKmsKeyId, 'DELEGATE_KMS_KEY_ID'),
      ),
  );
  return {
    addressOf: (userId) => keys().addressOf(userId),
    signDigest: (userId, digest) => keys().signDigest(userId, digest),
  };
}

/** Built on first use, so a function whose copy settings are incomplete still loads (and DRY works). */
function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const NO_SIGNING: DelegateKeys = {
  addressOf: () => Promise.reject(new Error('this function cannot derive delegate keys')),
  signDigest: () => Promise.reject(new Error('this function cannot sign')),
};

export function copyDeps(
  cfg: Config,
  documents: DynamoDBDocumentClient,
  options: { keys: DelegateKeys; metric: (name: MetricName, value: number) => void; log: AppLog },
): CopyDeps {
  // The copies of one batch read their follows, users, intents and stats at the same moment.
  const db = coalescedGets(documents);
  const contracts = memo(() => need(cfg.indexer.contracts, 'AVANTIS_CONTRACTS'));
  const router = memo(() => need(contracts().tradingRouter, 'AVANTIS_CONTRACTS.tradingRouter'));
  const pool = memo(() => new RpcPool({ urls: cfg.indexer.rpcUrls, timeoutMs: 3_000, maxWaitMs: 2_000 }));
  const market = memo(
    () => new HttpBatchedMarket({ baseUrl: need(cfg.copy.batchedMarketUrl, 'AVANTIS_BATCHED_MARKET_URL') }),
  );
  const positions = memo(() => new HttpPositionsRead(need(cfg.copy.userDataUrl, 'AVANTIS_USER_DATA_URL')));
  const prices = memo(() => new HttpPriceRead(need(cfg.copy.pricesUrl, 'AVANTIS_PRICES_URL')));
  const delegations = memo(() => new ChainDelegationRead(pool(), router()));
  const domain = memo(() => tradingDomain(contracts().chainId, router()));
  const stats = new DynamoStatsStore(db, cfg.tables.stats);
  const flags = new DynamoOperatorFlags(db, cfg.tables.state);
  return {
    intents: new DynamoIntentStore(db, cfg.tables.intents),
    market: {
      submit: (orderType, userIntent, signature) => market().submit(orderType, userIntent, signature),
      status: (trackingId, afterSeq) => market().status(trackingId, afterSeq),
    },
    positions: { positionsOf: (wallet) => positions().positionsOf(wallet) },
    prices: { priceOf: (pairIndex) => prices().priceOf(pairIndex) },
    delegations: {
      delegation: (trader, delegate) => delegations().delegation(trader, delegate),
      nonceUsed: (signer, nonce) => delegations().nonceUsed(signer, nonce),
      chainTime: () => delegations().chainTime(),
    },
    keys: options.keys,
    alerts: new SqsAlertQueue(sqsClient(), cfg.queues),
    mode: modeSourceFromConfig(cfg, db),
    users: new DynamoUserStore(db, cfg.tables.users),
    follows: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
    realizedLossToday: async (wallet) => {
      const today = (await stats.get(wallet))?.days.get(dayOf(Math.floor(Date.now() / 1000)));
      const realized = today?.realizedPnl ?? 0n;
      return realized < 0n ? -realized : 0n;
    },
    equityOf: async (wallet) => {
      try {
        const data = erc20.encodeFunctionData('balanceOf', [wallet]);
        const out = (await pool().send('eth_call', [{ to: contracts().usdc, data }, 'latest'])) as string;
        return BigInt(erc20.decodeFunctionResult('balanceOf', out)[0] as bigint);
      } catch {
        return undefined;
      }
    },
    pair: copyPair,
    canary: cfg.canary,
    domain,
    slippageP: cfg.copy.slippageP,
    nonce: () => nonceFromBytes(randomBytes(32)),
    now: () => new Date(),
    metric: options.metric,
    log: options.log,
    emergencySince: () => flags.emergencySince(),
    refundIn: async (txHash, wallet) => {
      try {
        const receipt = receiptLogs.parse(await pool().send('eth_getTransactionReceipt', [txHash]));
        if (!receipt) return undefined;
        const usdc = contracts().usdc.toLowerCase();
        const to = zeroPadValue(wallet, 32).toLowerCase();
        return receipt.logs
          .filter(
            (l) =>
              l.address.toLowerCase() === usdc &&
              l.topics[0] === TRANSFER &&
              l.topics[2]?.toLowerCase() === to,
          )
          .reduce((sum, l) => sum + BigInt(l.data), 0n);
      } catch {
        return undefined;
      }
    },
  };
}

const TRANSFER = id('Transfer(address,address,uint256)');
const receiptLogs = z
  .object({
    logs: z.array(
      z
        .object({
          address: z.string(),
          topics: z.array(z.string()),
          data: z.string().regex(/^0x[0-9a-fA-F]*$/),
        })
        .loose(),
    ),
  })
  .loose()
  .nullable();

export function routeDeps(cfg: Config, db: DynamoDBDocumentClient, log: AppLog): RouteDeps {
  return {
    followers: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
    profiles: new DynamoUserStore(db, cfg.tables.users),
    mirrors: new DynamoIntentStore(db, cfg.tables.intents),
    alerts: new SqsAlertQueue(sqsClient(), cfg.queues),
    copies: new SqsCopyQueue(sqsClient(), cfg.queues.copies),
    // A 1 s cache: an emergency stop or LIVE→DRY shows in the very next alerts, at one SSM read a
    // second at most (the copier reads fresh before signing anyway).
    mode: modeSourceFromConfig(cfg, db, 1_000),
    canary: cfg.canary,
    now: () => Date.now(),
    log,
  };
}
