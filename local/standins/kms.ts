// A KMS stand-in: secp256k1 keys answering GetPublicKey and Sign (MessageType DIGEST,
// ECDSA_SHA_256) the way AWS KMS does, DER encodings included; and HMAC keys (HMAC_SHA_256)
// answering GenerateMac and VerifyMac, from which each user's Avantis delegate key is derived.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SigningKey, getBytes } from 'ethers';

/** SubjectPublicKeyInfo prefix for an uncompressed secp256k1 point (id-ecPublicKey, secp256k1). */
const SPKI_PREFIX = '3056301006072a8648ce3d020106052b8104000a034200';

function derInteger(hex: string): string {
  let h = hex.replace(/^0x/, '').replace(/^(00)+/, '');
  if (h.length % 2) h = `0${h}`;
  if (h === '') h = '00';
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = `00${h}`;
  return `02${(h.length / 2).toString(16).padStart(2, '0')}${h}`;
}

export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class KmsStandIn {
  private readonly keys = new Map<string, SigningKey>();
  private readonly hmacKeys = new Map<string, Buffer>();

  addKey(keyId: string, privateKey: string): void {
    this.keys.set(keyId, new SigningKey(privateKey));
  }

  /** An HMAC_256 key (its material never leaves the stand-in, as in KMS). */
  addHmacKey(keyId: string, secret: Buffer): void {
    this.hmacKeys.set(keyId, secret);
  }

  private hmacKey(body: Record<string, unknown>): Buffer {
    const id = String(body.KeyId ?? '');
    const key = this.hmacKeys.get(id) ?? this.hmacKeys.get(id.split('/').at(-1) ?? '');
    if (!key) {
      if (this.keys.has(id))
        throw new KmsError('InvalidKeyUsageException', `Key '${id}' is not a GENERATE_VERIFY_MAC key`);
      throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
    }
    if (body.MacAlgorithm !== 'HMAC_SHA_256')
      throw new KmsError('InvalidKeyUsageException', 'the key supports MacAlgorithm HMAC_SHA_256 only');
    return key;
  }

  private mac(body: Record<string, unknown>): Buffer {
    const message = Buffer.from(String(body.Message ?? ''), 'base64');
    if (message.length === 0 || message.length > 4096)
      throw new KmsError('ValidationException', 'Message must be 1 to 4096 bytes');
    return createHmac('sha256', this.hmacKey(body)).update(message).digest();
  }

  private key(body: Record<string, unknown>): SigningKey {
    const id = String(body.KeyId ?? '');
    const key = this.keys.get(id) ?? this.keys.get(id.split('/').at(-1) ?? '');
    if (!key) throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
    return key;
  }

  handle(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    if (operation === 'GetPublicKey') {
      const key = this.key(body);
      return {
        KeyId: body.KeyId,
        KeySpec: 'ECC_SECG_P256K1',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
        PublicKey: Buffer.from(`${SPKI_PREFIX}${key.publicKey.slice(2)}`, 'hex').toString('base64'),
      };
    }
    if (operation === 'Sign') {
      const key = this.key(body);
      if (body.MessageType !== 'DIGEST' || body.SigningAlgorithm !== 'ECDSA_SHA_256') {
        throw new KmsError(
          'ValidationException',
          'only MessageType DIGEST with ECDSA_SHA_256 is supported here',
        );
      }
      const digest = Buffer.from(String(body.Message), 'base64');
      if (digest.length !== 32) throw new KmsError('ValidationException', 'a digest is 32 bytes');
      const sig = key.sign(getBytes(digest));
      const seq = `${derInteger(sig.r)}${derInteger(sig.s)}`;
      const der = `30${(seq.length / 2).toString(16).padStart(2, '0')}${seq}`;
      return {
        KeyId: body.KeyId,
        SigningAlgorithm: 'ECDSA_SHA_256',
        Signature: Buffer.from(der, 'hex').toString('base64'),
      };
    }
    if (operation === 'GenerateMac') {
      return {
        KeyId: body.KeyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Mac: this.mac(body).toString('base64'),
      };
    }
    if (operation === 'VerifyMac') {
      const given = Buffer.from(String(body.Mac ?? ''), 'base64');
      const want = this.mac(body);
      if (given.length !== want.length || !timingSafeEqual(given, want))
        throw new KmsError('KMSInvalidMacException', 'the MAC does not verify');
      return { KeyId: body.KeyId, MacAlgorithm: 'HMAC_SHA_256', MacValid: true };
    }
    throw new KmsError('UnsupportedOperationException', `KMS ${operation} is not supported by the stand-in`);
  }
}
