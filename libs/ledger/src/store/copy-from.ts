import type { PoolClient } from 'pg';

/** The part of pg's connection a COPY FROM STDIN talks to (pg's own Submittable protocol; no pg-copy-streams). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

// Postgres takes CopyData messages of any size; bounded chunks keep each socket write (and its copy) small.
const CHUNK_BYTES = 256 * 1024;

/**
 * `COPY ... FROM STDIN` of an in-memory payload as one pg query: `submit` sends the statement, the server's
 * CopyInResponse gets the payload as CopyData and CopyDone, and the query ends at ReadyForQuery (resolving with
 * the rows copied) or at the server's error (a constraint violation aborts the whole COPY, as it would an INSERT).
 */
class CopyFromPayload {
  callback: ((err: Error | null, rows?: number) => void) | undefined;
  private rows = 0;

  constructor(
    readonly text: string,
    private readonly payload: Buffer,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (let at = 0; at < this.payload.length; at += CHUNK_BYTES)
      connection.sendCopyFromChunk(this.payload.subarray(at, at + CHUNK_BYTES));
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    // "COPY <n>"
    this.rows = Number(message.text?.split(' ')[1] ?? 0);
  }

  handleError(err: Error): void {
    this.callback?.(err);
  }

  handleReadyForQuery(): void {
    this.callback?.(null, this.rows);
  }

  // Never sent for COPY FROM; pg calls these only on a protocol surprise.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Run `COPY ... FROM STDIN` (text format) with `payload` on a checked-out client; resolves with the rows copied. */
export function copyFrom(client: PoolClient, statement: string, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = new CopyFromPayload(statement, Buffer.from(payload, 'utf8'));
    query.callback = (err, rows) => (err ? reject(err) : resolve(rows ?? 0));
    void client.query(query as never);
  });
}

/**
 * A value as a field of COPY's text format: `\N` for null, else the text with backslash, tab, newline and
 * carriage return escaped (the only characters the format gives a meaning).
 */
export function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  const text = typeof value === 'number' ? String(value) : value;
  return ESCAPED.test(text) ? text.replace(ESCAPED_ALL, (c) => ESCAPES[c]!) : text;
}

const ESCAPED = /[\\\t\n\r]/;
const ESCAPED_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
