import { isMicroraidenError } from '@microraiden/errors';
import { describe, expect, it } from 'vitest';
import { parseInfrastructureEnv } from './infrastructure-env';

describe('parseInfrastructureEnv', () => {
  it('treats unset and empty variables alike and defaults to auto', () => {
    expect(parseInfrastructureEnv({ KAFKA_BROKERS: '', RPC_URL: undefined })).toEqual({ TEST_INFRA: 'auto' });
  });

  it('accepts the values up.sh prints', () => {
    const env = {
      KAFKA_BROKERS: '127.0.0.1:9092, kafka:9092',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/microraiden_test',
      RPC_URL: 'http://127.0.0.1:8545',
      TEST_INFRA: 'local',
    };
    expect(parseInfrastructureEnv(env)).toEqual(env);
  });

  it('rejects malformed values, naming each variable', () => {
    let caught: unknown;
    try {
      parseInfrastructureEnv({ KAFKA_BROKERS: 'localhost', RPC_URL: 'ws://x', TEST_INFRA: 'docker' });
    } catch (err) {
      caught = err;
    }
    expect(isMicroraidenError(caught, 'INFRA_MISCONFIGURED')).toBe(true);
    const message = (caught as Error).message;
    for (const name of ['KAFKA_BROKERS', 'RPC_URL', 'TEST_INFRA']) expect(message).toContain(name);
  });
});
