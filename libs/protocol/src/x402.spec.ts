import { describe, expect, it } from 'vitest';
import {
  encodeX402Headers,
  parseX402PaymentRequired,
  X402_PAYMENT_REQUIRED_HEADER,
  x402PaymentRequired,
} from './x402';
import { aChallenge, thrownCode } from './test/builders';

const resource = {
  url: 'https://api.example.com/weather',
  description: 'Weather für heute',
  mimeType: 'application/json',
};

function b64(json: unknown): string {
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64');
}

describe('x402 v2 rendering', () => {
  it('describes the challenge with x402 v2 field names', () => {
    expect(x402PaymentRequired(aChallenge(), { resource, error: 'payment required' })).toEqual({
      x402Version: 2,
      error: 'payment required',
      resource,
      accepts: [
        {
          scheme: 'channel',
          network: 'eip155:31337',
          amount: '1000000000000000',
          asset: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
          payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          maxTimeoutSeconds: 60,
          extra: {
            channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            gatewayPath: '/api/1',
            name: 'MicroTransferChannels',
            version: '1',
          },
        },
      ],
    });
  });

  it('encodes PAYMENT-REQUIRED as standard base64 of UTF-8 JSON', () => {
    const headers = encodeX402Headers(aChallenge(), { resource, maxTimeoutSeconds: 30 });
    const value = headers[X402_PAYMENT_REQUIRED_HEADER] as string;
    expect(value).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    expect(decoded.resource.description).toBe('Weather für heute');
    expect(decoded.accepts[0].maxTimeoutSeconds).toBe(30);
  });

  it('parses back to the same challenge', () => {
    const headers = encodeX402Headers(aChallenge(), { resource, error: 'pay' });
    expect(parseX402PaymentRequired({ 'payment-required': headers['PAYMENT-REQUIRED'] })).toEqual({
      ok: true,
      value: { challenge: aChallenge(), resource, maxTimeoutSeconds: 60, error: 'pay' },
    });
  });

  it('skips offers of other schemes and broken channel offers, taking the first valid channel offer', () => {
    const good = x402PaymentRequired(aChallenge(), { resource }).accepts[0];
    const json = {
      x402Version: 2,
      resource,
      accepts: [
        {
          scheme: 'exact',
          network: 'eip155:8453',
          amount: '10',
          asset: good?.asset,
          payTo: good?.payTo,
          maxTimeoutSeconds: 5,
        },
        { ...good, network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' },
        { ...good, extra: { gatewayPath: '/api/1' } },
        good,
      ],
    };
    const result = parseX402PaymentRequired({ 'PAYMENT-REQUIRED': b64(json) });
    expect(result.ok && result.value.challenge).toEqual(aChallenge());
  });

  it.each([
    ['absent', undefined, 'missing'],
    ['not base64', '!!!', 'not base64 of UTF-8'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64'), 'not JSON'],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), 'not base64 of UTF-8'],
    ['x402 v1', b64({ x402Version: 1, accepts: [{}] }), 'not an x402 v2 PaymentRequired'],
    ['no accepts', b64({ x402Version: 2, accepts: [] }), 'not an x402 v2 PaymentRequired'],
    ['JSON null', b64(null), 'not an x402 v2 PaymentRequired'],
    [
      'only an exact offer',
      b64({
        x402Version: 2,
        accepts: [{ scheme: 'exact', network: 'eip155:1', amount: '1', asset: 'x', payTo: 'y' }],
      }),
      'no valid channel offer',
    ],
    [
      'a channel offer with price 0',
      b64({
        ...x402PaymentRequired(aChallenge(), { resource }),
        accepts: [{ ...x402PaymentRequired(aChallenge(), { resource }).accepts[0], amount: '0' }],
      }),
      'no valid channel offer',
    ],
    ['too long', 'A'.repeat(8196), 'too long'],
  ])('answers RESPONSE_MALFORMED when %s', (_name, value, reason) => {
    const result = parseX402PaymentRequired(value === undefined ? {} : { 'PAYMENT-REQUIRED': value });
    expect(!result.ok && result.error.code).toBe('RESPONSE_MALFORMED');
    expect(!result.ok && result.error.details.reason).toBe(reason);
  });

  it('throws INVALID_ARGUMENT without a resource URL or with a bad timeout', () => {
    expect(thrownCode(() => x402PaymentRequired(aChallenge(), { resource: { url: '' } }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownCode(() => x402PaymentRequired(aChallenge(), { resource, maxTimeoutSeconds: -1 }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
