import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when an `Authorization` header carries the operator token: `Bearer <token>` (scripts, curl), or HTTP Basic
 * with the token as password and any user name (what a browser asks for on a 401 with `WWW-Authenticate: Basic`).
 * Compares SHA-256 digests in constant time, so neither the token's characters nor its length leak through timing.
 * With no token expected, nothing is authorized.
 */
export function isOperatorAuthorized(
  authorization: string | string[] | undefined,
  expected: string,
): boolean {
  if (typeof authorization !== 'string' || expected.length === 0) return false;
  const presented = presentedToken(authorization);
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}

function presentedToken(authorization: string): string {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (bearer) return bearer[1] ?? '';
  const basic = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(authorization);
  if (!basic) return '';
  const credentials = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  return colon < 0 ? '' : credentials.slice(colon + 1);
}
