import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BALANCE_PROOF_TYPES } from './balance-proof';
import { CLOSING_PROOF_TYPES } from './closing-proof';
import { channelDomain, typedDataDomain } from './eip712-domain';
import { hexToBytes } from './hex';
import { ProtocolError } from './protocol-error';
import { loadNativeBackend, nobleBackend, type Secp256k1Backend } from './secp256k1-backend';
import { privateKeyToAddress, signBalanceProof, signClosingProof, signDigest } from './sign-proof';
import {
  aBalanceProof,
  aChannelId,
  aDomain,
  propertySeed,
  RECEIVER,
  RECEIVER_KEY,
  SENDER,
  SENDER_KEY,
  seededRandom,
  thrownCode,
} from './test/builders';

const native = loadNativeBackend();
const backends: Array<[string, Secp256k1Backend]> = [['noble', nobleBackend]];
if (native !== undefined) backends.push(['native', native]);

describe.each(backends)('signing (%s backend)', (_name, backend) => {
  it('produces the fixed vectors (identical to ethers Wallet.signTypedData)', () => {
    expect(signBalanceProof(SENDER_KEY, aDomain(), aBalanceProof(), backend)).toBe(
      '0xfae31470158aad0afc008795e9f5a16154927ed26bd9695778be7c12a652c18717c407922c36ac85dfcdd766e046fe39ed8a3e187792a9201cce63a3f7f112691c',
    );
    const closing = { channelId: aChannelId(), sender: SENDER, balance: 3_000_000_000_000_000n };
    expect(signClosingProof(RECEIVER_KEY, aDomain(), closing, backend)).toBe(
      '0x17f008f84f01f7614141113c89ab26da540580fea461f794679e4471caf6ef3034d1e9560fe600bd074921bf411e0657ab6f598161fa961954c0ead3a95cba721b',
    );
  });

  it('matches ethers byte for byte on 200 random keys and proofs', async () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    const balanceTypes = { BalanceProof: [...BALANCE_PROOF_TYPES.BalanceProof] };
    const closingTypes = { ClosingProof: [...CLOSING_PROOF_TYPES.ClosingProof] };
    for (let i = 0; i < 200; i++) {
      const key = rnd.hex(32);
      const wallet = new Wallet(key);
      const domain = channelDomain(1n + (rnd.uint(53) % (2n ** 53n - 1n)), rnd.hex(20));
      const proof = { channelId: rnd.hex(32), receiver: rnd.hex(20), balance: rnd.uint(256) };
      const expected = await wallet.signTypedData(typedDataDomain(domain), balanceTypes, proof);
      expect(signBalanceProof(key, domain, proof, backend), `seed ${seed} i ${i}`).toBe(expected);
      if (i % 10 === 0) {
        const closing = { channelId: proof.channelId, sender: rnd.hex(20), balance: proof.balance };
        const expectedClosing = await wallet.signTypedData(typedDataDomain(domain), closingTypes, closing);
        expect(signClosingProof(hexToBytes(key, 32) as Uint8Array, domain, closing, backend)).toBe(
          expectedClosing,
        );
        expect(privateKeyToAddress(key, backend)).toBe(wallet.address);
      }
    }
  }, 60_000);

  it('derives the anvil addresses from their keys', () => {
    expect(privateKeyToAddress(SENDER_KEY, backend)).toBe(SENDER);
    expect(privateKeyToAddress(RECEIVER_KEY, backend)).toBe(RECEIVER);
  });

  it.each([
    ['zero key', `0x${'00'.repeat(32)}`],
    ['key = n', '0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'],
    ['short key', '0x1234'],
    ['non-hex key', `0x${'zz'.repeat(32)}`],
  ])('throws INVALID_ARGUMENT for a %s and never echoes it', (_name, key) => {
    expect(thrownCode(() => signBalanceProof(key, aDomain(), aBalanceProof(), backend))).toBe(
      'INVALID_ARGUMENT',
    );
    try {
      signBalanceProof(key, aDomain(), aBalanceProof(), backend);
    } catch (err) {
      const text = JSON.stringify((err as ProtocolError).toJSON()) + (err as Error).message;
      expect(text).not.toContain(key.slice(2, 20));
    }
  });

  it('refuses a digest that is not 32 bytes', () => {
    expect(thrownCode(() => signDigest(SENDER_KEY, new Uint8Array(31), backend))).toBe('INVALID_ARGUMENT');
  });
});
