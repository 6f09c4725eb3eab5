import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseEventTooLongError, SseSplitter, sseEvent } from './sse-splitter';

const body =
  ': keep-alive\n\n' +
  'event: token\ndata: {"t":"Hel"}\n\n' +
  'id: 7\n\n' +
  'data\r\n\r\n' +
  'retry: 100\rdata: a\rdata: b\r\r' +
  'data: cut off';

const expected = [
  { text: ': keep-alive\n\n', unit: false },
  { text: 'event: token\ndata: {"t":"Hel"}\n\n', unit: true },
  { text: 'id: 7\n\n', unit: false },
  { text: 'data\r\n\r\n', unit: true },
  { text: 'retry: 100\rdata: a\rdata: b\r\r', unit: true },
  { text: 'data: cut off', unit: false },
];

function split(chunks: readonly string[]) {
  const splitter = new SseSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('SseSplitter', () => {
  it('finds events at blank lines of any line ending; units are the events with a data field', () => {
    expect(split([body])).toEqual(expected);
  });

  it('does not count a field that merely starts with "data" (datum:) as data', () => {
    expect(split(['datum: x\n\n'])).toEqual([{ text: 'datum: x\n\n', unit: false }]);
  });

  it('gives the same events however the body is chunked, a CRLF split across chunks included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: body.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set([0, ...cuts, body.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((end, i) => body.slice(points[i], end));
        expect(split(chunks)).toEqual(expected);
      }),
    );
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = Buffer.from('data: ✓\n\n', 'utf8');
    const splitter = new SseSplitter();
    const blocks = [...splitter.push(bytes.subarray(0, 7)), ...splitter.push(bytes.subarray(7))];
    expect(blocks).toEqual([{ text: 'data: ✓\n\n', unit: true }]);
  });

  it('refuses an event longer than its bound', () => {
    const splitter = new SseSplitter(16);
    expect(splitter.push('data: 123\n\n')).toHaveLength(1);
    expect(() => splitter.push('data: 0123456789abcdef')).toThrow(SseEventTooLongError);
  });

  it('renders the gateway events', () => {
    expect(sseEvent('rdn-receipt', { units: 3 })).toBe('event: rdn-receipt\ndata: {"units":3}\n\n');
  });
});
