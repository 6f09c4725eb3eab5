/** One server-sent event as a browser's EventSource would dispatch it. */
export interface ServerSentEvent {
  /** The `event` field, `message` when absent. */
  readonly event: string;
  /** The `data` lines joined with LF. */
  readonly data: string;
  /** The last `id` seen, when any. */
  readonly id?: string;
}

/**
 * Reads a `text/event-stream` body incrementally (WHATWG HTML 9.2.6): lines end in CRLF, LF or CR; a blank line
 * dispatches the event if it has data; comments and unknown fields are skipped; an event cut off before its blank
 * line is not dispatched. `maxEventChars` bounds what one event may buffer.
 */
export class ServerSentEventReader {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;

  constructor(private readonly maxEventChars = 1 << 20) {}

  push(chunk: Uint8Array | string): ServerSentEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      const at = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (at === -1) break;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (this.buffer[at] === '\r' && at + 1 === this.buffer.length) break;
      const terminator = this.buffer[at] === '\r' && this.buffer[at + 1] === '\n' ? 2 : 1;
      const line = this.buffer.slice(start, at);
      start = at + terminator;
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    const pending = this.buffer.length + this.data.reduce((sum, d) => sum + d.length, 0);
    if (pending > this.maxEventChars) {
      throw new RangeError(`a server-sent event is longer than ${this.maxEventChars} characters`);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const event =
        this.data.length === 0
          ? undefined
          : {
              event: this.event || 'message',
              data: this.data.join('\n'),
              ...(this.id === undefined ? {} : { id: this.id }),
            };
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}
