import {
  channelDomain,
  nobleBackend,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  signBalanceProof,
  type Address,
  type Hex32,
} from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import {
  createSessionKey,
  sessionKeyFrom,
  sessionKeysAvailable,
  signBalanceProofWithSessionKey,
} from './session-key';

const domain = channelDomain(31337n, '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512');
const receiver = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;

describe('session keys (@noble/secp256k1)', () => {
  it('are available in this runtime (WebCrypto)', () => {
    expect(sessionKeysAvailable()).toBe(true);
  });

  it('derive the address the protocol derives, for random keys and the edges 1 and n-1', () => {
    const keys = [
      hex32(1n),
      hex32(2n),
      hex32(N - 1n),
      ...Array.from({ length: 8 }, () => createSessionKey().privateKey),
    ];
    for (const privateKey of keys) {
      expect(sessionKeyFrom(privateKey)?.address).toBe(privateKeyToAddress(privateKey, nobleBackend));
    }
  });

  it('refuse what is not a private key', () => {
    for (const bad of [hex32(0n), hex32(N), `0x${'ff'.repeat(32)}`, '0x1234', 42, undefined, 'nothex']) {
      expect(sessionKeyFrom(bad)).toBeUndefined();
    }
  });

  it('sign balance proofs byte for byte as the protocol does (RFC 6979, low s), and they recover to the key', async () => {
    for (let i = 0; i < 12; i++) {
      const key = createSessionKey();
      const proof = { channelId, receiver, balance: BigInt(i) * 10n ** 15n + 1n };
      const signature = await signBalanceProofWithSessionKey(key, domain, proof);
      expect(signature).toBe(signBalanceProof(key.privateKey, domain, proof, nobleBackend));
      const signer = recoverBalanceProofSigner(domain, proof, signature);
      expect(signer.ok && signer.value).toBe(key.address);
    }
  });

  it('sign as the protocol does for keys at the edges 1 and n-1', async () => {
    for (const edge of [hex32(1n), hex32(N - 1n)]) {
      const key = sessionKeyFrom(edge)!;
      const proof = { channelId, receiver, balance: 1n };
      expect(await signBalanceProofWithSessionKey(key, domain, proof)).toBe(
        signBalanceProof(key.privateKey, domain, proof, nobleBackend),
      );
    }
  });
});
