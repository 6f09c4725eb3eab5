import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when an `Authorization` header carries `Bearer <expected>`. Compares SHA-256 digests in constant time,
 * so neither the token's characters nor its length leak through timing.
 */
export function isOperatorAuthorized(
  authorization: string | string[] | undefined,
  expected: string,
): boolean {
  if (typeof authorization !== 'string' || expected.length === 0) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const presented = match?.[1] ?? '';
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}
