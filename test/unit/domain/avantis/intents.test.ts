// The Avantis v2 intents (domain/avantis/intents.ts): a signature over intentDigest recovers the
// signer (what the TradingRouter checks), userIntent bytes decode back to the same message and
// digest, DelegateReq keeps its two orders apart, and nonces sit in their Permit2 bitmap bit.
import { AbiCoder, Wallet, getAddress, recoverAddress, verifyTypedData } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INTENT_TYPES,
  TNC_STRING,
  decodeIntent,
  encodeIntent,
  intentDigest,
  intentStructHash,
  noncePosition,
  tradingDomain,
  type CloseTradeReq,
  type DelegateReq,
  type IncreasePositionSizeReq,
  type OpenTradeReq,
} from '#core/domain/avantis/intents.js';

const ROUTER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = tradingDomain(31337, ROUTER);
const wallet = new Wallet(`0x${'11'.repeat(32)}`);

const u256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
const small = fc.bigInt({ min: 0n, max: 2n ** 64n });
const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => getAddress(`0x${Buffer.from(b).toString('hex')}`));

const openReq: fc.Arbitrary<OpenTradeReq> = fc.record({
  _t: fc.record({
    trader: address,
    pairIndex: small,
    index: small,
    initialPosToken: u256,
    positionSizeUSDC: u256,
    openPrice: u256,
    buy: fc.boolean(),
    leverage: u256,
    tp: u256,
    sl: u256,
    timestamp: u256,
  }),
  _type: fc.integer({ min: 0, max: 3 }),
  _slippageP: u256,
  _deadline: u256,
  _nonce: u256,
});
const closeReq: fc.Arbitrary<CloseTradeReq> = fc.record({
  _trader: address,
  _pairIndex: small,
  _index: small,
  _openTimestamp: u256,
  _amount: u256,
  _wantedPrice: u256,
  _deadline: u256,
  _nonce: u256,
});
const increaseReq: fc.Arbitrary<IncreasePositionSizeReq> = fc.record({
  _updateInfo: fc.record({
    trader: address,
    pairIndex: small,
    index: small,
    openPrice: u256,
    initialPosToken: u256,
    leverage: u256,
  }),
  _slippageP: u256,
  _deadline: u256,
  _nonce: u256,
});

// 200 random intents encoded, decoded and hashed: a second or two alone, over 5 s on a busy machine.
const PROPERTY_TIMEOUT_MS = 30_000;

describe('Avantis v2 intents', () => {
  it('a signature over the digest recovers the signer, for opens, closes and increases', async () => {
    // Prepare: a few random messages of each kind (signing is slow, so few runs).
    const samples = [
      ...fc.sample(openReq, 3).map((m) => ['OpenTradeReq', m] as const),
      ...fc.sample(closeReq, 3).map((m) => ['CloseTradeReq', m] as const),
      ...fc.sample(increaseReq, 3).map((m) => ['IncreasePositionSizeReq', m] as const),
    ];
    for (const [kind, message] of samples) {
      // Act
      const signature = await wallet.signTypedData(domain, INTENT_TYPES[kind], message);
      // Assess: the same digest ethers' own verifier uses, recovered to the signer.
      expect(recoverAddress(intentDigest(kind, domain, message), signature)).toBe(wallet.address);
      expect(verifyTypedData(domain, INTENT_TYPES[kind], message, signature)).toBe(wallet.address);
    }
  });

  it(
    'userIntent bytes decode back to the same message, so the digest of the decoded bytes is the signed one',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            openReq.map((m) => ['OpenTradeReq', m] as const),
            closeReq.map((m) => ['CloseTradeReq', m] as const),
            increaseReq.map((m) => ['IncreasePositionSizeReq', m] as const),
          ),
          ([kind, message]) => {
            const back = decodeIntent(kind, encodeIntent(kind, message));
            expect(back).toEqual(message);
            expect(intentDigest(kind, domain, back)).toBe(intentDigest(kind, domain, message));
          },
        ),
        { numRuns: 200 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('an OpenTradeReq encodes as one static tuple of 15 words (Trade inline, no offset)', () => {
    const [m] = fc.sample(openReq, 1);
    const encoded = encodeIntent('OpenTradeReq', m!);
    expect((encoded.length - 2) / 64).toBe(15);
  });

  it('a DelegateReq hashes the ToS in typehash order but encodes in struct order with an offset word', () => {
    // Prepare
    const m: DelegateReq = {
      trader: getAddress(`0x${'22'.repeat(20)}`),
      delegate: getAddress(`0x${'33'.repeat(20)}`),
      expiry: 1_900_000_000n,
      deadline: 1_800_000_000_123n,
      tnc: TNC_STRING,
      nonce: 42n,
    };
    // Act
    const encoded = encodeIntent('DelegateReq', m);
    const [tuple] = AbiCoder.defaultAbiCoder().decode(
      ['tuple(address,address,uint256,string,uint256,uint256)'],
      encoded,
    ) as unknown as [unknown[]];
    // Assess
    expect(encoded.slice(2, 66)).toBe(`${'0'.repeat(62)}20`);
    expect(tuple[3]).toBe(TNC_STRING);
    expect(tuple[4]).toBe(m.deadline);
    expect(Buffer.byteLength(TNC_STRING)).toBe(250);
    expect(intentStructHash('DelegateReq', m)).not.toBe(
      intentStructHash('DelegateReq', { ...m, tnc: `${TNC_STRING} ` }),
    );
    expect(decodeIntent('DelegateReq', encoded)).toEqual(m);
  });

  it('places an unordered nonce in its Permit2 bitmap word and bit', () => {
    expect(noncePosition(0n)).toEqual({ wordPos: 0n, bit: 0 });
    expect(noncePosition(255n)).toEqual({ wordPos: 0n, bit: 255 });
    expect(noncePosition(256n + 7n)).toEqual({ wordPos: 1n, bit: 7 });
    expect(noncePosition(2n ** 256n - 1n)).toEqual({ wordPos: 2n ** 248n - 1n, bit: 255 });
  });
});
