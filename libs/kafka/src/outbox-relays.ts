import type { OutboxLag, OutboxRelay } from './outbox-relay';

/**
 * Several outboxes relayed as one: one relay per database (per shard), each with its own connections and its own
 * advisory lock (advisory locks are per database), so the shards' rows go out side by side, each shard's in its own id
 * order. start, publishPending and stop act on all; lag adds the backlogs up and reports the oldest row's age.
 */
export function combineOutboxRelays(relays: readonly OutboxRelay[]): OutboxRelay {
  if (relays.length === 1) return relays[0]!;
  return {
    async start() {
      for (const relay of relays) await relay.start();
    },
    async publishPending() {
      const published = await Promise.all(relays.map((relay) => relay.publishPending()));
      return published.reduce((sum, n) => sum + n, 0);
    },
    async lag() {
      return combinedLag(await Promise.all(relays.map((relay) => relay.lag())));
    },
    async stop() {
      const stopped = await Promise.allSettled(relays.map((relay) => relay.stop()));
      const failed = stopped.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

/** The backlog of several outboxes: rows not yet published in any, and the oldest of them. */
export function combinedLag(lags: readonly OutboxLag[]): OutboxLag {
  return {
    unpublished: lags.reduce((sum, lag) => sum + lag.unpublished, 0),
    oldestUnpublishedAgeMs: lags.reduce((oldest, lag) => Math.max(oldest, lag.oldestUnpublishedAgeMs), 0),
  };
}
