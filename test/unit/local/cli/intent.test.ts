// `npm run intent` (local/cli/intent.ts): prints structHash, digest and encoded of a v2 intent given
// as JSON, exactly as domain/avantis/intents.ts computes them, and refuses what does not fit (exit 2).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeIntent, intentDigest, intentStructHash, tradingDomain } from '#core/domain/avantis/intents.js';

const ROUTER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = tradingDomain(31337, ROUTER);

describe('Avantis v2 intents', () => {
  it('`npm run intent` prints structHash, digest and encoded for a message given as JSON', () => {
    // Prepare
    const message = {
      _trader: '0x1111111111111111111111111111111111111111',
      _pairIndex: 1,
      _index: 0,
      _openTimestamp: '1750000000',
      _amount: '50000000',
      _wantedPrice: '810000000000000',
      _deadline: '1800000000123',
      _nonce: '987654321123456789',
    };
    // Act
    const out = execFileSync(
      'npx',
      [
        'tsx',
        'local/cli/intent.ts',
        '--kind',
        'CloseTradeReq',
        '--chain-id',
        '31337',
        '--verifying-contract',
        ROUTER,
        '--message',
        JSON.stringify(message),
      ],
      { encoding: 'utf8' },
    );
    // Assess
    const parsed = JSON.parse(out) as Record<string, string>;
    expect(Object.keys(parsed).sort()).toEqual(['digest', 'encoded', 'structHash']);
    expect(parsed.digest).toBe(intentDigest('CloseTradeReq', domain, message));
    expect(parsed.structHash).toBe(intentStructHash('CloseTradeReq', message));
    expect(parsed.encoded).toBe(encodeIntent('CloseTradeReq', message));
  }, 60_000);

  it('`npm run intent` refuses an unknown kind and a message that does not fit, with exit code 2', () => {
    const run = (args: string[]) => {
      try {
        execFileSync('npx', ['tsx', 'local/cli/intent.ts', ...args], { encoding: 'utf8', stdio: 'pipe' });
        return { status: 0, stderr: '' };
      } catch (err) {
        const e = err as { status: number; stderr: string };
        return { status: e.status, stderr: e.stderr };
      }
    };
    const unknown = run([
      '--kind',
      'Nope',
      '--chain-id',
      '1',
      '--verifying-contract',
      ROUTER,
      '--message',
      '{}',
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown --kind "Nope"');
    const misfit = run([
      '--kind',
      'CloseTradeReq',
      '--chain-id',
      '1',
      '--verifying-contract',
      ROUTER,
      '--message',
      '{"_trader":"0x12"}',
    ]);
    expect(misfit.status).toBe(2);
    expect(misfit.stderr).toContain('does not fit CloseTradeReq');
  }, 60_000);
});
