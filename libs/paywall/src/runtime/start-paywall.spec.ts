import { describe, expect, it, vi } from 'vitest';
import { joinDelayMs } from '../chain/channel-following';
import { PaywallRuntime } from './paywall-runtime';
import { receiverKeyOfPrivateKey } from '../core/receiver-key';
import { createPaywallRuntime, type StartPaywallOptions } from './start-paywall';

// anvil's public test keys: never funds of value.
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const RECEIVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const deployment = {
  chainId: 31337,
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  challengePeriod: 3600,
  deployBlock: 1,
};
// Nothing listens on port 1: the runtime is built (nothing connects before start or a check), never started.
const options: StartPaywallOptions = {
  deployment,
  routes: [{ path: '/weather', price: '7' }],
  receiverKey: receiverKeyOfPrivateKey(RECEIVER_KEY),
  databaseUrl: 'postgres://nobody@127.0.0.1:1/microraiden_test_nowhere',
  kafkaBrokers: ['127.0.0.1:1'],
  log: () => undefined,
};

describe('createPaywallRuntime', () => {
  it("collects for the key's address and serves the close endpoint under the default gateway path", async () => {
    const runtime = createPaywallRuntime(options);
    try {
      expect(runtime.identity.receiver).toBe(RECEIVER);
      expect(runtime.identity.gatewayPath).toBe('/api/1');
      expect(runtime.closeEndpoint.match('DELETE', `/api/1/channels/${RECEIVER}/0x01`)).toBeDefined();
      expect(runtime.readiness().map((check) => check.name)).toEqual(['postgres', 'kafka', 'channel-events']);
      expect(runtime.readiness()).toBe(runtime.readiness());
    } finally {
      await runtime.stop();
    }
  });

  it('shards channels across databaseUrls, one pool and one readiness probe per database in their order', async () => {
    const databaseUrls = ['postgres://nobody@127.0.0.1:1/shard_a', 'postgres://nobody@127.0.0.1:1/shard_b'];
    const { databaseUrl: _one, ...rest } = options;
    const runtime = createPaywallRuntime({ ...rest, databaseUrls });
    try {
      expect(runtime.databaseUrls).toEqual(databaseUrls);
      expect(runtime.pools).toHaveLength(2);
      expect(runtime.readiness().map((check) => check.name)).toEqual([
        'postgres-shard-0',
        'postgres-shard-1',
        'kafka',
        'channel-events',
      ]);
    } finally {
      await runtime.stop();
    }
    const single = createPaywallRuntime({ ...rest, databaseUrls: [databaseUrls[0]!] });
    expect(single.pools).toHaveLength(1);
    expect(single.readiness()[0]!.name).toBe('postgres');
    await single.stop();
  });

  it('takes databaseUrl or databaseUrls, not both nor neither, nor a repeat, nor a pool per database missing', () => {
    const { databaseUrl, ...rest } = options;
    expect(() => createPaywallRuntime(rest)).toThrow(/databaseUrl or databaseUrls/);
    expect(() => createPaywallRuntime({ ...options, databaseUrls: [databaseUrl!] })).toThrow(/not both/);
    expect(() => createPaywallRuntime({ ...rest, databaseUrls: [] })).toThrow(/at least one/);
    expect(() => createPaywallRuntime({ ...rest, databaseUrls: [databaseUrl!, databaseUrl!] })).toThrow(
      /twice/,
    );
    const pool = createPaywallRuntime(options).pool;
    expect(() =>
      createPaywallRuntime({ ...rest, databaseUrls: [databaseUrl!, `${databaseUrl!}_b`], pool }),
    ).toThrow(/1 pools for 2/);
    void pool.end();
  });

  it('throws at once on bad input, before anything runs', () => {
    expect(() => createPaywallRuntime({ ...options, routes: [{ path: 'weather', price: '7' }] })).toThrow();
    expect(() =>
      createPaywallRuntime({ ...options, deployment: { ...deployment, token: 'nope' } }),
    ).toThrow();
  });

  it('refuses a key that signs for another receiver than the identity', () => {
    const runtime = createPaywallRuntime(options);
    const mismatched = () =>
      new PaywallRuntime({
        identity: runtime.identity,
        routes: undefined as never,
        receiverKey: receiverKeyOfPrivateKey(OTHER_KEY),
        gatewayId: 'x',
        pool: runtime.pool,
        databaseUrl: options.databaseUrl!,
        ownsPool: false,
        kafka: { brokers: ['127.0.0.1:1'], clientId: 'x' },
        groupId: 'x',
      });
    expect(mismatched).toThrow(/signs for 0xf39F/);
    return runtime.stop();
  });

  it('reports not ready, with a public reason, when Postgres and Kafka do not answer', async () => {
    const runtime = createPaywallRuntime(options);
    try {
      const report = await runtime.ready(1_500);
      expect(report.ready).toBe(false);
      expect(report.checks.postgres).toEqual({ status: 'down', reason: 'unavailable (ECONNREFUSED)' });
      expect(report.checks.kafka?.status).toBe('down');
      expect(report.checks['channel-events']).toEqual({
        status: 'down',
        reason: 'unavailable (CHANNEL_CONSUMER_NOT_JOINED)',
      });
    } finally {
      await runtime.stop();
    }
  });
});

describe('createPaywallRuntime with chain options', () => {
  it('warns about each unset chain option, naming the option', async () => {
    const lines: string[] = [];
    const runtime = createPaywallRuntime({
      ...options,
      log: (level, message) => lines.push(`${level} ${message}`),
    });
    await runtime.stop();
    expect(lines).toEqual([
      expect.stringMatching(
        /^warn chainWatcherUrl is not set: payments are accepted even when nothing follows/,
      ),
      expect.stringMatching(/^warn rpcUrl is not set: .* CHANNEL_INSUFFICIENT_CONFIRMATIONS/),
    ]);
  });

  it('with chainWatcherUrl reports the guard in readiness and refuses payments after the grace period', async () => {
    vi.useFakeTimers();
    const runtime = createPaywallRuntime({
      ...options,
      chainWatcherUrl: 'http://127.0.0.1:1',
      chainWatcherGraceMs: 2_000,
      rpcUrl: 'http://127.0.0.1:1',
      log: () => undefined,
    });
    try {
      expect(runtime.readiness().map((check) => check.name)).toEqual([
        'postgres',
        'kafka',
        'channel-events',
        'chain-watcher',
      ]);
      const guardCheck = runtime.readiness()[3]!;
      await expect(guardCheck.check()).resolves.toEqual({
        payments: 'accepted',
        watcherReady: false,
        notReadyForSeconds: 0,
      });
      vi.advanceTimersByTime(2_500);
      await expect(guardCheck.check()).resolves.toMatchObject({ payments: 'refused', notReadyForSeconds: 2 });
    } finally {
      await runtime.stop();
      vi.useRealTimers();
    }
  });
});

describe('joinDelayMs', () => {
  it('waits 1 s after the first failed Kafka join, doubling to 15 s', () => {
    expect([1, 2, 3, 4, 5, 10].map(joinDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });
});
