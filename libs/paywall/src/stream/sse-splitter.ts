/** One server-sent event as written on the wire, its blank line included. */
export interface SseBlock {
  readonly text: string;
  /**
   * True when the block has a `data` field: browsers dispatch exactly these (WHATWG HTML 9.2.6), so they are the
   * units a streamed route charges for. Comments (`: keep-alive`), `retry:` and `id:`-only blocks go out free.
   */
  readonly unit: boolean;
}

/** An event longer than the splitter's bound: the upstream is broken (or hostile); the stream is ended. */
export class SseEventTooLongError extends Error {
  override readonly name = 'SseEventTooLongError';
  readonly code = 'SSE_EVENT_TOO_LONG';
}

/** Default bound of one event (1 MiB of text). */
export const DEFAULT_MAX_SSE_EVENT_CHARS = 1 << 20;

/**
 * Cuts a `text/event-stream` body into events at blank lines, whatever the chunking: lines end in CRLF, LF or CR
 * (a CR at the end of a chunk waits for the next one, which may start with its LF). It only finds boundaries and
 * the `data` field; the text of each event is passed on unchanged.
 */
export class SseSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** Where the next line starts in `buffer` (everything before it belongs to the current event). */
  private lineStart = 0;
  private hasData = false;

  constructor(private readonly maxEventChars = DEFAULT_MAX_SSE_EVENT_CHARS) {}

  /** The events completed by `chunk`; throws SseEventTooLongError when an event outgrows the bound. */
  push(chunk: Uint8Array | string): SseBlock[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const blocks = this.scan(false);
    if (this.buffer.length > this.maxEventChars) {
      throw new SseEventTooLongError(`an event is longer than ${this.maxEventChars} characters`);
    }
    return blocks;
  }

  /**
   * What is left at the end of the body: the events a final CR completes, then an unterminated tail as a non-unit
   * block (browsers do not dispatch an event cut off before its blank line, so it is not charged).
   */
  end(): SseBlock[] {
    this.buffer += this.decoder.decode();
    const blocks = this.scan(true);
    if (this.buffer.length > 0) blocks.push({ text: this.buffer, unit: false });
    this.buffer = '';
    this.lineStart = 0;
    this.hasData = false;
    return blocks;
  }

  private scan(final: boolean): SseBlock[] {
    const blocks: SseBlock[] = [];
    let eventStart = 0;
    const text = this.buffer;
    for (;;) {
      const cr = text.indexOf('\r', this.lineStart);
      const lf = text.indexOf('\n', this.lineStart);
      const at = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (at === -1) break;
      let terminator = 1;
      if (text[at] === '\r') {
        if (at + 1 === text.length && !final) break; // Its LF may be in the next chunk.
        if (text[at + 1] === '\n') terminator = 2;
      }
      const line = text.slice(this.lineStart, at);
      this.lineStart = at + terminator;
      if (line === '') {
        blocks.push({ text: text.slice(eventStart, this.lineStart), unit: this.hasData });
        eventStart = this.lineStart;
        this.hasData = false;
      } else if (line.startsWith('data') && (line.length === 4 || line[4] === ':')) {
        this.hasData = true;
      }
    }
    this.buffer = text.slice(eventStart);
    this.lineStart -= eventStart;
    return blocks;
  }
}

/** Renders a server-sent event of the gateway's own (`rdn-authorize`, `rdn-receipt`, `rdn-error`). */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
