// The copy executor as configured: its key in AWS KMS (EXECUTOR_KMS_KEY_ID) or in the bot secret,
// the first http(s) RPC URL, and the Avantis deployment of that chain. Undefined when not configured.
import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../../config.js';
import { connectChain } from '../../indexer/compose.js';
import { documentDb } from '../dynamo/client.js';
import { DynamoSenderLease } from '../dynamo/operator-state.js';
import { loadBotSecret } from '../secrets/bot-secret.js';
import { CopyExecutor, type ExecutorKey } from './executor.js';

export async function executorFromConfig(cfg: Config): Promise<CopyExecutor | undefined> {
  const rpcUrl = cfg.indexer.rpcUrls.find((u) => u.startsWith('http'));
  if (!rpcUrl) return undefined;
  let key: ExecutorKey;
  if (cfg.executorKmsKeyId) {
    key = { kms: new KMSClient({}), keyId: cfg.executorKmsKeyId };
  } else {
    const { executorKey } = await loadBotSecret(cfg.botSecretId);
    if (!executorKey) return undefined;
    key = { privateKey: executorKey };
  }
  const chain = await connectChain(cfg);
  return CopyExecutor.create(
    rpcUrl,
    key,
    chain.deployment,
    new DynamoSenderLease(documentDb(), cfg.tables.state, randomUUID()),
  );
}
