import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PaywallMetrics } from './paywall-metrics';

/** Sources of the gauges that are read at scrape time. */
export interface GaugeSources {
  /** Accepted but neither withdrawn nor settled, in token base units (from the shared table). */
  fundsAtRisk?: () => Promise<bigint>;
  /** The outbox backlog of the whole fleet. */
  outboxLag?: () => Promise<{ unpublished: number; oldestUnpublishedAgeMs: number }>;
  /** Whether the chain guard refuses payments now (the chain-watcher not ready for longer than the grace). */
  chainGuardClosed?: () => boolean;
}

// Latencies of a local database round trip and of a signature check: sub-millisecond buckets matter.
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The paywall's Prometheus metrics on `registry` (the service kit's, injected). */
export function createPaywallMetrics(registry: Registry, sources: GaugeSources = {}): PaywallMetrics {
  const requests = new Counter({
    name: 'microraiden_gateway_requests_total',
    help: 'Requests by outcome (paid, free, rejected), route and reason (error code; empty when served).',
    labelNames: ['outcome', 'route', 'reason'] as const,
    registers: [registry],
  });
  const revenue = new Counter({
    name: 'microraiden_gateway_revenue_base_units_total',
    help: 'Accepted increments in token base units (a float here only; amounts are exact everywhere else).',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const verify = new Histogram({
    name: 'microraiden_gateway_verify_seconds',
    help: 'Deciding on a payment before the upstream: headers, channel read, signature, balance.',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const accept = new Histogram({
    name: 'microraiden_gateway_accept_seconds',
    help: 'The accepting transaction: compare-and-set of the balance plus the outbox insert, committed.',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  if (sources.fundsAtRisk) {
    const read = sources.fundsAtRisk;
    new Gauge({
      name: 'microraiden_gateway_funds_at_risk_base_units',
      help: 'Accepted on open or closing channels but not yet withdrawn or settled (whole fleet).',
      registers: [registry],
      async collect() {
        this.set(Number(await read()));
      },
    });
  }
  if (sources.outboxLag) {
    const read = sources.outboxLag;
    const rows = new Gauge({
      name: 'microraiden_gateway_outbox_unpublished',
      help: 'Accepted balance proofs committed but not yet published to Kafka.',
      registers: [registry],
    });
    new Gauge({
      name: 'microraiden_gateway_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished outbox row.',
      registers: [registry],
      async collect() {
        const lag = await read();
        rows.set(lag.unpublished);
        this.set(lag.oldestUnpublishedAgeMs / 1000);
      },
    });
  }
  if (sources.chainGuardClosed) {
    const closed = sources.chainGuardClosed;
    new Gauge({
      name: 'microraiden_gateway_chain_guard_closed',
      help: '1 while this replica refuses payments because the chain-watcher has not been ready for too long.',
      registers: [registry],
      collect() {
        this.set(closed() ? 1 : 0);
      },
    });
  }
  return {
    paid(route, increment) {
      requests.inc({ outcome: 'paid', route, reason: '' });
      revenue.inc({ route }, Number(increment));
    },
    free(route) {
      requests.inc({ outcome: 'free', route, reason: '' });
    },
    rejected(route, reason) {
      requests.inc({ outcome: 'rejected', route, reason });
    },
    verifySeconds(seconds) {
      verify.observe(seconds);
    },
    acceptSeconds(seconds) {
      accept.observe(seconds);
    },
  };
}
