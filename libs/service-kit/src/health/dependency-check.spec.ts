import { describe, expect, it } from 'vitest';
import { NotReadyError, publicReason, withTimeout } from './dependency-check';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('publicReason', () => {
  it('shows a NotReadyError as written', () => {
    expect(publicReason(new NotReadyError('projection lags 5 messages behind'))).toBe(
      'projection lags 5 messages behind',
    );
  });

  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 10.1.2.3:5432', 'ECONNREFUSED'), 'ECONNREFUSED'],
    ['an unknown host', withCode('getaddrinfo ENOTFOUND kafka-0.internal', 'ENOTFOUND'), 'ENOTFOUND'],
    [
      "fetch's wrapped cause",
      new TypeError('fetch failed', {
        cause: withCode('connect ECONNREFUSED 127.0.0.1:3002', 'ECONNREFUSED'),
      }),
      'ECONNREFUSED',
    ],
  ])('gives %s by its code only', (_, err, code) => {
    expect(publicReason(err)).toBe(`unavailable (${code})`);
  });

  it('says nothing of an error without a code', () => {
    const reason = publicReason(new Error('Connection to kafka-0.internal:9092 failed'));
    expect(reason).toBe('unavailable (the service log says why)');
    expect(publicReason(withCode('duplicate key', '23505'))).toBe('unavailable (the service log says why)');
  });

  it('times out with a public reason', async () => {
    await expect(withTimeout(new Promise(() => undefined), 10, 'postgres')).rejects.toThrow(
      new NotReadyError('postgres did not answer within 10 ms'),
    );
  });
});
