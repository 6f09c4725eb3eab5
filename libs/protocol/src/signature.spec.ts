import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './hex';
import { parseSignature, SECP256K1_N, serializeSignature } from './signature';
import { thrownCode } from './test/builders';

// The fixture BalanceProof signed by anvil account 0 (see balance-proof.spec.ts).
const VALID =
  '0xfae31470158aad0afc008795e9f5a16154927ed26bd9695778be7c12a652c18717c407922c36ac85dfcdd766e046fe39ed8a3e187792a9201cce63a3f7f112691c';

function withParts(r: bigint, s: bigint, v: number): string {
  return `0x${r.toString(16).padStart(64, '0')}${s.toString(16).padStart(64, '0')}${v.toString(16).padStart(2, '0')}`;
}
const R = BigInt(VALID.slice(0, 66));
const S = BigInt(`0x${VALID.slice(66, 130)}`);
const HALF_N = SECP256K1_N / 2n;

describe('parseSignature', () => {
  it('splits a canonical signature', () => {
    const parsed = parseSignature(VALID);
    expect(parsed.ok && parsed.value.recoveryId).toBe(1);
    expect(parsed.ok && bytesToHex(parsed.value.compact)).toBe(VALID.slice(0, 130));
    expect(parsed.ok && parsed.value.canonical).toBe(VALID);
  });

  it('accepts v = 0/1 and canonicalises it to 27/28 (OpenZeppelin ECDSA only takes 27/28)', () => {
    const parsed = parseSignature(withParts(R, S, 1));
    expect(parsed.ok && parsed.value.canonical).toBe(VALID);
    expect(parsed.ok && parsed.value.recoveryId).toBe(1);
    const zero = parseSignature(withParts(R, S, 0));
    expect(zero.ok && zero.value.canonical).toBe(withParts(R, S, 27));
  });

  it('accepts bytes as well as hex, and upper-case hex digits', () => {
    expect(parseSignature(hexToBytes(VALID, 65) as Uint8Array).ok).toBe(true);
    expect(parseSignature(`0x${VALID.slice(2).toUpperCase()}`).ok).toBe(true);
  });

  it('accepts s exactly n/2 and rejects n/2 + 1 (the malleability bound)', () => {
    expect(parseSignature(withParts(R, HALF_N, 27)).ok).toBe(true);
    expect(parseSignature(withParts(R, HALF_N + 1n, 27))).toEqual({
      ok: false,
      error: 's is in the upper half of the curve order (malleable)',
    });
  });

  it.each([
    ['the high-s twin of a valid signature', withParts(R, SECP256K1_N - S, 27), 'malleable'],
    ['v = 29', withParts(R, S, 29), 'v is not'],
    ['v = 2', withParts(R, S, 2), 'v is not'],
    ['r = 0', withParts(0n, S, 27), 'r is out of range'],
    ['r = n', withParts(SECP256K1_N, S, 27), 'r is out of range'],
    ['r = 2^256-1', withParts(2n ** 256n - 1n, S, 27), 'r is out of range'],
    ['s = 0', withParts(R, 0n, 27), 's is zero'],
    ['64 bytes (EIP-2098 compact)', VALID.slice(0, 130), 'not 65 bytes'],
    ['66 bytes', `${VALID}00`, 'not 65 bytes'],
    ['no 0x', VALID.slice(2), 'not 65 bytes'],
    ['non-hex digit', `${VALID.slice(0, 100)}g${VALID.slice(101)}`, 'not 65 bytes'],
    ['empty', '', 'not 65 bytes'],
  ])('rejects %s', (_name, signature, reason) => {
    const parsed = parseSignature(signature);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(reason);
  });

  it('rejects a 65-byte array with an invalid v without throwing', () => {
    const bytes = hexToBytes(VALID, 65) as Uint8Array;
    bytes[64] = 99;
    expect(parseSignature(bytes).ok).toBe(false);
    expect(parseSignature(new Uint8Array(10)).ok).toBe(false);
  });
});

describe('serializeSignature', () => {
  it('writes r‖s‖(27 + recovery id)', () => {
    const parsed = parseSignature(VALID);
    if (!parsed.ok) throw new Error('fixture');
    expect(serializeSignature(parsed.value.compact, 1)).toBe(VALID);
    expect(serializeSignature(parsed.value.compact, 0).slice(-2)).toBe('1b');
  });

  it('throws INVALID_ARGUMENT for a wrong length or recovery id', () => {
    expect(thrownCode(() => serializeSignature(new Uint8Array(63), 0))).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => serializeSignature(new Uint8Array(64), 2))).toBe('INVALID_ARGUMENT');
  });
});
