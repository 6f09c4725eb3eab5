import { describe, expect, it } from 'vitest';
import { parseChannelIdField, parseSignatureField } from './header-fields';
import { bytesToHex, hexToBytes } from './hex';

// The decode-and-re-encode reading both fields had before their lowercase fast path.
function reference(text: string, byteLength: number): string | undefined {
  const bytes = hexToBytes(text, byteLength);
  return bytes === undefined ? undefined : bytesToHex(bytes);
}

function spellings(body: string): string[] {
  return [
    `0x${body}`,
    `0x${body.toUpperCase()}`,
    `0x${body.slice(0, 10).toUpperCase()}${body.slice(10)}`,
    `0X${body}`,
    `0x${body}\n`,
    `\n0x${body}`,
    ` 0x${body}`,
    `0x${body.slice(1)}`,
    `0x${body}0`,
    `0x${body.slice(2)}zz`,
    `0x${body.slice(2)}é1`,
    `0x${body.slice(2)}٣٣`,
    `x${body}`,
    body,
    '',
    '0x',
  ];
}

describe('hex header fields', () => {
  it.each([
    ['channel id', parseChannelIdField, 32],
    ['signature', parseSignatureField, 65],
  ] as const)('%s: the lowercase fast path accepts and returns exactly what decoding does', (_, parse, n) => {
    const body = Array.from({ length: n }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0'))
      .join('')
      .replace(/^../, 'ab');
    for (const text of spellings(body)) {
      const parsed = parse(text);
      const expected = reference(text, n);
      expect(parsed.ok ? parsed.value : undefined, JSON.stringify(text)).toBe(expected);
    }
    expect(parse(`0x${body.toUpperCase()}`)).toEqual({ ok: true, value: `0x${body}` });
  });
});
