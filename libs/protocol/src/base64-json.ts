import { fail, ok, type Result } from './result';

/** Standard base64 (with padding) of the UTF-8 JSON of `value`: the x402 v2 header encoding. */
export function encodeBase64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

/**
 * The JSON value in a base64 header; never throws. Standard alphabet, padding required, UTF-8 refused when
 * invalid (a lenient decoder would let two different byte strings mean the same payment).
 */
export function decodeBase64Json(text: string): Result<unknown, 'not base64 of UTF-8' | 'not JSON'> {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return fail('not base64 of UTF-8');
  let decoded: string;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('not base64 of UTF-8');
  }
  try {
    return ok(JSON.parse(decoded) as unknown);
  } catch {
    return fail('not JSON');
  }
}
