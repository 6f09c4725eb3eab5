import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sseBlocksOf } from './sse-blocks';

describe('sseBlocksOf', () => {
  it('cuts a byte body into events, decoding UTF-8 split across chunks', async () => {
    const text = 'data: {"token":"日本"}\n\n: keep-alive\n\ndata: €\n\n';
    const bytes = Buffer.from(text, 'utf8');
    // Every split point, including inside the multi-byte characters.
    for (let cut = 1; cut < bytes.length; cut++) {
      const blocks: { text: string; unit: boolean }[] = [];
      for await (const block of sseBlocksOf([bytes.subarray(0, cut), bytes.subarray(cut)]))
        blocks.push(block);
      expect(blocks).toEqual([
        { text: 'data: {"token":"日本"}\n\n', unit: true },
        { text: ': keep-alive\n\n', unit: false },
        { text: 'data: €\n\n', unit: true },
      ]);
    }
  });

  it('reads the body only as the consumer pulls, and ends it when the consumer stops', async () => {
    let read = 0;
    const body = new Readable({
      highWaterMark: 1,
      read() {
        read++;
        this.push(`data: ${read}\n\n`);
      },
    });
    const blocks = sseBlocksOf(body);
    for await (const block of blocks) if (block.text === 'data: 3\n\n') break;
    expect(body.destroyed).toBe(true);
    // A few chunks of read-ahead (the stream's own buffer), never an unbounded read.
    expect(read).toBeLessThan(10);
  });
});
