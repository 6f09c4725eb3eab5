import { describe, expect, it } from 'vitest';
import { checksumOf, isChecksummedAddress, isEventAddress } from './event-address';

const CHECKSUMMED = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

describe('event addresses', () => {
  it('checksums any letter case of 0x + 40 hex digits, and nothing else', () => {
    expect(checksumOf(CHECKSUMMED.toLowerCase())).toBe(CHECKSUMMED);
    expect(checksumOf(`0x${CHECKSUMMED.slice(2).toUpperCase()}`)).toBe(CHECKSUMMED);
    expect(checksumOf(CHECKSUMMED.slice(0, 41))).toBeUndefined();
    expect(checksumOf(`0X${CHECKSUMMED.slice(2)}`)).toBeUndefined();
    expect(checksumOf(CHECKSUMMED.slice(2))).toBeUndefined();
  });

  it('accepts lower case and the checksum form, refuses a wrong checksum and non-strings', () => {
    expect(isEventAddress(CHECKSUMMED.toLowerCase())).toBe(true);
    expect(isEventAddress(CHECKSUMMED)).toBe(true);
    expect(isEventAddress(`0x${'0'.repeat(40)}`)).toBe(true);
    expect(isEventAddress(CHECKSUMMED.replace('a', 'A'))).toBe(false);
    expect(isEventAddress(42)).toBe(false);
  });

  it('calls only the checksum form checksummed', () => {
    expect(isChecksummedAddress(CHECKSUMMED)).toBe(true);
    expect(isChecksummedAddress(CHECKSUMMED.toLowerCase())).toBe(false);
    expect(isChecksummedAddress(undefined)).toBe(false);
  });
});
