import { describe, expect, it } from 'vitest';
import { parseTopUpLine, readTopUpLines, type TopUpLine } from './top-up-lines';

const signature = `0x${'ab'.repeat(65)}`;
const line = (balance: string) => JSON.stringify({ balance, signature });

async function read(chunks: readonly string[], max?: number): Promise<TopUpLine[]> {
  async function* body() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const lines: TopUpLine[] = [];
  for await (const l of readTopUpLines(body(), max)) lines.push(l);
  return lines;
}

describe('top-up lines', () => {
  it('parses a proof line', () => {
    expect(parseTopUpLine(line('124'))).toEqual({ kind: 'proof', balance: 124n, signature });
  });

  it('reports malformed lines instead of throwing', () => {
    expect(parseTopUpLine('{')).toEqual({ kind: 'malformed', reason: 'not JSON' });
    expect(parseTopUpLine('[]')).toEqual({ kind: 'malformed', reason: 'not a JSON object' });
    expect(parseTopUpLine('{"balance":124,"signature":"0x"}').kind).toBe('malformed');
    expect(parseTopUpLine(JSON.stringify({ balance: '012', signature }))).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^balance: /),
    });
    expect(parseTopUpLine(JSON.stringify({ balance: '12', signature: '0x12' }))).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/^signature: /),
    });
  });

  it('reads lines across chunk boundaries, CRLF, blank lines and a last line without newline', async () => {
    const text = `${line('1')}\r\n\n${line('2')}\n${line('3')}`;
    const lines = await read([text.slice(0, 50), text.slice(50, 200), text.slice(200)]);
    expect(lines.map((l) => (l.kind === 'proof' ? l.balance : l.kind))).toEqual([1n, 2n, 3n]);
  });

  it('reports an over-long line once, skips it without buffering it, and goes on', async () => {
    const lines = await read(['x'.repeat(200), 'y'.repeat(200), `z\n${line('5')}\n`], 256);
    expect(lines).toEqual([
      { kind: 'malformed', reason: 'line longer than 256 bytes' },
      { kind: 'proof', balance: 5n, signature },
    ]);
  });
});
