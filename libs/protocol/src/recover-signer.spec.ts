import { Wallet, verifyTypedData } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BALANCE_PROOF_TYPES, balanceProofDigest, type BalanceProof } from './balance-proof';
import { CLOSING_PROOF_TYPES } from './closing-proof';
import { channelDomain, typedDataDomain } from './eip712-domain';
import { bytesToHex, type Hex } from './hex';
import {
  publicKeyToAddress,
  recoverBalanceProofSigner,
  recoverClosingProofSigner,
  recoverSigner,
  verifyBalanceProofSignature,
} from './recover-signer';
import { defaultBackend, loadNativeBackend, nobleBackend, type Secp256k1Backend } from './secp256k1-backend';
import { signBalanceProof } from './sign-proof';
import { SECP256K1_N } from './signature';
import {
  aBalanceProof,
  aChannelId,
  aDomain,
  propertySeed,
  RECEIVER,
  SENDER,
  seededRandom,
  STRANGER_KEY,
} from './test/builders';

// Computed once with ethers Wallet.signTypedData (anvil keys 0 and 1) and hard-coded, so a change in
// digest or recovery fails here even if ethers changed too.
const BALANCE_SIGNATURE: Hex =
  '0xfae31470158aad0afc008795e9f5a16154927ed26bd9695778be7c12a652c18717c407922c36ac85dfcdd766e046fe39ed8a3e187792a9201cce63a3f7f112691c';
const CLOSING_SIGNATURE: Hex =
  '0x17f008f84f01f7614141113c89ab26da540580fea461f794679e4471caf6ef3034d1e9560fe600bd074921bf411e0657ab6f598161fa961954c0ead3a95cba721b';

const native = loadNativeBackend();
const backends: Array<[string, Secp256k1Backend]> = [['noble', nobleBackend]];
if (native !== undefined) backends.push(['native', native]);

const ethersBalanceTypes = { BalanceProof: [...BALANCE_PROOF_TYPES.BalanceProof] };

function highSTwin(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130), 16);
  const twinS = (SECP256K1_N - s).toString(16).padStart(64, '0');
  return `${signature.slice(0, 66)}${twinS}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}

describe.each(backends)('signer recovery (%s backend)', (_name, backend) => {
  it('recovers the fixed vectors', () => {
    expect(recoverBalanceProofSigner(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, backend)).toEqual({
      ok: true,
      value: SENDER,
    });
    const closing = { channelId: aChannelId(), sender: SENDER, balance: 3_000_000_000_000_000n };
    expect(recoverClosingProofSigner(aDomain(), closing, CLOSING_SIGNATURE, backend)).toEqual({
      ok: true,
      value: RECEIVER,
    });
  });

  it('agrees with ethers verifyTypedData on 220 random keys, proofs and domains', async () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 220; i++) {
      const wallet = new Wallet(rnd.hex(32));
      const domain = channelDomain(1n + (rnd.uint(53) % (2n ** 53n - 1n)), rnd.hex(20));
      const proof: BalanceProof = { channelId: rnd.hex(32), receiver: rnd.hex(20), balance: rnd.uint(256) };
      const signature = await wallet.signTypedData(typedDataDomain(domain), ethersBalanceTypes, proof);
      const theirs = verifyTypedData(typedDataDomain(domain), ethersBalanceTypes, proof, signature);
      const ours = recoverBalanceProofSigner(domain, proof, signature, backend);
      expect(ours, `seed ${seed} i ${i}`).toEqual({ ok: true, value: theirs });
      expect(theirs).toBe(wallet.address);
      // A different balance must not recover the same signer.
      const other = recoverBalanceProofSigner(
        domain,
        { ...proof, balance: proof.balance ^ 1n },
        signature,
        backend,
      );
      expect(other.ok && other.value).not.toBe(wallet.address);
    }
  }, 60_000);

  it('rejects the high-s twin although it recovers the same key (malleability)', () => {
    const twin = highSTwin(BALANCE_SIGNATURE);
    const digest = balanceProofDigest(aDomain(), aBalanceProof());
    // Without the s check the twin is as good as the original: that is the attack.
    const compact = Uint8Array.from(Buffer.from(twin.slice(2, 130), 'hex'));
    const raw = backend.recoverPublicKey(digest, compact, parseInt(twin.slice(130), 16) - 27);
    expect(raw !== undefined && publicKeyToAddress(raw)).toBe(SENDER);

    const result = recoverSigner(digest, twin, backend);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('INVALID_SIGNATURE');
    expect(!result.ok && result.error.details.reason).toContain('malleable');
  });

  it('answers INVALID_SIGNATURE, without throwing, for an r that is not on the curve', () => {
    // r = 5 has no curve point with that x coordinate: nothing recovers.
    const sig = `0x${'00'.repeat(31)}05${'00'.repeat(31)}01${'1b'}`;
    const result = recoverSigner(new Uint8Array(32).fill(7), sig, backend);
    expect(!result.ok && result.error.code).toBe('INVALID_SIGNATURE');
  });

  it('keeps rejecting other keys for a signer it has already verified', () => {
    const strangerSig = signBalanceProof(STRANGER_KEY, aDomain(), aBalanceProof(), backend);
    for (let i = 0; i < 3; i++) {
      expect(
        verifyBalanceProofSignature(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, SENDER, backend).ok,
      ).toBe(true);
      expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), strangerSig, SENDER, backend).ok).toBe(
        false,
      );
      expect(
        verifyBalanceProofSignature(
          aDomain(),
          aBalanceProof(),
          strangerSig,
          new Wallet(STRANGER_KEY).address,
          backend,
        ).ok,
      ).toBe(true);
      expect(
        verifyBalanceProofSignature(
          aDomain(),
          aBalanceProof(),
          BALANCE_SIGNATURE,
          SENDER.toLowerCase(),
          backend,
        ).ok,
      ).toBe(true);
    }
  });

  it('still repairs a flipped v and judges by r‖s for a sender whose key it has already proven', () => {
    const flipped = `${BALANCE_SIGNATURE.slice(0, 130)}1b` as Hex;
    const moreBalance = { ...aBalanceProof(), balance: aBalanceProof().balance + 1n };
    for (let i = 0; i < 3; i++) {
      expect(
        verifyBalanceProofSignature(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, SENDER, backend),
      ).toEqual({ ok: true, value: BALANCE_SIGNATURE });
      expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), flipped, SENDER, backend)).toEqual({
        ok: true,
        value: BALANCE_SIGNATURE,
      });
      expect(verifyBalanceProofSignature(aDomain(), moreBalance, BALANCE_SIGNATURE, SENDER, backend).ok).toBe(
        false,
      );
    }
  });

  it('judges a proof by r‖s alone: a flipped v passes, a changed balance or s does not', () => {
    const flipped = `${BALANCE_SIGNATURE.slice(0, 130)}1b` as Hex; // BALANCE_SIGNATURE has v = 28
    expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), flipped, SENDER, backend).ok).toBe(true);
    const moreBalance = { ...aBalanceProof(), balance: aBalanceProof().balance + 1n };
    expect(verifyBalanceProofSignature(aDomain(), moreBalance, BALANCE_SIGNATURE, SENDER, backend).ok).toBe(
      false,
    );
    const otherS = `${BALANCE_SIGNATURE.slice(0, 128)}${BALANCE_SIGNATURE.slice(128, 130) === '00' ? '01' : '00'}1c`;
    expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), otherS, SENDER, backend).ok).toBe(false);
    expect(
      verifyBalanceProofSignature(aDomain(), aBalanceProof(), highSTwin(BALANCE_SIGNATURE), SENDER, backend),
    ).toEqual({ ok: false, error: 's is in the upper half of the curve order (malleable)' });
  });

  it('returns a flipped v repaired, so that ecrecover on chain finds the sender', () => {
    const flipped = `${BALANCE_SIGNATURE.slice(0, 130)}1b` as Hex;
    // ecrecover uses the v it is given: as sent, the flipped signature finds someone else (a lost dispute).
    const asGiven = recoverBalanceProofSigner(aDomain(), aBalanceProof(), flipped, backend);
    expect(asGiven.ok && asGiven.value).not.toBe(SENDER);
    const flippedZeroOne = `${BALANCE_SIGNATURE.slice(0, 130)}00`;
    for (const given of [flipped, flippedZeroOne, BALANCE_SIGNATURE.toUpperCase().replace('0X', '0x')]) {
      expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), given, SENDER, backend)).toEqual({
        ok: true,
        value: BALANCE_SIGNATURE,
      });
    }
    expect(recoverBalanceProofSigner(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, backend)).toEqual({
      ok: true,
      value: SENDER,
    });
  });

  it('verifyBalanceProofSignature returns the canonical form or why it fails', () => {
    const vZero = `${BALANCE_SIGNATURE.slice(0, 130)}01`;
    expect(verifyBalanceProofSignature(aDomain(), aBalanceProof(), vZero, SENDER, backend)).toEqual({
      ok: true,
      value: BALANCE_SIGNATURE,
    });
    expect(
      verifyBalanceProofSignature(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, RECEIVER, backend),
    ).toEqual({
      ok: false,
      error: 'not signed by the channel sender',
    });
    const stranger = new Wallet(STRANGER_KEY);
    expect(
      verifyBalanceProofSignature(aDomain(), aBalanceProof(), BALANCE_SIGNATURE, stranger.address, backend)
        .ok,
    ).toBe(false);
  });
});

describe('secp256k1 backends', () => {
  it('loads the native addon here, so the gateway gets the fast path', () => {
    // The prebuilt linux-x64 binary ships with the package; if this fails, production falls back silently.
    expect(native?.name).toBe('native');
    if (process.env.MICRORAIDEN_SECP256K1 !== 'noble') expect(defaultBackend.name).toBe('native');
  });

  it('native and noble recover the same key for random digests', () => {
    if (native === undefined) return;
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    for (let i = 0; i < 50; i++) {
      const key = rnd.bytes(32);
      const digest = rnd.bytes(32);
      const signed = nobleBackend.sign(digest, key);
      expect(native.sign(digest, key), `seed ${seed}`).toEqual(signed);
      const a = native.recoverPublicKey(digest, signed.compact, signed.recoveryId);
      const b = nobleBackend.recoverPublicKey(digest, signed.compact, signed.recoveryId);
      expect(a && bytesToHex(a)).toBe(b && bytesToHex(b));
      expect(a && bytesToHex(a)).toBe(bytesToHex(nobleBackend.publicKey(key)));
    }
  });
});

describe('ClosingProof types', () => {
  it('recovers what ethers signed with the exported types object', async () => {
    const wallet = new Wallet(STRANGER_KEY);
    const proof = { channelId: aChannelId(), sender: SENDER, balance: 42n };
    const types = { ClosingProof: [...CLOSING_PROOF_TYPES.ClosingProof] };
    const signature = await wallet.signTypedData(typedDataDomain(aDomain()), types, proof);
    expect(recoverClosingProofSigner(aDomain(), proof, signature)).toEqual({
      ok: true,
      value: wallet.address,
    });
  });
});
