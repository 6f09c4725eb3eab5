import { describe, expect, it } from 'vitest';
import { encodeErrorHeaders, parseErrorCode } from './error-headers';
import { ProtocolError } from './protocol-error';
import { thrownCode } from './test/builders';

describe('error headers', () => {
  it('sets RDN-Error and the µRaiden boolean header that carries the same meaning', () => {
    expect(encodeErrorHeaders(new ProtocolError('CHANNEL_NOT_FOUND'))).toEqual({
      'RDN-Error': 'CHANNEL_NOT_FOUND',
      'RDN-Nonexisting-Channel': '1',
    });
    expect(encodeErrorHeaders(new ProtocolError('BALANCE_STALE'))).toEqual({
      'RDN-Error': 'BALANCE_STALE',
      'RDN-Invalid-Amount': '1',
    });
    expect(encodeErrorHeaders(new ProtocolError('PAYMENT_MALFORMED'))).toEqual({
      'RDN-Error': 'PAYMENT_MALFORMED',
    });
  });

  it('adds Retry-After when the gateway knows the wait', () => {
    expect(
      encodeErrorHeaders(new ProtocolError('CHANNEL_INSUFFICIENT_CONFIRMATIONS'), { retryAfterSeconds: 12 }),
    ).toEqual({
      'RDN-Error': 'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      'RDN-Insufficient-Confirmations': '1',
      'Retry-After': '12',
    });
    expect(
      thrownCode(() =>
        encodeErrorHeaders(new ProtocolError('GATEWAY_UNAVAILABLE'), { retryAfterSeconds: 1.5 }),
      ),
    ).toBe('INVALID_ARGUMENT');
  });

  it('parses the code, tolerating unknown but code-shaped values and ignoring garbage', () => {
    expect(parseErrorCode({ 'rdn-error': 'BALANCE_STALE' })).toBe('BALANCE_STALE');
    expect(parseErrorCode({ 'RDN-Error': 'SOME_FUTURE_CODE' })).toBe('SOME_FUTURE_CODE');
    expect(parseErrorCode({ 'RDN-Error': '<script>' })).toBeUndefined();
    expect(parseErrorCode({ 'RDN-Error': 'lowercase' })).toBeUndefined();
    expect(parseErrorCode({})).toBeUndefined();
    expect(parseErrorCode(null as never)).toBeUndefined();
  });
});
