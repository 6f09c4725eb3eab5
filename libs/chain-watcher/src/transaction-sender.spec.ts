import { describe, expect, it } from 'vitest';
import { isNonceError } from './transaction-sender';

describe('isNonceError', () => {
  it('recognises the ways nodes and ethers report a stale nonce', () => {
    expect(isNonceError({ code: 'NONCE_EXPIRED' })).toBe(true);
    expect(isNonceError({ code: 'REPLACEMENT_UNDERPRICED' })).toBe(true);
    expect(isNonceError(new Error('nonce too low: next nonce 5, tx nonce 4'))).toBe(true);
    expect(isNonceError(new Error('already known'))).toBe(true);
    expect(isNonceError(new Error('replacement transaction underpriced'))).toBe(true);
  });

  it('leaves other failures alone (they must not trigger a nonce re-read loop)', () => {
    expect(isNonceError(new Error('insufficient funds for gas * price + value'))).toBe(false);
    expect(isNonceError({ code: 'CALL_EXCEPTION' })).toBe(false);
    expect(isNonceError(undefined)).toBe(false);
  });
});
