import { ConfigError } from '@microraiden/config';
import { TOPICS } from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, shardDatabaseUrls } from './gateway-config';

describe('gateway configuration', () => {
  it('has defaults that run against the local stack', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      GATEWAY_PATH: '/api/1',
      UPSTREAM_URL: 'http://127.0.0.1:8080',
      CHANNELS_TOPIC: TOPICS.channels.name,
      BALANCE_PROOFS_TOPIC: TOPICS.balanceProofs.name,
    });
    expect(config.GATEWAY_ID).toMatch(/-\d+$/);
    expect(config.MICRORAIDEN_DEV).toBe(false);
  });

  it('parses and normalises values', () => {
    const config = loadGatewayConfig({ PORT: '8080', GATEWAY_PATH: '/pay/', KAFKA_BROKERS: 'a:1,b:2' });
    expect(config.PORT).toBe(8080);
    expect(config.GATEWAY_PATH).toBe('/pay');
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('lists every bad key at once', () => {
    try {
      loadGatewayConfig({ PORT: 'x', UPSTREAM_URL: 'ftp://x', OPERATOR_TOKEN: 'short', GATEWAY_ID: 'a b' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.split(':')[0]).sort()).toEqual([
        'GATEWAY_ID',
        'OPERATOR_TOKEN',
        'PORT',
        'UPSTREAM_URL',
      ]);
    }
  });

  it("reads no chain unless RPC_URL (http) is set, and counts the chain-watcher's default confirmations", () => {
    const off = loadGatewayConfig({});
    expect(off.RPC_URL).toBeUndefined();
    expect(off).toMatchObject({ CONFIRMATIONS: 2, RPC_TIMEOUT_MS: 2000 });
    expect(loadGatewayConfig({ RPC_URL: 'http://anvil:8545', CONFIRMATIONS: '0' })).toMatchObject({
      RPC_URL: 'http://anvil:8545',
      CONFIRMATIONS: 0,
    });
    expect(() => loadGatewayConfig({ RPC_URL: 'ws://anvil:8545' })).toThrow(/RPC_URL/);
    expect(() => loadGatewayConfig({ CONFIRMATIONS: '-1' })).toThrow(/CONFIRMATIONS/);
  });

  it('leaves the chain guard off unless CHAIN_WATCHER_URL is set, with a 30 s grace and a 2 s poll', () => {
    const off = loadGatewayConfig({ CHAIN_WATCHER_URL: '' });
    expect(off.CHAIN_WATCHER_URL).toBeUndefined();
    expect(off).toMatchObject({ CHAIN_WATCHER_GRACE_S: 30, CHAIN_WATCHER_POLL_MS: 2000 });
    const on = loadGatewayConfig({
      CHAIN_WATCHER_URL: 'http://chain-watcher:3002',
      CHAIN_WATCHER_GRACE_S: '2',
      CHAIN_WATCHER_POLL_MS: '200',
    });
    expect(on).toMatchObject({
      CHAIN_WATCHER_URL: 'http://chain-watcher:3002',
      CHAIN_WATCHER_GRACE_S: 2,
      CHAIN_WATCHER_POLL_MS: 200,
    });
  });

  it('refuses a chain-watcher URL that is not http(s) and a zero grace or poll interval', () => {
    try {
      loadGatewayConfig({
        CHAIN_WATCHER_URL: 'chain-watcher:3002',
        CHAIN_WATCHER_GRACE_S: '0',
        CHAIN_WATCHER_POLL_MS: '0',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.split(':')[0]).sort()).toEqual([
        'CHAIN_WATCHER_GRACE_S',
        'CHAIN_WATCHER_POLL_MS',
        'CHAIN_WATCHER_URL',
      ]);
    }
  });

  it('reads the shared settings under their one name, and the old names with a warning', () => {
    const warnings: string[] = [];
    const config = loadGatewayConfig(
      { CONSUMER_GROUP: 'g', RECEIVER_KEYSTORE: '/k', RECEIVER_KEYSTORE_PASSWORD: 'p', MICRORAIDEN_DEV: '1' },
      { warn: (m) => warnings.push(m) },
    );
    expect(config).toMatchObject({
      KAFKA_GROUP_ID: 'g',
      RECEIVER_KEYSTORE_FILE: '/k',
      RECEIVER_KEYSTORE_PASSWORD: 'p',
      MICRORAIDEN_DEV: true,
    });
    expect(warnings).toHaveLength(2);
    expect(loadGatewayConfig({}).KAFKA_GROUP_ID).toBe('microraiden-gateway');
  });

  it('reads one database from DATABASE_URL, or the shards of DATABASE_URLS in order', () => {
    const one = loadGatewayConfig({ DATABASE_URL: 'postgres://db/a' });
    expect(one.DATABASE_URLS).toBeUndefined();
    expect(shardDatabaseUrls(one)).toEqual(['postgres://db/a']);
    const two = loadGatewayConfig({
      DATABASE_URL: 'postgres://db/a',
      DATABASE_URLS: 'postgres://db/b, postgres://db/c',
    });
    expect(shardDatabaseUrls(two)).toEqual(['postgres://db/b', 'postgres://db/c']);
    expect(() => loadGatewayConfig({ DATABASE_URLS: 'postgres://db/b,postgres://db/b' })).toThrow(
      /DATABASE_URLS/,
    );
    expect(() => loadGatewayConfig({ DATABASE_URLS: 'postgres://db/b,mysql://db/c' })).toThrow(
      /DATABASE_URLS/,
    );
  });
});
