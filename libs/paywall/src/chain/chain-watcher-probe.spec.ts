import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainWatcherProbe } from './chain-watcher-probe';

describe('chainWatcherProbe', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string };

  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/health/ready') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const probe = () => chainWatcherProbe(`${url}/`)(AbortSignal.timeout(2_000));

  it('is ready on 200', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'ok', info: {}, error: {}, details: {} }) };
    expect(await probe()).toEqual({ ready: true });
  });

  it("names the failing checks of the watcher's not-ready body", async () => {
    answer = {
      status: 503,
      body: JSON.stringify({
        status: 'error',
        info: { postgres: { status: 'up' } },
        error: {
          'receiver-eth': {
            status: 'down',
            message: 'receiver 0xabc holds 0.01 ETH, below MIN_RECEIVER_ETH 0.05',
          },
          startup: { status: 'down', message: 'starting' },
        },
        details: {},
      }),
    };
    expect(await probe()).toEqual({
      ready: false,
      reason:
        'the chain-watcher answered 503: receiver-eth: receiver 0xabc holds 0.01 ETH, below MIN_RECEIVER_ETH 0.05; startup: starting',
    });
  });

  it('keeps the reason short and survives a body that is not JSON', async () => {
    answer = {
      status: 503,
      body: JSON.stringify({
        status: 'error',
        error: { chain: { status: 'down', message: 'y'.repeat(5_000) } },
      }),
    };
    const long = await probe();
    expect(long.ready).toBe(false);
    expect(!long.ready && long.reason.length).toBeLessThanOrEqual(300);
    answer = { status: 502, body: '<html>bad gateway</html>' };
    expect(await probe()).toEqual({ ready: false, reason: 'the chain-watcher answered 502' });
  });

  it('turns a refused connection into a not-ready reason', async () => {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    server = createServer();
    const result = await probe();
    expect(result.ready).toBe(false);
    expect(!result.ready && result.reason).toMatch(/^the chain-watcher is unreachable \(.*ECONNREFUSED/);
  });
});
