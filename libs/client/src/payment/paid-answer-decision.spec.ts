import { describe, expect, it } from 'vitest';
import type { Address, Hex, Hex32 } from '@microraiden/protocol';
import { decidePaidAnswer, evolveAttempt, type PaidAnswer, type PaidAttempt } from './paid-answer-decision';

const address = (digit: string) => `0x${digit.repeat(40)}` as Address;
const channelId = `0x${'c'.repeat(64)}` as Hex32;
const attempt: PaidAttempt = {
  challenge: {
    gatewayPath: '/api/1',
    receiver: address('1'),
    channelManager: address('2'),
    token: address('3'),
    price: 5n,
    chainId: 31337n,
  },
  channelId,
  proof: {
    channelId,
    sender: address('4'),
    receiver: address('1'),
    balance: 15n,
    signature: `0x${'ab'.repeat(65)}` as Hex,
    base: 10n,
    reused: false,
  },
  price: 5n,
  prepaid: false,
  resigned: false,
  networkFailed: false,
  waitedMs: 0,
  waits: 0,
};
const unavailable: PaidAnswer = {
  status: 503,
  code: 'GATEWAY_UNAVAILABLE',
  receipt: undefined,
  challenge: undefined,
  retryAfterMs: 1000,
};

// The gateways' (or the HAProxy front's) 503 GATEWAY_UNAVAILABLE: not an acceptance and not a refusal
// (docs/protocol.md 7 and 8.1), so the same proof goes again after Retry-After (deploy/README.md, "Retry rules").
describe('decidePaidAnswer on 503 GATEWAY_UNAVAILABLE', () => {
  it('waits Retry-After and re-sends the same proof', () => {
    expect(decidePaidAnswer(attempt, unavailable, 30_000)).toEqual({
      kind: 'wait',
      delayMs: 1000,
      reason: 'GATEWAY_UNAVAILABLE',
    });
  });

  it('hands the 503 to the caller once the wait bound is spent', () => {
    expect(decidePaidAnswer({ ...attempt, waitedMs: 29_500 }, unavailable, 30_000)).toMatchObject({
      kind: 'done',
      paid: null,
    });
  });

  it('then takes a BALANCE_STALE naming that proof as paid-and-lost, never as a reason to sign again', () => {
    const after = evolveAttempt(attempt, decidePaidAnswer(attempt, unavailable, 30_000));
    expect(after).toMatchObject({ waitedMs: 1000, waits: 1, networkFailed: true, proof: attempt.proof });
    const stale: PaidAnswer = {
      status: 409,
      code: 'BALANCE_STALE',
      receipt: { channelId, senderBalance: 15n, cost: 0n },
      challenge: undefined,
      retryAfterMs: undefined,
    };
    expect(decidePaidAnswer(after, stale, 30_000)).toEqual({ kind: 'lost' });
  });

  it('leaves other 5xx answers to the caller', () => {
    expect(decidePaidAnswer(attempt, { ...unavailable, status: 502, code: undefined }, 30_000)).toMatchObject(
      {
        kind: 'done',
      },
    );
  });
});
