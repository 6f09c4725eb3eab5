import { describe, expect, it } from 'vitest';
import { signBalanceProof } from '@microraiden/protocol';
import {
  gatewayBaseUrl,
  requestClosingSignature,
  type ClosingSignatureRequest,
} from './close-request-client';
import { RECEIVER, SENDER, SENDER_KEY, aChannelId, aTestGateway } from './test/builders';

function aRequest(overrides: Partial<ClosingSignatureRequest> = {}): ClosingSignatureRequest {
  const gateway = aTestGateway();
  const balance = overrides.balance ?? 10n;
  return {
    fetch: gateway.asFetch(),
    gatewayUrl: 'http://gateway.test',
    domain: gateway.domain,
    channelId: aChannelId(),
    sender: SENDER,
    receiver: RECEIVER,
    balance,
    balanceSignature: signBalanceProof(SENDER_KEY, gateway.domain, {
      channelId: aChannelId(),
      receiver: RECEIVER,
      balance,
    }),
    ...overrides,
  };
}

describe('gatewayBaseUrl', () => {
  it('defaults the gateway path to /api/1 and keeps an explicit one', () => {
    expect(gatewayBaseUrl('http://h:3000')).toBe('http://h:3000/api/1');
    expect(gatewayBaseUrl('http://h:3000/')).toBe('http://h:3000/api/1');
    expect(gatewayBaseUrl('http://h:3000/pay/v2/')).toBe('http://h:3000/pay/v2');
  });
});

describe('requestClosingSignature', () => {
  it('returns the receiver’s closing signature for the balance it accepted', async () => {
    const gateway = aTestGateway();
    gateway.accepted.set(aChannelId(), 10n);
    const answer = await requestClosingSignature(aRequest({ fetch: gateway.asFetch() }));
    expect(answer.ok).toBe(true);
    expect(gateway.closing.has(aChannelId())).toBe(true);
  });

  it('reports the gateway code when it refuses (another balance)', async () => {
    const gateway = aTestGateway();
    gateway.accepted.set(aChannelId(), 12n);
    expect(await requestClosingSignature(aRequest({ fetch: gateway.asFetch() }))).toEqual({
      ok: false,
      reason: 'the receiver refused to sign the close: CLOSE_BALANCE_MISMATCH',
      gatewayCode: 'CLOSE_BALANCE_MISMATCH',
    });
  });

  it('does not trust an answer signed by someone else or for another balance', async () => {
    const gateway = aTestGateway();
    gateway.accepted.set(aChannelId(), 10n);
    const honest = gateway.asFetch();
    const forging: typeof fetch = async (input, init) => {
      const response = await honest(input, init);
      const body = (await response.json()) as Record<string, string>;
      return Response.json({
        ...body,
        closingSignature: signBalanceProof(SENDER_KEY, gateway.domain, {
          channelId: aChannelId(),
          receiver: RECEIVER,
          balance: 10n,
        }),
      });
    };
    expect(await requestClosingSignature(aRequest({ fetch: forging }))).toMatchObject({
      ok: false,
      reason: /not the receiver/,
    });
    const otherBalance: typeof fetch = async (input, init) => {
      const body = (await (await honest(input, init)).json()) as Record<string, string>;
      return Response.json({ ...body, balance: '9' });
    };
    expect(await requestClosingSignature(aRequest({ fetch: otherBalance }))).toMatchObject({
      ok: false,
      reason: /another channel or balance/,
    });
  });

  it('reports an unreachable receiver instead of throwing', async () => {
    const down: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    expect(await requestClosingSignature(aRequest({ fetch: down }))).toMatchObject({
      ok: false,
      reason: /unreachable/,
    });
  });
});
