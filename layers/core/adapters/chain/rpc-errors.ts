// Sorts the ways an EVM JSON-RPC call fails into the few kinds the pool and the log pager act on
// (fail over, back off, shrink the page, give up), reads the range a provider says would work, and
// keeps RPC URLs' secret parts out of every message. Pure: no I/O, so it is unit-tested on the
// providers' real message texts.

/**
 * - RANGE_TOO_LARGE: eth_getLogs asked for too many blocks or results; shrink the range and retry.
 * - RATE_LIMITED: the endpoint throttles us; leave it alone for a while (Retry-After when given).
 * - TIMEOUT: no answer in time; try another endpoint.
 * - UNAVAILABLE: the endpoint is down, behind the head or broken; try another endpoint.
 * - MALFORMED: the answer is not what the method returns; never accept it, try again elsewhere.
 * - FATAL: the request itself is wrong (reverted call, bad params); another endpoint would say the same.
 */
export type RpcErrorKind =
  'RANGE_TOO_LARGE' | 'RATE_LIMITED' | 'TIMEOUT' | 'UNAVAILABLE' | 'MALFORMED' | 'FATAL';

/** Kinds that say something about the endpoint, not the request: the pool moves on to the next one. */
export const FAILOVER_KINDS: ReadonlySet<RpcErrorKind> = new Set([
  'UNAVAILABLE',
  'TIMEOUT',
  'RATE_LIMITED',
  'MALFORMED',
]);

/** What a RANGE_TOO_LARGE answer says about the range that would work. */
export interface RangeHint {
  /**
   * `blocks`: the provider caps the block span, whatever the range holds (a hard ceiling);
   * `results`: it caps the result count or size, so the span that works depends on log density.
   */
  readonly limit: 'blocks' | 'results';
  /** Most blocks one request may span, counted inclusively (to - from + 1), when the message says. */
  readonly maxBlocks?: number;
  /** A range the provider says will work, when it names one (Alchemy, Infura, reth). */
  readonly range?: { readonly fromBlock: number; readonly toBlock: number };
}

/** Everything known about one failed attempt; any subset may be present. */
export interface RpcFailure {
  /** JSON-RPC method, so e.g. a node-side query timeout on eth_getLogs reads as "range too heavy". */
  readonly method?: string;
  readonly httpStatus?: number;
  /** The Retry-After header, as sent. */
  readonly retryAfter?: string | null;
  /** The JSON-RPC error object, when the body had one. */
  readonly rpcError?: { readonly code: number; readonly message: string; readonly data?: unknown };
  /** Raw body text when it was not a JSON-RPC error (HTML error pages, plain text). */
  readonly body?: string;
  /** What fetch threw (connection refused, reset, DNS...). */
  readonly cause?: unknown;
  /** Our own per-request timeout fired. */
  readonly timedOut?: boolean;
  /** Set when the answer arrived but is not valid for the method: why. */
  readonly malformed?: string;
}

export interface Classification {
  readonly kind: RpcErrorKind;
  /** Short, URL-free description for logs and error messages. */
  readonly reason: string;
  readonly range?: RangeHint;
  /** How long the endpoint asked us to wait (Retry-After or Infura's backoff_seconds). */
  readonly retryAfterMs?: number;
}

/** One failed call, typed by kind. `endpoint` is always a redacted label, never the URL. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly kind: RpcErrorKind;
  readonly method: string | undefined;
  readonly endpoint: string | undefined;
  readonly code: number | undefined;
  readonly httpStatus: number | undefined;
  readonly range: RangeHint | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: RpcErrorKind,
    message: string,
    details: {
      method?: string;
      endpoint?: string;
      code?: number;
      httpStatus?: number;
      range?: RangeHint;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.method = details.method;
    this.endpoint = details.endpoint;
    this.code = details.code;
    this.httpStatus = details.httpStatus;
    this.range = details.range;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isRpcError(e: unknown): e is RpcError {
  return e instanceof RpcError;
}

/** Every endpoint failed (or is cooling down); says what each one last did. */
export class RpcUnavailableError extends Error {
  override readonly name = 'RpcUnavailableError';
  readonly method: string;
  readonly endpoints: readonly {
    readonly endpoint: string;
    readonly kind: RpcErrorKind;
    readonly message: string;
  }[];

  constructor(method: string, endpoints: RpcUnavailableError['endpoints']) {
    const list = endpoints.map((e) => `${e.endpoint}: ${e.kind} ${e.message}`).join('; ');
    super(`${method}: no RPC endpoint answered (${list})`);
    this.method = method;
    this.endpoints = endpoints;
  }
}

// ---------------------------------------------------------------------------------------------
// URL redaction. Providers put the API key in the path (Alchemy /v2/KEY, Infura /v3/KEY, QuickNode
// /TOKEN/, Ankr, Chainstack, BlastAPI), the query (dRPC ?dkey=) or userinfo, so only scheme, host
// and port survive.

/** `https://base-mainnet.g.alchemy.com/v2/KEY` -> `https://base-mainnet.g.alchemy.com/…`. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<invalid url>';
  }
  const secretPart = (u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.username !== '';
  return `${u.protocol}//${u.host}${secretPart ? '/…' : ''}`;
}

const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>()[\]{}\\]+/gi;

/**
 * Removes URLs (and the secret path/query of the given endpoint URLs, should a message quote them
 * without the host) from text that is about to reach a log or an error message.
 */
export function scrubSecrets(text: string, urls: readonly string[] = []): string {
  let out = text.replace(URL_IN_TEXT, (m) => redactUrl(m));
  for (const url of urls) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      continue;
    }
    for (const part of [`${u.pathname}${u.search}`, u.pathname, u.search.slice(1), u.password, u.username]) {
      // Short parts ("/", "/rpc") are not secrets and would mangle ordinary words.
      if (part.length >= 8) out = out.split(part).join('…');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Range-too-large messages. Each pattern cites where its text was seen; numbers may carry
// thousands separators ("10,000") or a K suffix ("2K").

/** "10,000" | "10.000" | "2K" | "10k" | "50000" -> number. */
function parseCount(raw: string): number | undefined {
  // A sentence's full stop or comma may trail the number ("maximum block range: 50000.").
  const s = raw
    .trim()
    .replace(/[.,_]+$/, '')
    .replace(/[,_\s]/g, '');
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s);
  if (!m) return undefined;
  const [, digits = '', suffix = ''] = m;
  // "10.000" is a European thousands separator unless a K/M suffix makes it a decimal ("2.5K").
  const base =
    suffix === '' && /^\d{1,3}(\.\d{3})+$/.test(digits) ? Number(digits.replace(/\./g, '')) : Number(digits);
  const mult = suffix.toLowerCase() === 'k' ? 1_000 : suffix.toLowerCase() === 'm' ? 1_000_000 : 1;
  const n = Math.round(base * mult);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function hexOrDec(raw: string): number | undefined {
  const n = raw.toLowerCase().startsWith('0x') ? Number.parseInt(raw.slice(2), 16) : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const NUM = String.raw`(\d[\d,._]*[kKmM]?)`;
const HEX = String.raw`(0x[0-9a-fA-F]+)`;

/** A provider names a range that will work. */
const SUGGESTED_RANGE: readonly RegExp[] = [
  // Alchemy: "... Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]"
  new RegExp(String.raw`this block range should work:?\s*\[\s*${HEX}\s*,\s*${HEX}\s*\]`, 'i'),
  // Infura / zkSync: "query returned more than 10000 results. Try with this block range [0x.., 0x..]."
  new RegExp(String.raw`try with this block range:?\s*\[\s*${HEX}\s*,\s*${HEX}\s*\]`, 'i'),
  // reth (Base nodes): "query exceeds max results 20000, retry with the range 25766988-25775072"
  /retry with the range\s+(\d+)\s*-\s*(\d+)/i,
];

/** A provider states its block-span ceiling. */
const BLOCK_LIMIT: readonly RegExp[] = [
  // Alchemy: "You can make eth_getLogs requests with up to a 2K block range ..." / free tier "up to a 10 block range"
  new RegExp(String.raw`up to an? ${NUM} block range`, 'i'),
  // QuickNode / BlastAPI / 1RPC: "eth_getLogs is limited to a 10,000 range", "limited to 0 - 50 blocks range"
  new RegExp(String.raw`limited to (?:an? )?(?:0\s*-\s*)?${NUM}\s*(?:blocks?\s*)?range`, 'i'),
  // BlockPI: "... is limited to 1000 block ..." ; Klaytn: "the block range is limited to 2000."
  new RegExp(String.raw`limited to ${NUM} blocks?\b`, 'i'),
  new RegExp(String.raw`block range is limited to ${NUM}`, 'i'),
  // geth --rpc.rangelimit, BSC, publicnode: "exceed maximum block range: 50000"; aggkit "exceeded maximum block range: 5000"
  new RegExp(String.raw`exceed(?:s|ed)? maximum block range:?\s*${NUM}`, 'i'),
  // reth, dRPC, Flashbots, Hyperliquid: "query exceeds max block range 100000"
  new RegExp(String.raw`exceeds? max(?:imum)? block range:?\s*${NUM}`, 'i'),
  // Morph: "block range is larger than max block range, block range = 5120, max block range = 5000"
  new RegExp(String.raw`max(?:imum)? block range\s*[=:]\s*${NUM}`, 'i'),
  // Infura (live, -32602): "range 1000000 exceeds limit of 10000"
  new RegExp(String.raw`range \d+ exceeds limit of ${NUM}`, 'i'),
  // Tenderly: "range 9009594 is bigger than range limit 2000"
  new RegExp(String.raw`range limit:?\s*${NUM}`, 'i'),
  // Cloudflare: "Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: 800"; cdk-erigon "max range: N"
  new RegExp(String.raw`max range:?\s*${NUM}`, 'i'),
  // Coinbase CDP (Base): "please limit the query to at most 1000 blocks"
  new RegExp(String.raw`limit the query to at most ${NUM} blocks`, 'i'),
  // "Block range too large: maximum allowed is 1000 blocks"
  new RegExp(String.raw`maximum allowed is ${NUM} blocks`, 'i'),
  // thirdweb: "Maximum allowed number of requested blocks is 1000"
  new RegExp(String.raw`maximum allowed number of requested blocks is ${NUM}`, 'i'),
  // Avalanche: "requested too many blocks from 0 to 20000, maximum is set to 2048"
  new RegExp(String.raw`maximum is set to ${NUM}`, 'i'),
  // dRPC free tier (code 35): "ranges over 10000 blocks are not supported on freetier"
  new RegExp(String.raw`ranges over ${NUM} blocks`, 'i'),
  // Ankr: "maximum [from, to] blocks distance: 10000"
  new RegExp(String.raw`blocks distance:?\s*${NUM}`, 'i'),
  // Frontier / Moonbeam: "block range is too wide (maximum 1024)"
  new RegExp(String.raw`too wide \(maximum ${NUM}\)`, 'i'),
  // Swell: "block range greater than 10000 max"; Somnia: "block range exceeds 1000"
  new RegExp(String.raw`block range greater than ${NUM}`, 'i'),
  new RegExp(String.raw`block range exceeds ${NUM}`, 'i'),
  // Harmony: "query must be smaller than size 1024"
  new RegExp(String.raw`smaller than size ${NUM}`, 'i'),
  // Blast (paid): "exceeds the range allowed for your plan (5000 > 100)"
  new RegExp(String.raw`range allowed for your plan \(\d+ > ${NUM}\)`, 'i'),
  // Merkle: "eth_getLogs range is too large, max is 10k blocks"
  new RegExp(String.raw`max is ${NUM} blocks`, 'i'),
];

/** The provider caps the span but does not say by how much. */
const BLOCK_LIMIT_NO_NUMBER =
  // Chainstack "Block range limit exceeded."; Base/erigon "block range too large"; Optimism "Block range is too large";
  // Ankr "block range is too wide"; Candle "block range too high"; Scroll "block range is bigger than maxBlockRange";
  // Avalanche "requested too many blocks"; Cloudflare "range too large".
  /block range limit exceeded|block range (?:is )?too (?:large|wide|high|big)|block range is (?:bigger|larger) than max|too many blocks|range too large|exceeds? max(?:imum)? block range/i;

/** The provider caps results or response size: the span that works depends on how dense the logs are. */
const RESULT_LIMIT =
  // Infura/geth "query returned more than 10000 results"; reth/llamarpc/Ankr "query exceeds max results 20000";
  // Alchemy "Log response size exceeded"; Optimism "backend response too large"; 1RPC "response size should not
  // greater than N bytes"; Arbitrum "logs matched by query exceeds limit of 10000"; "Too many logs requested.
  // Max logs per response is 10000".
  /returned more than [\d,]+ results|exceeds? max(?:imum)? results|response size (?:exceeded|should not)|response too large|logs matched by query exceeds|too many logs|max logs per response|too many results|result set too large/i;

/** Parses a range-too-large message; undefined when the text is not one. */
export function parseRangeHint(text: string): RangeHint | undefined {
  for (const re of SUGGESTED_RANGE) {
    const m = re.exec(text);
    if (!m?.[1] || !m[2]) continue;
    const from = hexOrDec(m[1]);
    const to = hexOrDec(m[2]);
    if (from === undefined || to === undefined || to < from) continue;
    const range = { fromBlock: from, toBlock: to };
    // Alchemy's paid tiers allow any span under 10K logs ("or you can request any block range with a
    // cap of 10K logs"): the named range is density-based. Its free tier states a hard span.
    const hard = /up to an? \S+ block range/i.test(text) && !/any block range/i.test(text);
    const cap = hard ? blockCeiling(text) : undefined;
    return cap === undefined
      ? { limit: 'results', range, maxBlocks: to - from + 1 }
      : { limit: 'blocks', range, maxBlocks: Math.min(cap, to - from + 1) };
  }
  const cap = blockCeiling(text);
  if (cap !== undefined) return { limit: 'blocks', maxBlocks: cap };
  if (RESULT_LIMIT.test(text)) return { limit: 'results' };
  if (BLOCK_LIMIT_NO_NUMBER.test(text)) return { limit: 'blocks' };
  return undefined;
}

function blockCeiling(text: string): number | undefined {
  for (const re of BLOCK_LIMIT) {
    const m = re.exec(text);
    const n = m?.[1] === undefined ? undefined : parseCount(m[1]);
    if (n !== undefined) return n;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Other message families.

/**
 * The node is behind, syncing or its backend is down; another endpoint may well answer.
 * geth/reth: "block range extends beyond current head block", "invalid block range params" (from > to
 * after resolving, seen transiently on lagging Nitro/publicnode nodes), "header not found";
 * Optimism proxyd (mainnet.base.org): "no backend is currently healthy to serve traffic"; anvil
 * "BlockOutOfRangeError" for `latest` while a block is being mined (foundry#10709, a race).
 */
const LAGGING_OR_DOWN =
  /beyond current head|BlockOutOfRange|extends beyond|invalid block range params|header not found|unknown block|block not found|missing trie node|not (?:yet )?synced|is syncing|no backend is currently healthy|backend (?:unavailable|error)|bad gateway|service unavailable|temporarily unavailable|internal server error|upstream/i;

/**
 * Alchemy: "Your app has exceeded its compute units per second capacity"; Infura: "project ID request
 * rate exceeded", "daily request count exceeded, request rate limited"; Alchemy 403: "Monthly capacity
 * limit exceeded"; generic "Too Many Requests", "rate limit exceeded".
 */
const RATE_LIMIT =
  /rate limit|rate-limit|ratelimit|too many requests|compute units|request rate exceeded|request count exceeded|capacity limit exceeded|throughput limit|request limit reached|requests? per second|exceeded .{0,30}quota|quota exceeded|credits? (?:exhausted|exceeded)/i;

/** dRPC code 30: "Request timeout on the free tier, please upgrade your tier to the paid one". */
const TIMEOUT_TEXT = /timeout|timed out|deadline exceeded|took too long/i;

/** Things another endpoint would answer the same way. */
const DETERMINISTIC =
  /execution reverted|\brevert|invalid opcode|out of gas|nonce too (?:low|high)|insufficient funds|already known|underpriced|intrinsic gas|gas required exceeds|invalid sender|invalid argument|invalid params|cannot unmarshal|invalid (?:address|hex|block hash|topic)/i;

const TRANSPORT_TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Walks `cause` chains (undici wraps the socket error in "fetch failed") for a code and a name. */
function transportFacts(e: unknown): { codes: string[]; names: string[]; messages: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  const messages: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur !== undefined && cur !== null; depth++) {
    if (typeof cur !== 'object') {
      messages.push(String(cur));
      break;
    }
    const rec = cur as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof rec.code === 'string') codes.push(rec.code);
    if (typeof rec.name === 'string') names.push(rec.name);
    if (typeof rec.message === 'string') messages.push(rec.message);
    cur = rec.cause;
  }
  return { codes, names, messages };
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Infura puts its advice in `error.data.backoff_seconds` on 429s. */
function backoffFromData(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const b = (data as { backoff_seconds?: unknown }).backoff_seconds;
  return typeof b === 'number' && Number.isFinite(b) && b >= 0 ? Math.round(b * 1000) : undefined;
}

function dataText(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  try {
    return JSON.stringify(data);
  } catch {
    return '';
  }
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Sorts one failed attempt into a kind; see RpcErrorKind for what each kind asks the caller to do. */
export function classifyRpcFailure(f: RpcFailure, nowMs: number = Date.now()): Classification {
  const status = f.httpStatus;
  const retryAfterMs =
    maxDefined(parseRetryAfter(f.retryAfter, nowMs), backoffFromData(f.rpcError?.data)) ?? undefined;
  const withRetry = (c: Classification): Classification =>
    retryAfterMs === undefined ? c : { ...c, retryAfterMs };

  if (f.timedOut) return { kind: 'TIMEOUT', reason: 'no answer before the request timeout' };

  if (f.cause !== undefined && f.rpcError === undefined && status === undefined) {
    const t = transportFacts(f.cause);
    const msg = clip(t.messages.join(': ') || 'transport error');
    if (
      t.names.some((n) => n === 'AbortError' || n === 'TimeoutError') ||
      t.codes.some((c) => TRANSPORT_TIMEOUT.has(c))
    )
      return { kind: 'TIMEOUT', reason: msg };
    // Any other fetch failure (refused, reset, DNS, TLS, closed mid-body) says the endpoint is unreachable.
    return { kind: 'UNAVAILABLE', reason: t.codes[0] ? `${t.codes[0]} ${msg}` : msg };
  }

  if (f.malformed !== undefined && f.rpcError === undefined && (status === undefined || status < 300))
    return { kind: 'MALFORMED', reason: clip(f.malformed) };

  const rpcText = f.rpcError ? `${f.rpcError.message} ${dataText(f.rpcError.data)}`.trim() : '';
  const text = rpcText || f.body || '';
  const code = f.rpcError?.code;
  const reason = clip(
    [status !== undefined && status >= 300 ? `HTTP ${status}` : '', code !== undefined ? `${code}` : '', text]
      .filter((s) => s !== '')
      .join(' '),
  );
  const isGetLogs = f.method === undefined || f.method === 'eth_getLogs';

  // Order matters: "block range extends beyond current head block" names a block range but means "this
  // node is behind", so lag is checked before range; range before rate because Chainstack's "Block range
  // limit exceeded" and Infura's -32005 overlap with rate-limit wording and codes.
  if (text !== '') {
    if (LAGGING_OR_DOWN.test(text) && !(isGetLogs && RESULT_LIMIT.test(text)))
      return withRetry({ kind: 'UNAVAILABLE', reason });
    if (isGetLogs) {
      const range = parseRangeHint(text);
      if (range) return { kind: 'RANGE_TOO_LARGE', reason, range };
    }
    if (RATE_LIMIT.test(text)) return withRetry({ kind: 'RATE_LIMITED', reason });
    if (TIMEOUT_TEXT.test(text)) {
      // A node that gave up on eth_getLogs (Infura -32005 "query timeout exceeded", geth "context deadline
      // exceeded") says the range is too heavy, except dRPC's free-tier throttle which merely says timeout.
      if (f.method === 'eth_getLogs' && !/free tier/i.test(text))
        return { kind: 'RANGE_TOO_LARGE', reason, range: { limit: 'results' } };
      return { kind: 'TIMEOUT', reason };
    }
    if (DETERMINISTIC.test(text)) return { kind: 'FATAL', reason };
  }

  if (status === 429 || code === 429) return withRetry({ kind: 'RATE_LIMITED', reason });
  if (status === 408 || status === 504 || status === 524) return { kind: 'TIMEOUT', reason };
  if (status === 413 && f.method === 'eth_getLogs')
    return { kind: 'RANGE_TOO_LARGE', reason, range: { limit: 'results' } };

  if (code !== undefined) {
    // EIP-1474 -32005 "limit exceeded": Infura uses it for rate limits (range texts were matched above).
    if (code === -32005) return withRetry({ kind: 'RATE_LIMITED', reason });
    // Method not found is per endpoint (public nodes disable eth_getLogs): another may serve it.
    if (code === -32601) return { kind: 'UNAVAILABLE', reason };
    if (code === -32700 || code === -32600 || code === -32602 || code === 3) return { kind: 'FATAL', reason };
    // -32603 internal error, -32000..-32099 server errors and providers' own codes: nothing says the
    // request is wrong, and failing over is cheap; if every endpoint agrees the pool reports them all.
    return { kind: 'UNAVAILABLE', reason };
  }

  if (status !== undefined && status >= 300) return withRetry({ kind: 'UNAVAILABLE', reason });
  if (f.malformed !== undefined) return { kind: 'MALFORMED', reason: clip(f.malformed) };
  return { kind: 'UNAVAILABLE', reason: reason || 'unknown failure' };
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
