// Test support for the streamed adapters' specs (under test/: not in the package): a duplex client of docs/protocol.md 7.3.
import { request, type IncomingMessage } from 'node:http';

/** How {@link streamOver} behaves: top-ups it answers `rdn-authorize` with, when it leaves, whether it replays. */
export interface DuplexOptions {
  readonly method?: string;
  readonly topUps?: number;
  /** Destroys the connection once it has read this many `event: token` events. */
  readonly leaveAfter?: number;
  /** Sends the previous line again before each fresh one. */
  readonly replay?: boolean;
}

/** What the client read: the head and every event (blocks without their blank line). */
export interface DuplexResult {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly events: string[];
}

/**
 * Opens `url` paying `first` with `pay`'s headers and answers each `rdn-authorize` with a line signing `needed`,
 * while `topUps` lasts; then closes its request body.
 */
export function streamOver(
  url: string,
  pay: (balance: bigint) => Record<string, string>,
  first: bigint,
  options: DuplexOptions = {},
): Promise<DuplexResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'POST',
      // Explicit on GET too: Node's client frames a GET body only when told to.
      headers: { ...pay(first), 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
    });
    let topUps = options.topUps ?? 0;
    let last: string | undefined;
    req.on('error', reject);
    req.on('response', (res) => {
      const events: string[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          // Nest's SSE starts with a blank line.
          const event = buffer.slice(0, cut).replace(/^\n+/, '');
          buffer = buffer.slice(cut + 2);
          events.push(event);
          if (options.leaveAfter !== undefined && tokensIn(events) >= options.leaveAfter) {
            req.destroy();
            return resolve({ status: res.statusCode ?? 0, headers: res.headers, events });
          }
          if (event.startsWith('event: rdn-authorize')) {
            if (options.replay && last !== undefined) req.write(last);
            if (topUps-- > 0) {
              const needed = BigInt(JSON.parse(event.split('data: ')[1] as string).needed);
              const signature = pay(needed)['RDN-Balance-Signature'];
              last = `${JSON.stringify({ balance: needed.toString(), signature })}\n`;
              req.write(last);
            } else req.end();
          }
        }
      });
      res.on('end', () => {
        req.end();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, events });
      });
    });
    req.flushHeaders();
  });
}

/** The `event: token` events read. */
export function tokensIn(events: readonly string[]): number {
  return events.filter((e) => e.startsWith('event: token')).length;
}

/** The `rdn-receipt` event's data. */
export function receiptIn(events: readonly string[]): Record<string, unknown> {
  const receipt = events.find((e) => e.startsWith('event: rdn-receipt'));
  if (receipt === undefined) throw new Error(`no rdn-receipt in ${JSON.stringify(events)}`);
  return JSON.parse(receipt.split('data: ')[1] as string) as Record<string, unknown>;
}

/** `count` SSE token events, one every `delayMs`, as an async iterable (a handler's source). */
export async function* tokenEvents(count: number, delayMs = 2): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    yield `event: token\ndata: {"i":${i}}\n\n`;
    await new Promise((r) => setTimeout(r, delayMs));
  }
}
