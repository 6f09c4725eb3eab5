import { describe, expect, it } from 'vitest';
import { corsPreflight, CORS_EXPOSED_HEADERS, isCorsPreflight, withCorsHeaders } from './cors';

describe('CORS', () => {
  it('recognises a preflight only with Origin and Access-Control-Request-Method', () => {
    const asked = { origin: 'https://app.example', 'access-control-request-method': 'GET' };
    expect(isCorsPreflight('OPTIONS', asked)).toBe(true);
    expect(isCorsPreflight('options', asked)).toBe(true);
    expect(isCorsPreflight('OPTIONS', { origin: 'https://app.example' })).toBe(false);
    expect(isCorsPreflight('GET', asked)).toBe(false);
  });

  it('allows the method and headers asked for, and always the payment headers', () => {
    const answer = corsPreflight({
      origin: 'https://app.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, payment-signature, bad header',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(answer.headers['Access-Control-Allow-Methods']).toBe('POST');
    const allowed = answer.headers['Access-Control-Allow-Headers']?.split(', ') ?? [];
    expect(allowed).toEqual(expect.arrayContaining(['RDN-Balance-Signature', 'content-type']));
    expect(allowed.filter((name) => name.toLowerCase() === 'payment-signature')).toHaveLength(1);
    expect(allowed).not.toContain('bad header');
  });

  it('exposes every RDN-* and PAYMENT-* answer header, merged with what the upstream exposes', () => {
    expect(CORS_EXPOSED_HEADERS).toEqual(
      expect.arrayContaining([
        'RDN-Price',
        'RDN-Price-Mode',
        'RDN-Sender-Balance',
        'RDN-Charged-Balance',
        'RDN-Error',
        'RDN-Invalid-Amount',
        'PAYMENT-REQUIRED',
        'PAYMENT-RESPONSE',
        'Retry-After',
      ]),
    );
    const headers = withCorsHeaders(
      { origin: 'https://app.example' },
      { 'access-control-expose-headers': 'X-Upstream', 'access-control-allow-origin': 'https://app.example' },
    );
    expect(headers['access-control-allow-origin']).toBe('https://app.example');
    expect(headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(headers['Access-Control-Expose-Headers']).toBe(['X-Upstream', ...CORS_EXPOSED_HEADERS].join(', '));
  });

  it('leaves same-origin answers alone', () => {
    expect(withCorsHeaders({}, { 'Content-Type': 'text/plain' })).toEqual({ 'Content-Type': 'text/plain' });
  });
});
