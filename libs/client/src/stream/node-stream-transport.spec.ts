import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStreamTransport } from './node-stream-transport';

describe('nodeStreamTransport', () => {
  let server: Server;
  let url: URL;

  beforeAll(async () => {
    // Answers at once with its head, then echoes each body chunk it reads, and ends when the body ends.
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-method': req.method ?? '' });
      res.flushHeaders();
      req.on('data', (chunk: Buffer) => res.write(`got ${chunk.toString()}`));
      req.on('end', () => res.end('end'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`);
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const method of ['GET', 'POST'])
    it(`sends lines on a ${method} request's open body while the response streams`, async () => {
      const stream = await nodeStreamTransport().open(url, { method, headers: {}, keepBodyOpen: true });
      expect(stream.status).toBe(200);
      let text = '';
      const read = (async () => {
        for await (const chunk of stream.body as AsyncIterable<Buffer>) text += chunk.toString();
      })();
      stream.send('{"balance":"1"}\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(text).toBe('got {"balance":"1"}\n');
      stream.endRequest();
      await read;
      expect(text).toBe('got {"balance":"1"}\nend');
    });
});
