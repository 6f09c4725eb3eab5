import { describe, expect, it } from 'vitest';
import { paymentLogFields, PaymentLogSampler, type AnsweredRequest } from './payment-log';

const SENDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const CHANNEL = `0x${'ab'.repeat(32)}`;
const paying = {
  'rdn-sender-address': SENDER,
  'rdn-channel-id': CHANNEL,
  'rdn-balance': '3000',
  'rdn-balance-signature': `0x${'11'.repeat(65)}`,
};
const answered = (overrides: Partial<AnsweredRequest>): AnsweredRequest => ({
  requestId: 'r-1',
  method: 'GET',
  path: '/paid',
  requestHeaders: paying,
  status: 200,
  responseHeaders: {},
  latencyMs: 12.345,
  ...overrides,
});

describe('paymentLogFields', () => {
  it('logs a charged request with the amount in base and token units, its channel and latency', () => {
    const fields = paymentLogFields(
      answered({ responseHeaders: { 'RDN-Cost': '1000000000000000', 'RDN-Sender-Balance': '3000' } }),
      (base) => `${Number(base) / 1e18} MTK`,
    );
    expect(fields).toEqual({
      requestId: 'r-1',
      method: 'GET',
      path: '/paid',
      status: 200,
      outcome: 'paid',
      charged: '1000000000000000',
      chargedTokens: '0.001 MTK',
      sender: SENDER,
      channelId: CHANNEL,
      latencyMs: 12.3,
    });
  });

  it('logs a refused payment with its code and nothing charged', () => {
    const fields = paymentLogFields(
      answered({ status: 409, responseHeaders: { 'rdn-error': 'BALANCE_STALE' } }),
    );
    expect(fields).toMatchObject({ outcome: 'not_charged', code: 'BALANCE_STALE', status: 409 });
    expect(fields?.charged).toBeUndefined();
  });

  it('logs a 402 challenge to a request that offered no payment', () => {
    const fields = paymentLogFields(
      answered({ requestHeaders: {}, status: 402, responseHeaders: { 'RDN-Error': 'PAYMENT_REQUIRED' } }),
    );
    expect(fields).toMatchObject({ outcome: 'payment_required', code: 'PAYMENT_REQUIRED', status: 402 });
    expect(fields?.sender).toBeUndefined();
  });

  it('says nothing of a request without a payment that was not a 402', () => {
    expect(paymentLogFields(answered({ requestHeaders: {}, status: 200 }))).toBeUndefined();
    expect(paymentLogFields(answered({ requestHeaders: {}, status: 404 }))).toBeUndefined();
  });

  it('copies no client text that is not shaped like the protocol allows', () => {
    const fields = paymentLogFields(
      answered({
        requestHeaders: { ...paying, 'rdn-sender-address': 'x\n{"level":60}', 'rdn-channel-id': 'a b' },
        status: 402,
        responseHeaders: { 'rdn-error': 'not a code' },
      }),
    );
    expect(fields).toMatchObject({ outcome: 'not_charged' });
    expect(fields).not.toHaveProperty('sender');
    expect(fields).not.toHaveProperty('channelId');
    expect(fields).not.toHaveProperty('code');
  });
});

describe('PaymentLogSampler', () => {
  it('logs up to the rate each second and reports how many it left out', () => {
    let now = 10_000;
    const sampler = new PaymentLogSampler(2, () => now);
    expect(sampler.take()).toEqual({ log: true, unlogged: 0 });
    expect(sampler.take()).toEqual({ log: true, unlogged: 0 });
    expect(sampler.take()).toEqual({ log: false });
    expect(sampler.take()).toEqual({ log: false });
    now += 999;
    expect(sampler.take()).toEqual({ log: false });
    now += 1;
    expect(sampler.take()).toEqual({ log: true, unlogged: 3 });
    expect(sampler.take()).toEqual({ log: true, unlogged: 0 });
  });

  it('logs nothing at rate 0', () => {
    const sampler = new PaymentLogSampler(0, () => 0);
    expect(sampler.take()).toEqual({ log: false });
  });
});
