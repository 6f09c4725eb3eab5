import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { withTransaction } from './transaction';

/** A checked-out client whose statements answer from `answer` and which records what it ran and how it went back. */
function fakePool(answer: (sql: string) => Promise<unknown> = async () => ({ rows: [] })) {
  const client = new EventEmitter() as EventEmitter & { ran: string[]; released: unknown[] };
  client.ran = [];
  client.released = [];
  Object.assign(client, {
    query: vi.fn(async (sql: string) => {
      client.ran.push(sql);
      return answer(sql);
    }),
    release: (err?: unknown) => client.released.push(err),
  });
  const pool = { connect: async () => client as unknown as PoolClient } as unknown as Pool;
  return { pool, client };
}

describe('withTransaction', () => {
  it('commits and returns what the work returned, and gives the client back healthy', async () => {
    const { pool, client } = fakePool();
    const result = await withTransaction(pool, async (tx) => {
      await tx.query('UPDATE t SET x = 1');
      return 42;
    });
    expect(result).toBe(42);
    expect(client.ran).toEqual(['BEGIN', 'UPDATE t SET x = 1', 'COMMIT']);
    expect(client.released).toEqual([undefined]);
    expect(client.listenerCount('error')).toBe(0);
  });

  it('rolls back when the work throws, rethrows, and keeps a client whose rollback worked', async () => {
    const { pool, client } = fakePool();
    const failure = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(
      withTransaction(pool, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(client.ran).toEqual(['BEGIN', 'ROLLBACK']);
    expect(client.released).toEqual([undefined]);
  });

  it('survives the connection dying mid-transaction: no unhandled error, the client is discarded', async () => {
    const { pool, client } = fakePool();
    const lost = new Error('terminating connection due to administrator command');
    // Without a listener EventEmitter.emit('error') throws: the test would fail the way the process died.
    await expect(
      withTransaction(pool, async () => {
        client.emit('error', lost);
        throw new Error('Connection terminated unexpectedly');
      }),
    ).rejects.toThrow('Connection terminated unexpectedly');
    expect(client.ran).toEqual(['BEGIN']);
    expect(client.released).toEqual([lost]);
    expect(client.listenerCount('error')).toBe(0);
  });

  it('discards the client when the connection died even though the work itself succeeded', async () => {
    const { pool, client } = fakePool(async (sql) => {
      if (sql === 'COMMIT') {
        client.emit('error', new Error('Connection terminated unexpectedly'));
        throw new Error('Connection terminated unexpectedly');
      }
      return { rows: [] };
    });
    await expect(withTransaction(pool, async () => 1)).rejects.toThrow('Connection terminated');
    expect(client.ran).toEqual(['BEGIN', 'COMMIT']);
    expect(client.released).toHaveLength(1);
    expect(client.released[0]).toBeInstanceOf(Error);
  });

  it('discards the client when its rollback fails (its transaction may still be open)', async () => {
    const rollbackFailure = new Error('rollback failed');
    const { pool, client } = fakePool(async (sql) => {
      if (sql === 'ROLLBACK') throw rollbackFailure;
      return { rows: [] };
    });
    await expect(
      withTransaction(pool, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(client.released).toEqual([rollbackFailure]);
  });

  it('gives the client back when BEGIN fails', async () => {
    const { pool, client } = fakePool(async (sql) => {
      if (sql === 'BEGIN') throw Object.assign(new Error('canceled'), { code: '57014' });
      return { rows: [] };
    });
    await expect(withTransaction(pool, async () => 1)).rejects.toThrow('canceled');
    expect(client.released).toEqual([undefined]);
  });
});
