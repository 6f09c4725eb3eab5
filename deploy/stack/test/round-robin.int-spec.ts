import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@microraiden/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The local stack's front must pass every header line on as its own line: joined into `a, a`, a payment header
// repeated with the same value (which docs/protocol.md section 2 counts once) would fail the format at the gateway.
let replica: Server;
let front: ChildProcess;
let frontPort: number;
let deadFront: ChildProcess;
let deadFrontPort: number;
const seen: Array<{ headers: IncomingHttpHeaders; distinct: NodeJS.Dict<string[]> }> = [];

beforeAll(async () => {
  replica = createServer((req, res) => {
    seen.push({ headers: req.headers, distinct: req.headersDistinct });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
  frontPort = await freePort();
  front = startFront(frontPort, `http://127.0.0.1:${(replica.address() as AddressInfo).port}`);
  // A front whose only replica is down: what a client learns from its 502.
  deadFrontPort = await freePort();
  deadFront = startFront(deadFrontPort, `http://127.0.0.1:${await freePort()}`);
  for (const port of [frontPort, deadFrontPort])
    await waitFor(
      'the round-robin front',
      async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok === true,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
});

function startFront(port: number, targets: string): ChildProcess {
  const root = repoRoot();
  return spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(root, 'deploy/stack/round-robin.ts')],
    {
      cwd: root,
      env: { ...process.env, PORT: String(port), TARGETS: targets },
      stdio: 'ignore',
    },
  );
}

afterAll(async () => {
  front?.kill('SIGTERM');
  deadFront?.kill('SIGTERM');
  await new Promise<void>((resolve) => replica?.close(() => resolve()));
});

/** Sends `head` as the request head, byte for byte, and resolves with the whole answer once the front closes. */
function rawAnswer(head: string, port = frontPort): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    // A reset (ECONNRESET) fails the test: it can destroy the answer before a client reads it.
    socket.on('error', reject);
  });
}

/** The status line of the answer to `head`. */
async function rawRequest(head: string): Promise<string> {
  return (await rawAnswer(head)).split('\r\n')[0] ?? '';
}

const HUGE_HEADER = `X-Big: ${'a'.repeat(100_000)}\r\n`;

describe('the round-robin front', () => {
  it('passes a repeated header on as separate lines, not joined into one value', async () => {
    const status = await rawRequest(
      'GET /paid HTTP/1.1\r\nHost: front.test\r\nRDN-Balance: 1000\r\nRDN-Balance: 1000\r\n' +
        'Connection: close\r\n\r\n',
    );
    expect(status).toBe('HTTP/1.1 200 OK');
    const last = seen.at(-1)!;
    expect(last.distinct['rdn-balance']).toEqual(['1000', '1000']);
    expect(last.headers.host).toBe('front.test');
    expect(last.headers['x-forwarded-host']).toBe('front.test');
  });

  it('answers a 100 KB header with a readable 431, not a reset', async () => {
    // Closing with the rest of the header unread made the kernel reset about a third of these connections.
    for (let i = 0; i < 20; i++) {
      const answer = await rawAnswer(`GET /paid HTTP/1.1\r\nHost: front.test\r\n${HUGE_HEADER}\r\n`);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    }
    const res = await fetch(`http://127.0.0.1:${frontPort}/paid`, {
      headers: { 'x-big': 'a'.repeat(100_000) },
    });
    expect(res.status).toBe(431);
  });

  it('answers a HEAD request it refuses without a body', async () => {
    const answer = await rawAnswer(`HEAD /paid HTTP/1.1\r\nHost: front.test\r\n${HUGE_HEADER}\r\n`);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(body).toBe('');
  });

  it('names no internal address when its replica is down', async () => {
    const res = await fetch(`http://127.0.0.1:${deadFrontPort}/paid`);
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'REPLICA_UNAVAILABLE' } });
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|:\d{2,5}/);
  });
});
