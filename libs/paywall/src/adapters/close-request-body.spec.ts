import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeFetchRequestBody, closeRequestBody, MAX_CLOSE_BODY_BYTES } from './close-request-body';

const CLOSE = { balance: '7', balanceSignature: `0x${'ab'.repeat(65)}` };

function post(body: string): Request {
  return new Request('http://gateway.test/api/1/channels/0x1/0x2', { method: 'DELETE', body });
}

function nodeRequest(chunks: readonly string[]): IncomingMessage {
  return Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage;
}

describe('closeFetchRequestBody', () => {
  it('parses a JSON body', async () => {
    await expect(closeFetchRequestBody(post(JSON.stringify(CLOSE)))).resolves.toEqual(CLOSE);
  });

  it('is undefined without a body, or with one that is not JSON', async () => {
    await expect(
      closeFetchRequestBody(new Request('http://gateway.test/', { method: 'DELETE' })),
    ).resolves.toBeUndefined();
    await expect(closeFetchRequestBody(post('balance=7'))).resolves.toBeUndefined();
  });

  it('stops reading past the bound instead of buffering what a client sends', async () => {
    const huge = `{"balance":"7","pad":"${'x'.repeat(MAX_CLOSE_BODY_BYTES)}"}`;
    await expect(closeFetchRequestBody(post(huge))).resolves.toBeUndefined();
  });
});

describe('closeRequestBody', () => {
  it('reads a Node request body in chunks and applies the same bound', async () => {
    const json = JSON.stringify(CLOSE);
    await expect(closeRequestBody(nodeRequest([json.slice(0, 10), json.slice(10)]))).resolves.toEqual(CLOSE);
    const pad = 'x'.repeat(MAX_CLOSE_BODY_BYTES);
    await expect(closeRequestBody(nodeRequest(['{"a":"', pad, '"}']))).resolves.toBeUndefined();
  });

  it('uses the body an app body parser already read', async () => {
    const req = Object.assign(nodeRequest([]), { body: CLOSE });
    await expect(closeRequestBody(req)).resolves.toEqual(CLOSE);
  });
});
