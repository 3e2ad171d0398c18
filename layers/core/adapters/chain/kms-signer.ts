// An ethers signer whose key never leaves AWS KMS (an ECC_SECG_P256K1 key): the executor can sign
// with it instead of a key kept in Secrets Manager. KMS returns a DER signature without the
// recovery id; it is normalised to low s and the id found by recovering the key's own address.
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  AbstractSigner,
  Signature,
  Transaction,
  computeAddress,
  getBytes,
  hashMessage,
  hexlify,
  recoverAddress,
  resolveAddress,
  type Provider,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** SEQUENCE { INTEGER r, INTEGER s } -> r, s. */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  let i = 2; // 0x30, length
  const int = () => {
    if (der[i] !== 0x02) throw new Error('not a DER signature');
    const len = der[i + 1] as number;
    const value = BigInt(hexlify(der.slice(i + 2, i + 2 + len)));
    i += 2 + len;
    return value;
  };
  return { r: int(), s: int() };
}

export class KmsSigner extends AbstractSigner {
  private address: Promise<string> | undefined;

  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
    provider: Provider | null = null,
  ) {
    super(provider);
  }

  override connect(provider: Provider | null): KmsSigner {
    return new KmsSigner(this.kms, this.keyId, provider);
  }

  override getAddress(): Promise<string> {
    this.address ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      const spki = out.PublicKey;
      if (!spki || spki.length < 65) throw new Error(`KMS key ${this.keyId} has no secp256k1 public key`);
      return computeAddress(hexlify(spki.slice(spki.length - 65)));
    });
    return this.address;
  }

  async signDigest(digest: string): Promise<Signature> {
    const out = await this.kms.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: getBytes(digest),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!out.Signature) throw new Error('KMS returned no signature');
    const { r, s: rawS } = parseDerSignature(out.Signature);
    const s = rawS > N / 2n ? N - rawS : rawS; // Ethereum accepts low s only
    const address = await this.getAddress();
    for (const v of [27, 28]) {
      const sig = Signature.from({
        r: `0x${r.toString(16).padStart(64, '0')}`,
        s: `0x${s.toString(16).padStart(64, '0')}`,
        v,
      });
      if (recoverAddress(digest, sig) === address) return sig;
    }
    throw new Error('the KMS signature does not recover to the key’s address');
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    const tx = Transaction.from({
      ...request,
      to: request.to ? await resolveAddress(request.to, this.provider) : null,
      from: undefined,
    } as Parameters<typeof Transaction.from>[0]);
    tx.signature = await this.signDigest(tx.unsignedHash);
    return tx.serialized;
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    return (await this.signDigest(hashMessage(message))).serialized;
  }

  override signTypedData(
    _domain: TypedDataDomain,
    _types: Record<string, TypedDataField[]>,
    _value: Record<string, unknown>,
  ): Promise<string> {
    return Promise.reject(new Error('the copy executor never signs typed data'));
  }
}
