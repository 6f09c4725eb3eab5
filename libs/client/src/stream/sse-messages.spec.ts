import { describe, expect, it } from 'vitest';
import { ServerSentEventReader } from './sse-messages';

describe('ServerSentEventReader', () => {
  it('dispatches events with data, joins data lines, keeps the last id, skips comments', () => {
    const reader = new ServerSentEventReader();
    const text = ': hi\n\nevent: token\ndata: a\ndata:b\nid: 4\n\ndata\r\n\r\nevent: x\n\ndata: cut';
    const events = [...reader.push(text.slice(0, 17)), ...reader.push(text.slice(17))];
    expect(events).toEqual([
      { event: 'token', data: 'a\nb', id: '4' },
      { event: 'message', data: '', id: '4' },
    ]);
  });

  it('keeps a CRLF split across chunks one line ending', () => {
    const reader = new ServerSentEventReader();
    expect([...reader.push('data: 1\r'), ...reader.push('\n\r'), ...reader.push('\n')]).toEqual([
      { event: 'message', data: '1' },
    ]);
  });

  it('refuses an event longer than its bound', () => {
    expect(() => new ServerSentEventReader(8).push('data: 0123456789')).toThrow(RangeError);
  });
});
