import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isClientError } from '../client-error';
import { replayableBody } from './replayable-body';

describe('replayableBody', () => {
  it('passes re-readable bodies through untouched', async () => {
    const bodies = [
      'text',
      new Uint8Array([1, 2]),
      new Blob(['b']),
      new URLSearchParams('a=1'),
      new FormData(),
    ];
    for (const body of bodies) expect(await replayableBody(body, 10)).toBe(body);
    expect(await replayableBody(undefined, 10)).toBeUndefined();
    expect(await replayableBody(null, 10)).toBeUndefined();
  });

  it('buffers a Node Readable of text and bytes', async () => {
    const body = await replayableBody(Readable.from(['ab', Buffer.from('cd')]), 10);
    expect(new TextDecoder().decode(body as Uint8Array)).toBe('abcd');
  });

  it('refuses what it cannot replay', async () => {
    const tooLarge = await replayableBody(Readable.from(['12345', '678901']), 10).catch((e: unknown) => e);
    expect(isClientError(tooLarge, 'BODY_NOT_REPLAYABLE')).toBe(true);
    const odd = await replayableBody({ some: 'object' }, 10).catch((e: unknown) => e);
    expect(isClientError(odd, 'BODY_NOT_REPLAYABLE')).toBe(true);
    const objects = await replayableBody(Readable.from([{ a: 1 }]), 10).catch((e: unknown) => e);
    expect(isClientError(objects, 'BODY_NOT_REPLAYABLE')).toBe(true);
  });
});
