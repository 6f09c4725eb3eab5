import { describe, expect, it } from 'vitest';
import {
  delayAfter,
  inIdOrder,
  outboxLagOf,
  PRUNE_EVERY_MS,
  pruneDue,
  relayLockKey,
  relayStatements,
} from './outbox-relay-plan';

const pacing = { batchSize: 100, pollIntervalMs: 500, idlePollMaxMs: 4_000 };
const ran = (published: number, emptyInARow = 0, listening = true) =>
  ({ ok: true, published, emptyInARow, listening }) as const;

describe('outbox relay plan', () => {
  it('goes on at once after a full batch and polls after a partial one', () => {
    expect(delayAfter(ran(100), pacing)).toBe(0);
    expect(delayAfter(ran(99, 5), pacing)).toBe(500);
    expect(delayAfter(ran(0), pacing)).toBe(500);
  });

  it('polls less and less while idle and listening, up to the idle maximum', () => {
    expect([0, 1, 2, 3, 4, 40].map((n) => delayAfter(ran(0, n), pacing))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000,
    ]);
    // Without LISTEN the poll is the only way to see a row: it never slows down.
    expect(delayAfter(ran(0, 40, false), pacing)).toBe(500);
    // An idle maximum below the interval does not make polls faster.
    expect(delayAfter(ran(0, 3), { ...pacing, idlePollMaxMs: 100 })).toBe(500);
  });

  it('backs off exponentially after failures, capped at 10 s', () => {
    expect([1, 2, 3, 6, 7, 20].map((n) => delayAfter({ ok: false, failuresInARow: n }, pacing))).toEqual([
      400, 800, 1_600, 10_000, 10_000, 10_000,
    ]);
  });

  it('prunes at most once a minute, and never when published rows are kept', () => {
    expect(pruneDue(PRUNE_EVERY_MS, 0, 1_000)).toBe(true);
    expect(pruneDue(PRUNE_EVERY_MS - 1, 0, 1_000)).toBe(false);
    expect(pruneDue(10 * PRUNE_EVERY_MS, 0, null)).toBe(false);
  });

  it('reads the backlog row: count and the oldest age rounded, 0 when none waits', () => {
    expect(outboxLagOf({ unpublished: '3', oldest_ms: '1234.6' })).toEqual({
      unpublished: 3,
      oldestUnpublishedAgeMs: 1235,
    });
    expect(outboxLagOf({ unpublished: '0', oldest_ms: null })).toEqual({
      unpublished: 0,
      oldestUnpublishedAgeMs: 0,
    });
  });

  it('locks each table under its own key, the same on every replica', () => {
    expect(relayLockKey('outbox')).toBe(relayLockKey('outbox'));
    expect(relayLockKey('outbox')).not.toBe(relayLockKey('cw_outbox'));
    expect(relayStatements('cw_outbox').lock).toContain(relayLockKey('cw_outbox'));
  });

  it('orders claimed rows by numeric id, which RETURNING does not', () => {
    const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id);
    expect(ids(inIdOrder([{ id: '10' }, { id: '9' }, { id: '100' }, { id: '11' }]))).toEqual([
      '9',
      '10',
      '11',
      '100',
    ]);
    expect(ids(inIdOrder([{ id: '9223372036854775807' }, { id: '9223372036854775806' }]))).toEqual([
      '9223372036854775806',
      '9223372036854775807',
    ]);
  });

  it('marks and returns the claimed rows in one statement, oldest unpublished first', () => {
    const { claim } = relayStatements('outbox');
    expect(claim).toMatch(/^\s*UPDATE outbox SET published_at = now\(\)/);
    expect(claim).toContain('WHERE published_at IS NULL ORDER BY id LIMIT $1');
    expect(claim).toContain('RETURNING id, topic, key, payload, headers');
  });
});
