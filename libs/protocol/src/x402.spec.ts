import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeX402Headers,
  parseX402PaymentRequired,
  X402_PAYMENT_REQUIRED_HEADER,
  encodeX402Payment,
  encodeX402Response,
  MAX_X402_HEADER_LENGTH,
  parseX402Payment,
  parseX402Response,
  x402PaymentPayload,
  x402PaymentRequired,
  x402Requirements,
  x402SettleResponse,
} from './x402';
import {
  aChallenge,
  aChannelId,
  aDomain,
  CHAIN_ID,
  RECEIVER,
  SENDER,
  SENDER_KEY,
  thrownCode,
} from './test/builders';
import { signBalanceProof } from './sign-proof';
import { parsePayment, encodePayment } from './payment-headers';

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
          scheme: 'microraiden-channel',
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
      value: {
        challenge: aChallenge(),
        accepted: x402Requirements(aChallenge()),
        resource,
        maxTimeoutSeconds: 60,
        error: 'pay',
        token: undefined,
        channel: undefined,
      },
    });
  });

  it('says a metered price is a ceiling and a streamed one a step (extra.priceMode), and parses it back', () => {
    const metered = { ...aChallenge(), priceMode: 'metered' as const };
    expect(x402Requirements(metered)).toMatchObject({
      amount: '1000000000000000',
      extra: { priceMode: 'metered' },
    });
    expect(x402Requirements(aChallenge()).extra).not.toHaveProperty('priceMode');
    const stream = { ...aChallenge(), priceMode: 'stream' as const, unitPrice: 1000n };
    expect(x402Requirements(stream).extra).toMatchObject({ priceMode: 'stream', unitPrice: '1000' });
    const bytes = { ...stream, unitBytes: 65_536 };
    expect(x402Requirements(bytes).extra).toMatchObject({ priceMode: 'stream', unitBytes: 65_536 });
    for (const challenge of [metered, stream, bytes]) {
      const headers = encodeX402Headers(challenge, { resource });
      const parsed = parseX402PaymentRequired({ 'payment-required': headers['PAYMENT-REQUIRED'] });
      expect(parsed.ok && parsed.value.challenge).toEqual(challenge);
    }
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
      'no valid microraiden-channel offer',
    ],
    [
      'a channel offer with price 0',
      b64({
        ...x402PaymentRequired(aChallenge(), { resource }),
        accepts: [{ ...x402PaymentRequired(aChallenge(), { resource }).accepts[0], amount: '0' }],
      }),
      'no valid microraiden-channel offer',
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

describe('x402 payment (PAYMENT-SIGNATURE)', () => {
  const balance = 3_000_000_000_000_000n;
  const channelId = aChannelId();
  const signature = signBalanceProof(SENDER_KEY, aDomain(), { channelId, receiver: RECEIVER, balance });
  const proof = { sender: SENDER, channelId, balance, signature };
  const accepted = x402Requirements(aChallenge());
  const header = (json: unknown) => ({ 'PAYMENT-SIGNATURE': b64(json) });
  const payload = x402PaymentPayload(accepted, proof, resource);

  it('reads as exactly the payment of the RDN-* headers with the echoes', () => {
    const rdn = parsePayment(
      encodePayment({
        ...proof,
        receiver: RECEIVER,
        channelManager: aChallenge().channelManager,
        chainId: CHAIN_ID,
      }),
    );
    expect(parseX402Payment(encodeX402Payment(accepted, proof))).toEqual(rdn);
  });

  it('is absent when the header is', () => {
    expect(parseX402Payment({})).toEqual({ ok: true, value: undefined });
  });

  it('ignores resource, extensions, unknown fields and a corrective channel state in accepted', () => {
    const echoed = {
      ...payload,
      extensions: { bazaar: {} },
      future: 1,
      accepted: {
        ...accepted,
        extra: { ...accepted.extra, channel: { sender: SENDER, channelId, balance: '0' } },
      },
    };
    expect(parseX402Payment(header(echoed)).ok).toBe(true);
  });

  it.each([
    ['empty', '', 'empty'],
    ['too long', 'A'.repeat(MAX_X402_HEADER_LENGTH + 4), 'too long'],
    ['not base64', '%%%%', 'not base64 of UTF-8'],
    ['unpadded base64', 'eyJ4IjoxfQ', 'not base64 of UTF-8'],
    ['not JSON', Buffer.from('{').toString('base64'), 'not JSON'],
    ['x402 v1', b64({ ...payload, x402Version: 1 }), 'x402Version: Invalid input: expected 2'],
    [
      'an unknown scheme',
      b64({ ...payload, accepted: { ...accepted, scheme: 'exact' } }),
      'accepted.scheme: Invalid input: expected "microraiden-channel"',
    ],
    [
      'a balance of the wrong type',
      b64({ ...payload, payload: { ...payload.payload, balance: 3 } }),
      'payload.balance: Invalid input: expected string, received number',
    ],
    [
      'a non-canonical balance',
      b64({ ...payload, payload: { ...payload.payload, balance: '03' } }),
      'payload.balance: not a canonical base-10 unsigned integer',
    ],
    [
      'a short signature',
      b64({ ...payload, payload: { ...payload.payload, signature: '0x12' } }),
      'payload.signature: not 0x followed by 130 hex digits',
    ],
    [
      'a network of another family',
      b64({ ...payload, accepted: { ...accepted, network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' } }),
      'accepted.network: not eip155:<chain id>',
    ],
    [
      'no payload',
      b64({ ...payload, payload: undefined }),
      'payload: Invalid input: expected object, received undefined',
    ],
    ['JSON null', b64(null), 'Invalid input: expected object, received null'],
  ])('is PAYMENT_MALFORMED naming PAYMENT-SIGNATURE when %s', (_name, value, reason) => {
    const result = parseX402Payment({ 'payment-signature': value });
    expect(!result.ok && result.error.code).toBe('PAYMENT_MALFORMED');
    expect(!result.ok && result.error.details).toEqual({ header: 'PAYMENT-SIGNATURE', reason });
  });

  it('never throws, whatever the header holds: a payment or PAYMENT_MALFORMED (fuzz)', () => {
    const json = fc.jsonValue().map((value) => b64(value));
    const mutated = fc
      .tuple(fc.constantFrom('accepted', 'payload'), fc.string(), fc.jsonValue())
      .map(([part, key, value]) =>
        b64({ ...payload, [part]: { ...(payload[part] as object), [key]: value } }),
      );
    const value = fc.oneof(fc.string({ maxLength: 300 }), fc.base64String({ maxLength: 300 }), json, mutated);
    fc.assert(
      fc.property(value, (header) => {
        const result = parseX402Payment({ 'PAYMENT-SIGNATURE': header });
        if (!result.ok) expect(result.error.code).toBe('PAYMENT_MALFORMED');
      }),
      { numRuns: 1000 },
    );
  });

  it('never echoes a submitted value in the reason', () => {
    const secret = 'zz-secret-value-zz';
    const result = parseX402Payment(header({ ...payload, payload: { ...payload.payload, balance: secret } }));
    expect(!result.ok && JSON.stringify(result.error.details)).not.toContain(secret);
  });

  it('refuses to encode a payment for a requirement that is not ours', () => {
    expect(thrownCode(() => x402PaymentPayload({ ...accepted, scheme: 'exact' } as never, proof))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('x402 settle response (PAYMENT-RESPONSE)', () => {
  const channelId = aChannelId();
  const receipt = { channelId, senderBalance: 5n, cost: 2n };

  it('is a success with the charge and the receipt when charged', () => {
    expect(x402SettleResponse(CHAIN_ID, { kind: 'receipt', receipt, payer: SENDER })).toEqual({
      success: true,
      payer: SENDER,
      transaction: '',
      network: 'eip155:31337',
      amount: '2',
      extra: { channelId, senderBalance: '5', cost: '2' },
    });
  });

  it('carries the charged balance in extra where it differs from the sender balance (metered)', () => {
    const metered = { ...receipt, chargedBalance: 4n };
    const response = x402SettleResponse(CHAIN_ID, { kind: 'receipt', receipt: metered, payer: SENDER });
    expect(response.extra).toEqual({ channelId, senderBalance: '5', cost: '2', chargedBalance: '4' });
    const equal = x402SettleResponse(CHAIN_ID, {
      kind: 'receipt',
      receipt: { ...receipt, chargedBalance: 5n },
      payer: SENDER,
    });
    expect(equal.extra).toEqual({ channelId, senderBalance: '5', cost: '2' });
    const parsed = parseX402Response(
      encodeX402Response(CHAIN_ID, { kind: 'receipt', receipt: metered, payer: SENDER }),
    );
    expect(parsed.ok && parsed.value?.extra?.chargedBalance).toBe(4n);
  });

  it('is NOT_CHARGED when delivered without a charge', () => {
    const response = x402SettleResponse(CHAIN_ID, {
      kind: 'receipt',
      receipt: { ...receipt, cost: 0n },
      payer: SENDER,
    });
    expect(response).toMatchObject({ success: false, errorReason: 'NOT_CHARGED', amount: '0' });
  });

  it('carries the code and message of a refusal, without a payer unless given', () => {
    const response = x402SettleResponse(CHAIN_ID, {
      kind: 'refused',
      code: 'PAYMENT_MALFORMED',
      message: 'm',
    });
    expect(response).toEqual({
      success: false,
      errorReason: 'PAYMENT_MALFORMED',
      errorMessage: 'm',
      transaction: '',
      network: 'eip155:31337',
    });
  });

  it('parses back what it encodes, and refuses a malformed header', () => {
    const headers = encodeX402Response(CHAIN_ID, { kind: 'receipt', receipt, payer: SENDER });
    expect(parseX402Response(headers)).toEqual({
      ok: true,
      value: { success: true, payer: SENDER, transaction: '', network: CHAIN_ID, amount: 2n, extra: receipt },
    });
    const bad = parseX402Response({ 'PAYMENT-RESPONSE': b64({ success: true, network: 'eip155:1' }) });
    expect(!bad.ok && bad.error.code).toBe('RESPONSE_MALFORMED');
    expect(parseX402Response({})).toEqual({ ok: true, value: undefined });
  });
});

describe('x402 corrective requirement', () => {
  it('round-trips the channel state and the token info', () => {
    const channel = { sender: SENDER, channelId: aChannelId(), balance: 0n };
    const token = { symbol: 'RDN', decimals: 18 };
    const headers = encodeX402Headers(aChallenge(), { resource, channel, token });
    const parsed = parseX402PaymentRequired(headers);
    expect(parsed.ok && parsed.value.channel).toEqual(channel);
    expect(parsed.ok && parsed.value.token).toEqual(token);
  });

  it('refuses token info a person could be fooled by', () => {
    expect(
      thrownCode(() => x402Requirements(aChallenge(), { token: { symbol: 'R D N', decimals: 18 } })),
    ).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => x402Requirements(aChallenge(), { token: { symbol: 'RDN', decimals: 78 } }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
