import { createTestDatabase, freePort, type TestDatabase } from '@microraiden/testing';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { createTestTopics, startGateway, type InProcessGateway } from './support/gateway-fixture';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// What the HTTP layer answers before the paywall sees a request, and what a failing dependency lets out.

let db: TestDatabase;
let chain: ChainFixture;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let port: number;
let deadUpstreamGateway: InProcessGateway;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_edges', serverUrl: inject('databaseUrl') });
  chain = await deployChain(inject('rpcUrl'));
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  const client = { brokers: inject('kafkaBrokers').split(','), clientId: 'gateway-edges' };
  const env = {
    // No receiver key: development mode signs as anvil's account 2.
    MICRORAIDEN_DEV: '1',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    ROUTES_FILE: writeRoutesFile([
      { path: '/paid', price: '1000' },
      { prefix: '/public/', free: true },
    ]),
    ...(await createTestTopics(client)),
  };
  gateway = await startGateway({ ...env, UPSTREAM_URL: upstream.url });
  port = Number(new URL(gateway.url).port);
  deadUpstreamGateway = await startGateway({
    ...env,
    UPSTREAM_URL: `http://127.0.0.1:${await freePort()}`,
    ...(await createTestTopics(client)),
  });
});

afterAll(async () => {
  await gateway?.close();
  await deadUpstreamGateway?.close();
  await upstream?.close();
  await db?.drop();
  chain?.close();
});

/** Sends `head` byte for byte and resolves with the whole answer once the gateway closes; a reset rejects. */
function rawAnswer(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const HUGE_HEADER = `X-Big: ${'a'.repeat(100_000)}\r\n`;

describe('gateway HTTP edges', () => {
  it('answers a 100 KB header with a readable 431, not a reset', async () => {
    for (let i = 0; i < 20; i++) {
      const answer = await rawAnswer(`GET /paid HTTP/1.1\r\nHost: gw.test\r\n${HUGE_HEADER}\r\n`);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    }
  });

  it.each([
    ['headers too large', `HEAD /paid HTTP/1.1\r\nHost: gw.test\r\n${HUGE_HEADER}\r\n`, 431],
    ['a malformed request line', 'HEAD /pa id HTTP/1.1\r\nHost: gw.test\r\n\r\n', 400],
    ['a malformed header', 'HEAD /paid HTTP/1.1\r\nHost: gw.test\r\nBad Header: x\r\n\r\n', 400],
    ['an unpaid request', 'HEAD /paid HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n', 402],
  ])('answers a HEAD request refused for %s without a body', async (_case, head, status) => {
    const answer = await rawAnswer(head);
    const end = answer.indexOf('\r\n\r\n');
    expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(end).toBeGreaterThan(0);
    expect(answer.slice(end + 4)).toBe('');
  });

  it('names no internal address when the upstream is down', async () => {
    for (const path of ['/public/x', '/health/ready']) {
      const res = await fetch(`${deadUpstreamGateway.url}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(500);
      expect(await res.text(), path).not.toMatch(/127\.0\.0\.1|localhost|[a-z0-9\]]:\d+/i);
    }
  });

  it('answers the management API with 503 OPERATOR_TOKEN_UNSET when no operator token is configured', async () => {
    for (const authorization of [undefined, 'Bearer some-token-of-16-chars']) {
      const res = await fetch(`${gateway.url}/api/1/stats`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'OPERATOR_TOKEN_UNSET' } });
    }
  });
});
