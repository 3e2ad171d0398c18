// One Avantis delegate key per Telegram user, derived from an AWS KMS HMAC key that never leaves
// KMS: key = keccak256(GenerateMac(HMAC_SHA_256, "alfa/delegate/v1/<userId>")), re-hashed in the
// (2^-128) case it is not a valid secp256k1 scalar. Only a role granted kms:GenerateMac on that
// key (the copier, and the delegate-address function that returns public addresses only) can
// derive it; the webhook cannot. Derived keys stay in this container's memory, never stored.
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SigningKey, computeAddress, keccak256, toUtf8Bytes } from 'ethers';
import type { DelegateKeys } from '../../ports/copy.js';

/** secp256k1 group order: a private key must be in [1, n). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export const DELEGATE_KEY_CONTEXT = 'alfa/delegate/v1/';

/** The private key from the MAC (pure, so tests and the local stand-in agree byte for byte). */
export function delegateKeyFromMac(mac: Uint8Array): string {
  let key = keccak256(mac);
  while (BigInt(key) === 0n || BigInt(key) >= N) key = keccak256(key);
  return key;
}

export class KmsDelegateKeys implements DelegateKeys {
  /** The key and its address: deriving the public key is an EC multiplication, done once per user. */
  private readonly keys = new Map<string, Promise<{ key: SigningKey; address: string }>>();

  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyId: string,
  ) {}

  private key(userId: string): Promise<{ key: SigningKey; address: string }> {
    if (!/^\d{1,20}$/.test(userId))
      return Promise.reject(new Error('a delegate key is per Telegram user id'));
    let key = this.keys.get(userId);
    if (!key) {
      key = this.kms
        .send(
          new GenerateMacCommand({
            KeyId: this.keyId,
            MacAlgorithm: 'HMAC_SHA_256',
            Message: toUtf8Bytes(`${DELEGATE_KEY_CONTEXT}${userId}`),
          }),
        )
        .then((out) => {
          if (!out.Mac) throw new Error('KMS GenerateMac returned no MAC');
          const signing = new SigningKey(delegateKeyFromMac(out.Mac));
          return { key: signing, address: computeAddress(signing.publicKey).toLowerCase() };
        });
      key.catch(() => this.keys.delete(userId));
      this.keys.set(userId, key);
    }
    return key;
  }

  async addressOf(userId: string): Promise<string> {
    return (await this.key(userId)).address;
  }

  async signDigest(userId: string, digest: string): Promise<{ address: string; signature: string }> {
    const { key, address } = await this.key(userId);
    // 65 bytes r||s||v with v in {27, 28} (docs/avantis.md v2 §3).
    return { address, signature: key.sign(digest).serialized };
  }
}
