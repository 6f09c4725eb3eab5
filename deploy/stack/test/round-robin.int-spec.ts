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
const seen: Array<{ headers: IncomingHttpHeaders; distinct: NodeJS.Dict<string[]> }> = [];

beforeAll(async () => {
  replica = createServer((req, res) => {
    seen.push({ headers: req.headers, distinct: req.headersDistinct });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
  frontPort = await freePort();
  const root = repoRoot();
  front = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(root, 'deploy/stack/round-robin.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(frontPort),
        TARGETS: `http://127.0.0.1:${(replica.address() as AddressInfo).port}`,
      },
      stdio: 'ignore',
    },
  );
  await waitFor(
    'the round-robin front',
    async () =>
      (await fetch(`http://127.0.0.1:${frontPort}/health/live`).catch(() => undefined))?.ok === true,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
});

afterAll(async () => {
  front?.kill('SIGTERM');
  await new Promise<void>((resolve) => replica?.close(() => resolve()));
});

/** Sends `head` as the request head, byte for byte, and resolves with the status line. */
function rawRequest(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(frontPort, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

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
});
