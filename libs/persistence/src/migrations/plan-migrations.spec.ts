import { describe, expect, it } from 'vitest';
import type { MigrationSet } from './migration';
import { MigrationError } from './migration-error';
import { planMigrations } from './plan-migrations';

const set: MigrationSet = {
  store: 'shop',
  migrations: [
    { version: 1, name: 'create orders', up: 'CREATE TABLE orders (id int)' },
    { version: 2, name: 'add total', up: 'ALTER TABLE orders ADD COLUMN total int' },
    { version: 5, name: 'index total', up: 'CREATE INDEX ON orders (total)' },
  ],
};

describe('planMigrations', () => {
  it('runs every migration on a database that recorded none', () => {
    expect(planMigrations(set, []).map((m) => m.version)).toEqual([1, 2, 5]);
  });

  it('runs only the versions not recorded yet, in declaration order', () => {
    const applied = [{ version: 1, name: 'create orders' }];
    expect(planMigrations(set, applied).map((m) => m.version)).toEqual([2, 5]);
  });

  it('runs nothing on an up-to-date database', () => {
    const applied = set.migrations.map(({ version, name }) => ({ version, name }));
    expect(planMigrations(set, applied)).toEqual([]);
  });

  it('leaves versions recorded by a newer release alone', () => {
    const applied = [
      ...set.migrations.map(({ version, name }) => ({ version, name })),
      { version: 9, name: 'x' },
    ];
    expect(planMigrations(set, applied)).toEqual([]);
  });

  it('refuses a recorded version whose name changed', () => {
    const plan = () => planMigrations(set, [{ version: 2, name: 'add price' }]);
    expect(plan).toThrow(MigrationError);
    expect(plan).toThrow(/shop migration 2 is recorded as "add price" but declared as "add total"/);
  });

  it.each([
    ['out of order', [3, 2]],
    ['repeated', [1, 1]],
    ['zero', [0]],
    ['fractional', [1.5]],
  ])('refuses versions %s', (_, versions) => {
    const bad: MigrationSet = {
      store: 'shop',
      migrations: versions.map((version) => ({ version, name: 'm', up: '' })),
    };
    expect(() => planMigrations(bad, [])).toThrow(expect.objectContaining({ code: 'MIGRATION_INVALID' }));
  });

  it('refuses a set without a store name', () => {
    expect(() => planMigrations({ store: ' ', migrations: [] }, [])).toThrow(/store name/);
  });
});
