import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionHandler } from './completion';

let server: Server;
let base: string;

beforeAll(async () => {
  const handler = completionHandler({ delayMs: 0, maxTokens: 5 });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('completionHandler', () => {
  it('streams one token per event, the prompt first, capped at maxTokens, then a free done comment', async () => {
    const res = await fetch(`${base}/v1/complete?prompt=Hello%20there&max_tokens=9`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(6);
    expect(events[0]).toBe('event: token\ndata: {"index":0,"token":"Hello "}');
    expect(events[1]).toBe('event: token\ndata: {"index":1,"token":"there "}');
    expect(events[5]).toBe(': done');
  });
});
