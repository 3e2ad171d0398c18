// The RPC failure classifier against the messages providers really send (texts from their public
// issue trackers and docs, cited per case), plus Retry-After parsing and URL redaction.
import { describe, expect, it } from 'vitest';
import {
  classifyRpcFailure,
  parseRangeHint,
  parseRetryAfter,
  redactUrl,
  scrubSecrets,
  type RangeHint,
  type RpcErrorKind,
} from '#core/adapters/chain/rpc-errors.js';

interface Case {
  readonly who: string;
  readonly code: number;
  readonly message: string;
  readonly status?: number;
  readonly data?: unknown;
  readonly hint: RangeHint;
}

// eth_getLogs range/size refusals. `hint` is what the pager gets to pick the next page size.
const rangeCases: readonly Case[] = [
  {
    // Alchemy, paid tiers (brief; bancorprotocol/webapp#523, ponder alchemy test)
    who: 'Alchemy (any range under 10K logs)',
    code: -32602,
    message:
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x112a880, 0x112a8c2]',
    hint: { limit: 'results', range: { fromBlock: 0x112a880, toBlock: 0x112a8c2 }, maxBlocks: 0x43 },
  },
  {
    // BobTheBuidler/dank_mids#772, boundless-xyz/boundless#838 (HTTP 400)
    who: 'Alchemy (500-block plan)',
    code: -32600,
    status: 400,
    message:
      'You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]',
    hint: { limit: 'blocks', range: { fromBlock: 0x123c9b2, toBlock: 0x123cba5 }, maxBlocks: 500 },
  },
  {
    // Alchemy free tier, seen in several indexers' tests (code search: "Under the Free tier plan")
    who: 'Alchemy free tier',
    code: -32600,
    status: 400,
    message:
      'Under the Free tier plan, you can make eth_getLogs requests with up to a 10 block range. Based on your parameters, this block range should work: [0x121eac0, 0x121eac9]. Upgrade to PAYG for expanded block range.',
    hint: { limit: 'blocks', range: { fromBlock: 0x121eac0, toBlock: 0x121eac9 }, maxBlocks: 10 },
  },
  {
    // Infura docs (-32005), status-im/nimbus-eth2#1823, ChainSafe/lodestar#2977
    who: 'Infura / geth result cap',
    code: -32005,
    message: 'query returned more than 10000 results',
    hint: { limit: 'results' },
  },
  {
    // Infura with its range advice (ponder infura test: "Try with this block range ")
    who: 'Infura with a suggested range',
    code: -32005,
    message: 'query returned more than 10000 results. Try with this block range [0x112A880, 0x112A908].',
    hint: { limit: 'results', range: { fromBlock: 0x112a880, toBlock: 0x112a908 }, maxBlocks: 0x89 },
  },
  {
    // INFURA/infura#237: the live API's block-span limit
    who: 'Infura block-span limit',
    code: -32602,
    message: 'range 1000000 exceeds limit of 10000',
    hint: { limit: 'blocks', maxBlocks: 10_000 },
  },
  {
    // OffchainLabs/arbitrum-sdk#609 (HTTP 413), ponder quicknode test
    who: 'QuickNode',
    code: -32614,
    status: 413,
    message: 'eth_getLogs is limited to a 10,000 range',
    hint: { limit: 'blocks', maxBlocks: 10_000 },
  },
  {
    // "block range too large" variants of QuickNode-style gateways / Base (ponder base handling)
    who: 'QuickNode / Base "block range too large"',
    code: -32602,
    message: 'block range too large',
    hint: { limit: 'blocks' },
  },
  {
    // 1RPC (provider survey in a public QA note; ponder 1rpc handling)
    who: '1RPC',
    code: -32602,
    message: 'eth_getLogs is limited to 0 - 50 blocks range',
    hint: { limit: 'blocks', maxBlocks: 50 },
  },
  {
    // ponder-sh/ponder#1940 (Ankr, viem details)
    who: 'Ankr (distance)',
    code: -32602,
    message: 'maximum [from, to] blocks distance: 10000',
    hint: { limit: 'blocks', maxBlocks: 10_000 },
  },
  {
    // ponder getLogsRetryHelper "ankr" (-32600)
    who: 'Ankr (too wide)',
    code: -32600,
    message: 'block range is too wide',
    hint: { limit: 'blocks' },
  },
  {
    // ponder ankr/llamarpc tests; aztec-scan/chicmoz#354
    who: 'Ankr / LlamaRPC / geth result cap',
    code: -32602,
    message: 'query exceeds max results 20000',
    hint: { limit: 'results' },
  },
  {
    // base/base#2421: reth on a Base node names a range (here, buggily, the very one requested)
    who: 'reth on Base',
    code: -32602,
    message: 'query exceeds max results 20000, retry with the range 25766988-25775072',
    hint: { limit: 'results', range: { fromBlock: 25766988, toBlock: 25775072 }, maxBlocks: 8085 },
  },
  {
    // ponder publicnode test; AlphaWallet/alpha-wallet-android#2736 (BSC, 5000)
    who: 'PublicNode / geth --rpc.rangelimit',
    code: -32000,
    message: 'exceed maximum block range: 50000',
    hint: { limit: 'blocks', maxBlocks: 50_000 },
  },
  {
    // reth (paradigmxyz/reth#8558), flashbots, dRPC paid
    who: 'reth / dRPC / Flashbots',
    code: -32602,
    message: 'query exceeds max block range 100000',
    hint: { limit: 'blocks', maxBlocks: 100_000 },
  },
  {
    // dRPC free tier, code 35 (code search: several indexers; QA provider survey)
    who: 'dRPC free tier',
    code: 35,
    status: 400,
    message: 'ranges over 10000 blocks are not supported on freetier',
    hint: { limit: 'blocks', maxBlocks: 10_000 },
  },
  {
    // ponder chainstack test
    who: 'Chainstack',
    code: -32602,
    message: 'Block range limit exceeded.',
    hint: { limit: 'blocks' },
  },
  {
    // ponder cloudflare test; code -32047 (QA provider survey)
    who: 'Cloudflare',
    code: -32047,
    message: "Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: 800",
    hint: { limit: 'blocks', maxBlocks: 800 },
  },
  {
    // ponder coinbase test (Base, chain 8453, via Coinbase CDP)
    who: 'Coinbase CDP (Base)',
    code: -32005,
    message: 'please limit the query to at most 1000 blocks',
    hint: { limit: 'blocks', maxBlocks: 1_000 },
  },
  {
    // ponder optimism test (OP-stack public node, as Base's)
    who: 'Optimism / OP-stack public node',
    code: -32000,
    message: 'Block range is too large',
    hint: { limit: 'blocks' },
  },
  {
    // ponder "optimism" older message
    who: 'OP proxyd response size',
    code: -32000,
    message: 'backend response too large',
    hint: { limit: 'results' },
  },
  {
    // enviodev/hyperindex#605 (Morph)
    who: 'Morph',
    code: -32000,
    message: 'block range is larger than max block range, block range = 5120, max block range = 5000',
    hint: { limit: 'blocks', maxBlocks: 5_000 },
  },
  {
    // bobanetwork/boba_legacy#827 (Tenderly gateway): the figure is in error.data
    who: 'Tenderly',
    code: -32602,
    message: 'invalid params',
    data: { error_id: '4ed94073', payload: 'range 9009594 is bigger than range limit 2000' },
    hint: { limit: 'blocks', maxBlocks: 2_000 },
  },
  {
    // ponder thirdweb handling
    who: 'thirdweb',
    code: -32602,
    message: 'Maximum allowed number of requested blocks is 1000',
    hint: { limit: 'blocks', maxBlocks: 1_000 },
  },
  {
    // ponder avalanche handling
    who: 'Avalanche',
    code: -32000,
    message: 'requested too many blocks from 0 to 20000, maximum is set to 2048',
    hint: { limit: 'blocks', maxBlocks: 2_048 },
  },
  {
    // moonbeam-foundation/moonbeam#3250 (Frontier)
    who: 'Moonbeam / Frontier',
    code: -32603,
    message: 'block range is too wide (maximum 1024)',
    hint: { limit: 'blocks', maxBlocks: 1_024 },
  },
  {
    // ponder arbitrum handling
    who: 'Arbitrum (Nitro)',
    code: -32000,
    message: 'logs matched by query exceeds limit of 10000',
    hint: { limit: 'results' },
  },
  {
    // ponder merkle handling
    who: 'Merkle',
    code: -32602,
    message: 'eth_getLogs range is too large, max is 10k blocks',
    hint: { limit: 'blocks', maxBlocks: 10_000 },
  },
  {
    // ponder blast (paid) handling
    who: 'Blast (paid plan)',
    code: -32602,
    message: 'eth_getLogs block range exceeds the range allowed for your plan (5000 > 100)',
    hint: { limit: 'blocks', maxBlocks: 100 },
  },
  {
    // 0xPolygon/cdk-erigon#1784
    who: 'cdk-erigon',
    code: -32005,
    message: 'block range too large, max range: 1000',
    hint: { limit: 'blocks', maxBlocks: 1_000 },
  },
  {
    // scroll-tech/go-ethereum#529
    who: 'Scroll l2geth',
    code: -32000,
    message: 'block range is bigger than maxBlockRange',
    hint: { limit: 'blocks' },
  },
  {
    // Xplorer docs (Klaytn gateways)
    who: 'Klaytn gateway',
    code: -32005,
    message:
      'In eth_getLogs, eth_newFilter, klay_getLogs, and klay_newFilter, the block range is limited to 2000.',
    hint: { limit: 'blocks', maxBlocks: 2_000 },
  },
  {
    // Infura docs: query duration limit, -32005
    who: 'Infura query timeout',
    code: -32005,
    message: 'query timeout exceeded',
    hint: { limit: 'results' },
  },
];

const otherCases: readonly {
  readonly who: string;
  readonly method?: string;
  readonly status?: number;
  readonly code?: number;
  readonly message: string;
  readonly kind: RpcErrorKind;
}[] = [
  // Rate limits
  {
    // gitcoinco/grants-stack-indexer#156, conduitxyz/node#36
    who: 'Alchemy CUPS',
    status: 429,
    code: 429,
    message:
      'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput',
    kind: 'RATE_LIMITED',
  },
  {
    // status-im/status-app#14665
    who: 'Infura request rate',
    status: 429,
    code: -32005,
    message: 'project ID request rate exceeded',
    kind: 'RATE_LIMITED',
  },
  {
    // CirclesUBI/circles-myxogastria#54
    who: 'Infura daily quota',
    code: -32005,
    message: 'daily request count exceeded, request rate limited',
    kind: 'RATE_LIMITED',
  },
  {
    // xmtp/xmtpd#672 (HTTP 403)
    who: 'Alchemy monthly capacity',
    status: 403,
    code: -32600,
    message:
      'Monthly capacity limit exceeded. Visit https://dashboard.alchemyapi.io/settings/billing to upgrade your scaling policy for continued service.',
    kind: 'RATE_LIMITED',
  },
  {
    // QA provider survey: Merkle answers rate limits with -32005
    who: 'Merkle rate limit',
    code: -32005,
    message: 'Rate limit exceeded',
    kind: 'RATE_LIMITED',
  },
  // Lagging or down: another endpoint may answer
  {
    // ethereum/execution-apis#875: geth/reth for toBlock past the head
    who: 'geth: range beyond head',
    code: -32602,
    message: 'block range extends beyond current head block',
    kind: 'UNAVAILABLE',
  },
  {
    // OffchainLabs/nitro#3666 (transient on lagging nodes), geth errInvalidBlockRange
    who: 'geth: invalid block range params',
    code: -32602,
    message: 'invalid block range params',
    kind: 'UNAVAILABLE',
  },
  {
    // ponder base test (mainnet.base.org, proxyd)
    who: 'Base public node proxyd',
    code: -32011,
    message: 'no backend is currently healthy to serve traffic',
    kind: 'UNAVAILABLE',
  },
  {
    // ethereum/execution-apis#534: geth for a block it does not have
    who: 'geth: header not found',
    method: 'eth_getBlockByNumber',
    code: -32000,
    message: 'header not found',
    kind: 'UNAVAILABLE',
  },
  {
    // foundry-rs/foundry#10709: anvil reads its head twice while a block is mined (fixed in #10714)
    who: 'anvil: latest raced a new block',
    method: 'eth_call',
    code: -32602,
    message: 'BlockOutOfRangeError: block height is 77 but requested was 76',
    kind: 'UNAVAILABLE',
  },
  {
    who: 'method disabled on this endpoint',
    method: 'eth_getLogs',
    code: -32601,
    message: 'the method eth_getLogs does not exist/is not available',
    kind: 'UNAVAILABLE',
  },
  {
    who: 'internal error',
    method: 'eth_blockNumber',
    code: -32603,
    message: 'internal error',
    kind: 'UNAVAILABLE',
  },
  // Timeouts
  {
    // dRPC code 30 (code search: an Elixir adapter's notes)
    who: 'dRPC free-tier timeout',
    method: 'eth_getLogs',
    status: 408,
    code: 30,
    message: 'Request timeout on the free tier, please upgrade your tier to the paid one',
    kind: 'TIMEOUT',
  },
  {
    who: 'node timeout on a non-log call',
    method: 'eth_call',
    code: -32000,
    message: 'request timed out',
    kind: 'TIMEOUT',
  },
  // The request itself is wrong
  { who: 'revert', method: 'eth_call', code: 3, message: 'execution reverted', kind: 'FATAL' },
  {
    who: 'bad params',
    method: 'eth_getLogs',
    code: -32602,
    message: 'invalid argument 0: hex string has length 3',
    kind: 'FATAL',
  },
  { who: 'nonce', method: 'eth_sendRawTransaction', code: -32000, message: 'nonce too low', kind: 'FATAL' },
];

describe('range-too-large messages', () => {
  it.each(rangeCases)('$who: $message', (c) => {
    const got = classifyRpcFailure({
      method: 'eth_getLogs',
      httpStatus: c.status ?? 200,
      rpcError: { code: c.code, message: c.message, data: c.data },
    });
    expect(got.kind).toBe('RANGE_TOO_LARGE');
    expect(got.range).toEqual(c.hint);
  });

  it('reads range messages from a non-JSON-RPC body too (e.g. a plain-text 413)', () => {
    const got = classifyRpcFailure({
      method: 'eth_getLogs',
      httpStatus: 413,
      body: 'eth_getLogs is limited to a 5,000 range',
    });
    expect(got).toMatchObject({ kind: 'RANGE_TOO_LARGE', range: { limit: 'blocks', maxBlocks: 5_000 } });
  });

  it('a bare 413 on eth_getLogs means the answer was too big', () => {
    expect(classifyRpcFailure({ method: 'eth_getLogs', httpStatus: 413, body: '' })).toMatchObject({
      kind: 'RANGE_TOO_LARGE',
      range: { limit: 'results' },
    });
  });

  it('range wording on other methods is not a range error (the pager is not involved)', () => {
    expect(
      classifyRpcFailure({
        method: 'eth_call',
        rpcError: { code: -32005, message: 'query returned more than 10000 results' },
      }).kind,
    ).toBe('RATE_LIMITED');
  });

  it('parses numbers with separators, K suffixes and a trailing full stop', () => {
    expect(parseRangeHint('up to a 2K block range')?.maxBlocks).toBe(2_000);
    expect(parseRangeHint('eth_getLogs is limited to a 10.000 range')?.maxBlocks).toBe(10_000);
    expect(parseRangeHint('exceed maximum block range: 50000.')?.maxBlocks).toBe(50_000);
    expect(parseRangeHint('nothing to see here')).toBeUndefined();
  });
});

describe('other failures', () => {
  it.each(otherCases)('$who -> $kind', (c) => {
    const got = classifyRpcFailure({
      method: c.method ?? 'eth_getLogs',
      httpStatus: c.status ?? 200,
      rpcError: c.code === undefined ? undefined : { code: c.code, message: c.message },
    });
    expect(got.kind).toBe(c.kind);
  });

  it('HTTP statuses without a JSON-RPC body', () => {
    const kind = (httpStatus: number, body = '') =>
      classifyRpcFailure({ method: 'eth_blockNumber', httpStatus, body }).kind;
    expect(kind(429)).toBe('RATE_LIMITED');
    expect(kind(500)).toBe('UNAVAILABLE');
    expect(kind(502, '<html><title>502 Bad Gateway</title></html>')).toBe('UNAVAILABLE');
    expect(kind(503)).toBe('UNAVAILABLE');
    expect(kind(504)).toBe('TIMEOUT');
    expect(kind(524, 'A timeout occurred')).toBe('TIMEOUT');
    expect(kind(401, 'invalid api key')).toBe('UNAVAILABLE');
  });

  it('transport failures: refused, reset, DNS are UNAVAILABLE; aborts and connect timeouts are TIMEOUT', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyRpcFailure({ cause: refused })).toMatchObject({ kind: 'UNAVAILABLE' });
    expect(classifyRpcFailure({ cause: refused }).reason).toContain('ECONNREFUSED');
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(classifyRpcFailure({ cause: reset }).kind).toBe('UNAVAILABLE');
    const connectTimeout = new TypeError('fetch failed', {
      cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
    });
    expect(classifyRpcFailure({ cause: connectTimeout }).kind).toBe('TIMEOUT');
    expect(classifyRpcFailure({ cause: new DOMException('aborted', 'AbortError') }).kind).toBe('TIMEOUT');
    expect(classifyRpcFailure({ timedOut: true }).kind).toBe('TIMEOUT');
  });

  it('a 200 that is not a valid answer is MALFORMED', () => {
    expect(classifyRpcFailure({ httpStatus: 200, malformed: 'body is not JSON' }).kind).toBe('MALFORMED');
  });

  it('unknown server-side codes fail over (UNAVAILABLE); unknown client-side ones are FATAL', () => {
    expect(
      classifyRpcFailure({ method: 'eth_blockNumber', rpcError: { code: -32099, message: 'odd' } }).kind,
    ).toBe('UNAVAILABLE');
    expect(
      classifyRpcFailure({ method: 'eth_blockNumber', rpcError: { code: -32600, message: 'odd' } }).kind,
    ).toBe('FATAL');
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("is attached to rate limits, with Infura's backoff_seconds as an alternative", () => {
    expect(
      classifyRpcFailure(
        { httpStatus: 429, retryAfter: '3', rpcError: { code: 429, message: 'Too Many Requests' } },
        now,
      ),
    ).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 3_000 });
    expect(
      classifyRpcFailure(
        {
          httpStatus: 429,
          rpcError: {
            code: -32005,
            message: 'project ID request rate exceeded',
            data: {
              see: 'https://infura.io/dashboard',
              current_rps: 13.3,
              allowed_rps: 10,
              backoff_seconds: 30,
            },
          },
        },
        now,
      ),
    ).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 30_000 });
  });
});

describe('redaction', () => {
  it('keeps scheme, host and port only', () => {
    expect(redactUrl('https://base-mainnet.g.alchemy.com/v2/AbCdEf123456')).toBe(
      'https://base-mainnet.g.alchemy.com/…',
    );
    expect(redactUrl('https://lb.drpc.org/ogrpc?network=base&dkey=SECRETKEY')).toBe('https://lb.drpc.org/…');
    expect(redactUrl('https://user:pass@node.example:8545/')).toBe('https://node.example:8545/…');
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactUrl('not a url')).toBe('<invalid url>');
  });

  it('scrubs URLs and known secret paths out of free text', () => {
    const url =
      'https://broken-icy-mountain.base-mainnet.quiknode.pro/14fb466c039ca54a895f597ee2744e848949099d/';
    const text = `POST ${url} failed; path /14fb466c039ca54a895f597ee2744e848949099d/ echoed`;
    const out = scrubSecrets(text, [url]);
    expect(out).not.toContain('14fb466c039ca54a895f597ee2744e848949099d');
    expect(out).toContain('https://broken-icy-mountain.base-mainnet.quiknode.pro/…');
  });
});
