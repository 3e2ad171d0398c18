// `npm run index -- --from-block N --to-block M`: indexes one block range into the trade-events (fills)
// table and prints a JSON summary: events and fills written, and the unknown topic0s seen per address
// (schema drift; the logs are quarantined). RPC_URLS=<url> indexes that chain (Base mainnet contracts on
// chain 8453); the v2 upgrade block is AVANTIS_UPGRADE_BLOCK or found from the proxies' Upgraded logs.
import { parseArgs } from 'node:util';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { loadConfig } from '#core/config.js';
import { connectIndexerChain } from '#core/indexer/compose.js';
import { indexRange } from '#core/indexer/range.js';
import { UsageError, runCli } from './cli.js';
import { connect } from './connect.js';

const USAGE = 'usage: npm run index -- --from-block <N> --to-block <M|latest> [--page <blocks>]';

function blockArg(name: string, raw: string | undefined, latest?: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  if (raw === 'latest' && latest !== undefined) return latest;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a block number, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'from-block': { type: 'string' },
      'to-block': { type: 'string' },
      page: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const from = blockArg('from-block', values['from-block']);
  if (values['to-block'] === undefined) throw new UsageError('--to-block is required');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const connection = await connect({ log });
  try {
    const cfg = loadConfig();
    const chain = await connectIndexerChain(cfg);
    const to = blockArg('to-block', values['to-block'], await chain.reader.headNumber());
    if (to < from) throw new UsageError(`--to-block (${to}) is before --from-block (${from})`);
    const pageSize = values.page === undefined ? cfg.indexer.page : blockArg('page', values.page);
    log(`indexing blocks ${from}-${to} of chain ${chain.deployment.chainId}`);
    const summary = await indexRange(
      { fromBlock: from, toBlock: to, pageSize },
      {
        chain: chain.reader,
        fills: new DynamoFillStore(documentDb(), cfg.tables.fills),
        log: { info: (m, a) => log(`${m} ${JSON.stringify(a)}`), warn: log, error: log },
        upgrade: chain.upgrade,
      },
    );
    process.stdout.write(`${JSON.stringify({ chainId: chain.deployment.chainId, ...summary }, null, 2)}\n`);
  } finally {
    await connection.close();
  }
}

runCli(main, USAGE);
