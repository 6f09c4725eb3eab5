import { describe, expect, inject, it } from 'vitest';
import { isMicroraidenError } from '@microraiden/errors';
import { ensureInfrastructure } from '@microraiden/testing';

// Reuse mode against the run's real services: only the deliberately broken variable differs.
const realEnv = () => ({
  KAFKA_BROKERS: inject('kafkaBrokers'),
  DATABASE_URL: inject('databaseUrl'),
  RPC_URL: inject('rpcUrl'),
});

describe('ensureInfrastructure reusing services from the environment', () => {
  it('reuses answering services and starts nothing', async () => {
    const started = await ensureInfrastructure(realEnv());
    expect(started.infra).toEqual({
      kafkaBrokers: inject('kafkaBrokers'),
      databaseUrl: inject('databaseUrl'),
      rpcUrl: inject('rpcUrl'),
    });
    expect(Object.values(started.services).map((s) => s.source)).toEqual(['env', 'env', 'env']);
    await started.stop();
  });

  it('fails clearly when KAFKA_BROKERS does not answer', async () => {
    const err = await ensureInfrastructure({ ...realEnv(), KAFKA_BROKERS: '127.0.0.1:1' }).catch(
      (e: unknown) => e,
    );
    expect(isMicroraidenError(err, 'INFRA_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toContain('KAFKA_BROKERS=127.0.0.1:1 does not answer');
  });

  it('fails clearly when DATABASE_URL does not answer', async () => {
    const url = 'postgres://postgres:secret@127.0.0.1:1/nothing_test';
    const err = await ensureInfrastructure({ ...realEnv(), DATABASE_URL: url }).catch((e: unknown) => e);
    expect(isMicroraidenError(err, 'INFRA_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toContain('DATABASE_URL=postgres://postgres:***@127.0.0.1:1/nothing_test');
    expect((err as Error).message).not.toContain('secret');
  });

  it('refuses a DATABASE_URL whose database name does not contain "test"', async () => {
    const url = inject('databaseUrl').replace(/\/[^/]+$/, '/microraiden');
    const err = await ensureInfrastructure({ ...realEnv(), DATABASE_URL: url }).catch((e: unknown) => e);
    expect(isMicroraidenError(err, 'UNSAFE_TEST_DATABASE')).toBe(true);
  });

  it('fails clearly when RPC_URL does not answer', async () => {
    const err = await ensureInfrastructure({ ...realEnv(), RPC_URL: 'http://127.0.0.1:1' }).catch(
      (e: unknown) => e,
    );
    expect(isMicroraidenError(err, 'INFRA_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toContain('RPC_URL=http://127.0.0.1:1 does not answer');
  });

  it('lists every malformed variable at once', async () => {
    const err = await ensureInfrastructure({ KAFKA_BROKERS: 'nope', DATABASE_URL: 'mysql://x/y' }).catch(
      (e: unknown) => e,
    );
    expect(isMicroraidenError(err, 'INFRA_MISCONFIGURED')).toBe(true);
    expect((err as Error).message).toMatch(/KAFKA_BROKERS.*\n.*DATABASE_URL/s);
  });
});
