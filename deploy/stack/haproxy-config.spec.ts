import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_HAPROXY_FILE, composeHaproxyConfig } from './haproxy-compose';
import { findHaproxy, haproxyConfig } from './haproxy-config';

const servers = [
  { name: 'gateway-1', address: '127.0.0.1:3000' },
  { name: 'gateway-2', address: '127.0.0.1:3003' },
];

/** The lines of one section (`backend paid`, `frontend front`, ...) up to the next blank line. */
function section(config: string, header: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(header);
  expect(start, `no "${header}"`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end).map((line) => line.trim());
}

describe('haproxyConfig', () => {
  const config = haproxyConfig({ bind: '127.0.0.1:8080', servers });

  it('listens where asked and puts every replica, readiness-checked, in both backends', () => {
    expect(section(config, 'frontend front')).toContain('bind 127.0.0.1:8080');
    for (const name of ['free', 'paid']) {
      const lines = section(config, `backend ${name}`);
      expect(lines).toContain('http-check send meth GET uri /health/ready');
      expect(lines.filter((line) => line.startsWith('server '))).toEqual([
        expect.stringMatching(/^server gateway-1 127\.0\.0\.1:3000 check inter 1000 fall 2 rise 2 /),
        expect.stringMatching(/^server gateway-2 127\.0\.0\.1:3003 check inter 1000 fall 2 rise 2 /),
      ]);
    }
  });

  it('sends a request with either payment header to the paid backend', () => {
    const front = section(config, 'frontend front');
    expect(front).toContain('acl paid req.hdr_cnt(rdn-balance-signature) gt 0');
    expect(front).toContain('acl paid req.hdr_cnt(payment-signature) gt 0');
    expect(front).toContain('use_backend paid if paid');
    expect(front).toContain('default_backend free');
  });

  it('re-sends a paid request on a failed connection or a 503, unpaid GET/HEAD on any failure', () => {
    const retries = (name: string) =>
      section(config, `backend ${name}`).filter((l) => l.startsWith('retry-on'));
    expect(retries('paid')).toEqual(['retry-on conn-failure 503']);
    expect(retries('free')).toEqual(['retry-on conn-failure empty-response response-timeout 502 503 504']);
    for (const name of ['free', 'paid'])
      expect(section(config, `backend ${name}`)).toContain(
        'http-request disable-l7-retry unless METH_GET || METH_HEAD',
      );
  });

  it("answers its own errors as JSON; 503 (nothing forwarded) as the protocol's, with Retry-After", () => {
    const defaults = section(config, 'defaults');
    expect(defaults.find((l) => l.startsWith('http-error status 503'))).toMatch(
      /"GATEWAY_UNAVAILABLE.*hdr retry-after 1 hdr rdn-error GATEWAY_UNAVAILABLE$/,
    );
    expect(defaults.find((l) => l.startsWith('http-error status 502'))).toContain('REPLICA_UNAVAILABLE');
    expect(defaults.find((l) => l.startsWith('http-error status 504'))).toContain('REPLICA_TIMEOUT');
  });

  it('re-resolves names through a nameserver only when given one', () => {
    expect(config).not.toContain('resolvers');
    const compose = composeHaproxyConfig();
    expect(section(compose, 'resolvers dns')).toContain('nameserver dns 127.0.0.11:53');
    expect(section(compose, 'backend paid').filter((l) => l.startsWith('server '))).toEqual([
      expect.stringMatching(
        /^server gateway-1 gateway-1:3000 check .* resolvers dns init-addr last,libc,none$/,
      ),
      expect.stringMatching(
        /^server gateway-2 gateway-2:3000 check .* resolvers dns init-addr last,libc,none$/,
      ),
    ]);
  });

  it('refuses an empty server list', () => {
    expect(() => haproxyConfig({ bind: '127.0.0.1:8080', servers: [] })).toThrow(/no servers/);
  });

  it.skipIf(findHaproxy() === undefined)('is a configuration haproxy -c accepts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'haproxy-config-'));
    try {
      const file = path.join(dir, 'haproxy.cfg');
      writeFileSync(file, config);
      const check = spawnSync(findHaproxy()!, ['-c', '-f', file], { encoding: 'utf8' });
      expect(check.status, check.stderr + check.stdout).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/haproxy/haproxy.cfg (the compose front)', () => {
  it('is what haproxy-compose.ts generates', () => {
    expect(
      readFileSync(COMPOSE_HAPROXY_FILE, 'utf8'),
      'stale: node -r @swc-node/register deploy/stack/haproxy-compose.ts',
    ).toBe(composeHaproxyConfig());
  });
});
