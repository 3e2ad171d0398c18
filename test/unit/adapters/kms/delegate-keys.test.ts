// One delegate key per user, derived inside "KMS" (the local stand-in answers GenerateMac as AWS
// does): stable per user, different between users, and never the same key from another KMS key.
import { KMSClient } from '@aws-sdk/client-kms';
import { recoverAddress } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { KmsDelegateKeys } from '#core/adapters/kms/delegate-keys.js';
import { startControlPlane } from '../../../../local/standins/aws-control-plane.js';

const plane = await startControlPlane({
  hmacKeys: { 'alias/a': Buffer.alloc(32, 1), 'alias/b': Buffer.alloc(32, 2) },
  kmsKeys: { signer: `0x${'22'.repeat(32)}` },
});
const kms = new KMSClient({
  endpoint: plane.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
afterAll(async () => {
  kms.destroy();
  await plane.close();
});

describe('Class: KmsDelegateKeys', () => {
  it('gives each user their own stable address, and signs as that address', async () => {
    const keys = new KmsDelegateKeys(kms, 'alias/a');
    const [a1, a2, b1] = await Promise.all([
      keys.addressOf('1001'),
      new KmsDelegateKeys(kms, 'alias/a').addressOf('1001'),
      keys.addressOf('1002'),
    ]);
    expect(a1).toMatch(/^0x[0-9a-f]{40}$/);
    expect(a2).toBe(a1);
    expect(b1).not.toBe(a1);
    const digest = `0x${'ab'.repeat(32)}`;
    const { signature } = await keys.signDigest('1001', digest);
    expect(recoverAddress(digest, signature).toLowerCase()).toBe(a1);
  });

  it('derives other keys from another KMS key, and refuses a signing key used as a MAC key', async () => {
    expect(await new KmsDelegateKeys(kms, 'alias/b').addressOf('1001')).not.toBe(
      await new KmsDelegateKeys(kms, 'alias/a').addressOf('1001'),
    );
    await expect(new KmsDelegateKeys(kms, 'signer').addressOf('1001')).rejects.toThrow(/GENERATE_VERIFY_MAC/);
  });

  it('derives keys for Telegram user ids only', async () => {
    await expect(new KmsDelegateKeys(kms, 'alias/a').addressOf('../x')).rejects.toThrow(/Telegram user id/);
  });
});
