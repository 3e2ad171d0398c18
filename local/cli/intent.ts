// `npm run intent -- --kind <Kind> --chain-id <n> --verifying-contract <address> --message '<json>'`
// prints one JSON object { structHash, digest, encoded } for an Avantis v2 EIP-712 intent: what
// the TradingRouter hashes and what the batched-market service takes as `erc712.userIntent`.
// Integers in the message may be JSON numbers or decimal strings (use strings past 2^53).
import { isAddress } from 'ethers';
import {
  INTENT_KINDS,
  encodeIntent,
  intentDigest,
  intentStructHash,
  isIntentKind,
  tradingDomain,
} from '#core/domain/avantis/intents.js';
import { UsageError, runCli } from './cli.js';

const USAGE = `usage: npm run intent -- --kind <${INTENT_KINDS.join('|')}> --chain-id <n> --verifying-contract <address> --message '<json>'`;

function args(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i] ?? '';
    if (!key.startsWith('--')) throw new UsageError(`unexpected argument "${key.slice(0, 80)}"`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${key} needs a value`);
    out.set(key.slice(2), value);
    i++;
  }
  for (const k of out.keys()) {
    if (!['kind', 'chain-id', 'verifying-contract', 'message'].includes(k))
      throw new UsageError(`unknown option --${k}`);
  }
  return out;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const kind = a.get('kind');
  if (!kind) throw new UsageError('--kind is required');
  if (!isIntentKind(kind))
    throw new UsageError(`unknown --kind "${String(kind).slice(0, 80)}" (one of ${INTENT_KINDS.join(', ')})`);
  const chainIdRaw = a.get('chain-id') ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(chainIdRaw))
    throw new UsageError(`--chain-id must be a positive whole number, got "${chainIdRaw.slice(0, 80)}"`);
  const contract = a.get('verifying-contract') ?? '';
  if (!isAddress(contract))
    throw new UsageError(`--verifying-contract must be an address, got "${String(contract).slice(0, 80)}"`);
  const raw = a.get('message');
  if (raw === undefined) throw new UsageError('--message is required');
  let message: object;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    message = parsed;
  } catch (err) {
    throw new UsageError(`--message must be a JSON object (${(err as Error).message})`);
  }
  const domain = tradingDomain(Number(chainIdRaw), contract);
  let out: { structHash: string; digest: string; encoded: string };
  try {
    out = {
      structHash: intentStructHash(kind, message),
      digest: intentDigest(kind, domain, message),
      encoded: encodeIntent(kind, message),
    };
  } catch (err) {
    // ethers names the field that is missing or of the wrong type.
    throw new UsageError(`--message does not fit ${kind}: ${(err as Error).message.split(' (')[0]}`);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

runCli(main, USAGE);
