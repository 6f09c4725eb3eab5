import { describe, expect, it } from 'vitest';
import { encodeChallenge, parseChallenge, type Challenge } from './challenge-headers';
import type { HeaderBag } from './header-bag';
import { aChallenge, RECEIVER, thrownCode } from './test/builders';

const valid = encodeChallenge(aChallenge());

function withHeader(name: string, value: string | undefined): HeaderBag {
  const headers: Record<string, string> = { ...valid };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return headers;
}

describe('challenge headers', () => {
  it('encodes the six RDN-* challenge headers', () => {
    expect(valid).toEqual({
      'RDN-Gateway-Path': '/api/1',
      'RDN-Receiver-Address': '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      'RDN-Contract-Address': '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      'RDN-Token-Address': '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      'RDN-Price': '1000000000000000',
      'RDN-Chain-Id': '31337',
    });
  });

  it('round-trips', () => {
    expect(parseChallenge(valid)).toEqual({ ok: true, value: aChallenge() });
    expect(parseChallenge(new Headers(valid))).toEqual({ ok: true, value: aChallenge() });
  });

  it('sends RDN-Price-Mode for a metered route only, and reads it back', () => {
    const metered = { ...aChallenge(), priceMode: 'metered' as const };
    expect(encodeChallenge(metered)['RDN-Price-Mode']).toBe('metered');
    expect(parseChallenge(encodeChallenge(metered))).toEqual({ ok: true, value: metered });
    expect(encodeChallenge({ ...aChallenge(), priceMode: 'fixed' })).toEqual(valid);
    expect(parseChallenge(withHeader('RDN-Price-Mode', 'fixed'))).toEqual({ ok: true, value: aChallenge() });
    const unknown = parseChallenge(withHeader('RDN-Price-Mode', 'auction'));
    expect(!unknown.ok && unknown.error.details).toEqual({
      header: 'RDN-Price-Mode',
      reason: 'not fixed, metered or stream',
    });
  });

  it('sends RDN-Unit-Price with a streamed route (RDN-Price is one step), and reads it back', () => {
    const streamed = { ...aChallenge(), price: 150n, priceMode: 'stream' as const, unitPrice: 3n };
    const headers = encodeChallenge(streamed);
    expect(headers).toMatchObject({ 'RDN-Price': '150', 'RDN-Price-Mode': 'stream', 'RDN-Unit-Price': '3' });
    expect(parseChallenge(headers)).toEqual({ ok: true, value: streamed });
    expect(() => encodeChallenge({ ...streamed, unitPrice: 151n })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    // Not a streamed route: the header means nothing and is not read.
    expect(parseChallenge({ ...valid, 'RDN-Unit-Price': 'x' })).toEqual({ ok: true, value: aChallenge() });
    const bad = parseChallenge({ ...headers, 'RDN-Unit-Price': '0' });
    expect(!bad.ok && bad.error.details).toMatchObject({ header: 'RDN-Unit-Price' });
  });

  it('sends RDN-Unit-Bytes with a byte-metered stream, and reads it back within 1..16 MiB', () => {
    const bytes = {
      ...aChallenge(),
      price: 160n,
      priceMode: 'stream' as const,
      unitPrice: 10n,
      unitBytes: 65_536,
    };
    const headers = encodeChallenge(bytes);
    expect(headers).toMatchObject({ 'RDN-Unit-Bytes': '65536' });
    expect(parseChallenge(headers)).toEqual({ ok: true, value: bytes });
    for (const wrong of ['0', '16777217', '1.5', '-1', '0x10']) {
      const bad = parseChallenge({ ...headers, 'RDN-Unit-Bytes': wrong });
      expect(!bad.ok && bad.error.details).toMatchObject({ header: 'RDN-Unit-Bytes' });
    }
    expect(parseChallenge({ ...headers, 'RDN-Unit-Bytes': '16777216' })).toMatchObject({
      ok: true,
      value: { unitBytes: 16_777_216 },
    });
    expect(() => encodeChallenge({ ...bytes, unitBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    // Not a streamed route: not read.
    expect(parseChallenge({ ...valid, 'RDN-Unit-Bytes': 'x' })).toEqual({ ok: true, value: aChallenge() });
  });

  it('checksums lowercase addresses on both encode and parse', () => {
    const lower = { ...aChallenge(), receiver: RECEIVER.toLowerCase() } as Challenge;
    expect(encodeChallenge(lower)['RDN-Receiver-Address']).toBe(RECEIVER);
    expect(parseChallenge(withHeader('RDN-Receiver-Address', RECEIVER.toLowerCase()))).toEqual({
      ok: true,
      value: aChallenge(),
    });
  });

  it.each([
    ['RDN-Gateway-Path', undefined, 'missing'],
    ['RDN-Gateway-Path', 'api/1', 'not an absolute URL path'],
    ['RDN-Gateway-Path', '/api 1', 'not an absolute URL path'],
    ['RDN-Gateway-Path', '/api/1?x=1', 'not an absolute URL path'],
    ['RDN-Gateway-Path', '/api/%zz', 'not an absolute URL path'],
    ['RDN-Gateway-Path', 'https://evil.example/api', 'not an absolute URL path'],
    ['RDN-Gateway-Path', `/${'a'.repeat(256)}`, 'too long'],
    ['RDN-Receiver-Address', undefined, 'missing'],
    ['RDN-Receiver-Address', '0x70997970c51812dc3A010C7d01b50e0d17dc79C8', 'bad EIP-55 checksum'],
    ['RDN-Contract-Address', '0x5FbDB2315678afecb367f032d93F642f64180aa', 'not 0x followed by 40 hex digits'],
    ['RDN-Token-Address', '', 'empty'],
    ['RDN-Price', '0', 'zero'],
    ['RDN-Price', '-1', 'not a canonical base-10 unsigned integer'],
    ['RDN-Price', '0.001', 'not a canonical base-10 unsigned integer'],
    ['RDN-Price', '1e15', 'not a canonical base-10 unsigned integer'],
    ['RDN-Chain-Id', undefined, 'missing'],
    ['RDN-Chain-Id', '0', 'zero'],
    ['RDN-Chain-Id', '9007199254740992', 'out of range'],
  ])('%s = %j is RESPONSE_MALFORMED (%s)', (header, value, reason) => {
    const result = parseChallenge(withHeader(header, value));
    expect(!result.ok && result.error.code).toBe('RESPONSE_MALFORMED');
    expect(!result.ok && result.error.details).toEqual({ header, reason });
  });

  it.each([
    ['price 0', { price: 0n }],
    ['relative gateway path', { gatewayPath: 'api' }],
    ['chain id above 2^53-1', { chainId: 2n ** 53n }],
    ['bad token', { token: '0x1' as const }],
  ])('encode throws INVALID_ARGUMENT for %s', (_name, override) => {
    expect(thrownCode(() => encodeChallenge(aChallenge(override)))).toBe('INVALID_ARGUMENT');
  });
});
