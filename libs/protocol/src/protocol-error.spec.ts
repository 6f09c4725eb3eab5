import { MicroraidenError } from '@microraiden/errors';
import { describe, expect, it } from 'vitest';
import {
  isProtocolError,
  isProtocolErrorCode,
  PROTOCOL_ERROR_CODES,
  PROTOCOL_ERRORS,
  ProtocolError,
} from './protocol-error';

describe('ProtocolError', () => {
  it('is a MicroraidenError with the table status and message', () => {
    const err = new ProtocolError('BALANCE_STALE', { balance: '5' });
    expect(err).toBeInstanceOf(MicroraidenError);
    expect(err.name).toBe('ProtocolError');
    expect(err.httpStatus).toBe(409);
    expect(err.toJSON()).toEqual({
      code: 'BALANCE_STALE',
      message: PROTOCOL_ERRORS.BALANCE_STALE.message,
      details: { balance: '5' },
    });
    expect(isProtocolError(err, 'BALANCE_STALE')).toBe(true);
    expect(isProtocolError(err, 'PAYMENT_REQUIRED')).toBe(false);
    expect(isProtocolError(new MicroraidenError('BALANCE_STALE', 'x'))).toBe(false);
  });

  it('keeps a custom message and cause', () => {
    const cause = new Error('rpc down');
    const err = new ProtocolError('GATEWAY_UNAVAILABLE', {}, { message: 'chain head is 40 s old', cause });
    expect(err.message).toBe('chain head is 40 s old');
    expect(err.cause).toBe(cause);
  });

  it('assigns the statuses the protocol documents', () => {
    const statuses = Object.fromEntries(
      PROTOCOL_ERROR_CODES.map((code) => [code, PROTOCOL_ERRORS[code].status]),
    );
    expect(statuses).toEqual({
      PAYMENT_REQUIRED: 402,
      PAYMENT_MALFORMED: 400,
      WRONG_CHAIN: 402,
      WRONG_CONTRACT: 402,
      WRONG_RECEIVER: 402,
      CHANNEL_NOT_FOUND: 402,
      SENDER_MISMATCH: 402,
      CHANNEL_CLOSING: 402,
      CHANNEL_INSUFFICIENT_CONFIRMATIONS: 402,
      BALANCE_EXCEEDS_DEPOSIT: 402,
      INVALID_SIGNATURE: 402,
      BALANCE_STALE: 409,
      INCREMENT_BELOW_PRICE: 402,
      CLOSE_BALANCE_MISMATCH: 409,
      GATEWAY_UNAVAILABLE: 503,
      RESPONSE_MALFORMED: 502,
      INVALID_ARGUMENT: 500,
    });
  });

  it('recognises codes without trusting prototype keys', () => {
    expect(isProtocolErrorCode('CHANNEL_CLOSING')).toBe(true);
    expect(isProtocolErrorCode('toString')).toBe(false);
    expect(isProtocolErrorCode(402)).toBe(false);
  });
});
