import { parseAmountField, parseSignatureField, type Hex } from '@microraiden/protocol';

/** One line of a streamed request's body (`application/x-ndjson`), as read. */
export type TopUpLine =
  | { readonly kind: 'proof'; readonly balance: bigint; readonly signature: Hex }
  /** Not a top-up: the stream goes on and the client is told (`rdn-error`); the gateway does not crash. */
  | { readonly kind: 'malformed'; readonly reason: string };

/** Longest accepted line: a proof is ~200 bytes; anything much longer is not one. */
export const MAX_TOP_UP_LINE_BYTES = 1024;

/** Parses one line `{"balance":"<amount>","signature":"0x…"}` (other members are ignored, for later versions). */
export function parseTopUpLine(line: string): TopUpLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'not a JSON object' };
  }
  const { balance, signature } = value as { balance?: unknown; signature?: unknown };
  if (typeof balance !== 'string') return { kind: 'malformed', reason: 'balance: expected a string' };
  if (typeof signature !== 'string') return { kind: 'malformed', reason: 'signature: expected a string' };
  const amount = parseAmountField(balance);
  if (!amount.ok) return { kind: 'malformed', reason: `balance: ${amount.error}` };
  const parsed = parseSignatureField(signature);
  if (!parsed.ok) return { kind: 'malformed', reason: `signature: ${parsed.error}` };
  return { kind: 'proof', balance: amount.value, signature: parsed.value };
}

/**
 * The top-up lines of a request body, in order, as they arrive: a reader may pull one line, handle it, then pull
 * the next. Lines are bounded (`maxLineBytes`): a longer one is reported malformed and skipped up to its newline,
 * without buffering it. Blank lines are skipped; a last line without its newline counts.
 */
export async function* readTopUpLines(
  body: AsyncIterable<Uint8Array | string>,
  maxLineBytes = MAX_TOP_UP_LINE_BYTES,
): AsyncGenerator<TopUpLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  const take = (): string => {
    const line = Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
    pending = [];
    pendingBytes = 0;
    return line;
  };
  for await (const chunk of body) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    for (;;) {
      const newline = bytes.indexOf(0x0a);
      const piece = newline === -1 ? bytes : bytes.subarray(0, newline);
      if (!skipping) {
        pendingBytes += piece.length;
        if (pendingBytes > maxLineBytes) {
          pending = [];
          pendingBytes = 0;
          skipping = true;
          yield { kind: 'malformed', reason: `line longer than ${maxLineBytes} bytes` };
        } else {
          pending.push(piece);
        }
      }
      if (newline === -1) break;
      bytes = bytes.subarray(newline + 1);
      if (skipping) {
        skipping = false;
        continue;
      }
      const line = take();
      if (line.trim() !== '') yield parseTopUpLine(line);
    }
  }
  if (!skipping && pendingBytes > 0) {
    const line = take();
    if (line.trim() !== '') yield parseTopUpLine(line);
  }
}
