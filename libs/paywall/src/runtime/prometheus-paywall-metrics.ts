import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MeterFallback } from '../core/metered-charge';
import type { PaidRequestOutcome, PaywallMetrics } from '../core/paywall-metrics';
import type { ConfiguredRoute } from '../core/route-table';

/**
 * What the gateway's metrics read besides the paywall's own reports. Fleet-wide figures (funds at risk, channel
 * counts) are not here: every replica would export the same total and a sum over replicas would multiply it; the
 * ledger exports them once.
 */
export interface PaywallMetricsSources {
  /** The configured routes: their series exist at zero from the start (a rate needs a series to exist). */
  routes?: readonly ConfiguredRoute[];
  /** The outbox backlog of the whole fleet (one table): aggregate replicas with max(), never sum(). */
  outboxLag?: () => Promise<{ unpublished: number; oldestUnpublishedAgeMs: number }>;
  /** Whether the chain guard refuses payments now (the chain-watcher not ready for longer than the grace). */
  chainGuardClosed?: () => boolean;
}

// Latencies of a local database round trip and of a signature check: sub-millisecond buckets matter.
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
// A paid request includes the upstream: milliseconds to seconds.
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PAID_OUTCOMES: readonly PaidRequestOutcome[] = ['paid', 'not_charged'];

/** The paywall's Prometheus metrics on `registry` (the service kit's, injected). */
export function createPaywallMetrics(
  registry: Registry,
  sources: PaywallMetricsSources = {},
): PaywallMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'microraiden_gateway_requests_total',
    help: 'Requests by outcome (paid, free, rejected), route and reason (error code; empty when served).',
    labelNames: ['outcome', 'route', 'reason'] as const,
    registers,
  });
  const revenue = new Counter({
    name: 'microraiden_gateway_revenue_base_units_total',
    help: 'Charges in token base units: accepted increments, or what metered requests cost (a float here only; amounts are exact everywhere else).',
    labelNames: ['route'] as const,
    registers,
  });
  const meter = meterCounters(registers);
  const verify = new Histogram({
    name: 'microraiden_gateway_verify_seconds',
    help: 'Deciding on a payment before the upstream: headers, channel read, signature, balance.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const accept = new Histogram({
    name: 'microraiden_gateway_accept_seconds',
    help: 'The accepting transaction: compare-and-set of the balance plus the outbox insert, committed.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const paidRequest = new Histogram({
    name: 'microraiden_gateway_paid_request_seconds',
    help: 'A request carrying a verified payment, from admission to the answer (upstream and acceptance included), by route and outcome (paid, not_charged).',
    labelNames: ['route', 'outcome'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  for (const { route, kind } of sources.routes ?? []) {
    if (kind === 'free') {
      requests.inc({ outcome: 'free', route, reason: '' }, 0);
      continue;
    }
    requests.inc({ outcome: 'paid', route, reason: '' }, 0);
    revenue.inc({ route }, 0);
    if (kind === 'metered') for (const counter of Object.values(meter)) counter.inc({ route }, 0);
    for (const outcome of PAID_OUTCOMES) paidRequest.zero({ route, outcome });
  }
  registerBacklogGauges(registry, sources.outboxLag);
  registerGuardGauge(registry, sources.chainGuardClosed);
  return {
    paid(route, charge) {
      requests.inc({ outcome: 'paid', route, reason: '' });
      revenue.inc({ route }, Number(charge));
    },
    meterFallback(route, fallback) {
      meter[fallback].inc({ route });
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
    paidRequestSeconds(route, outcome, seconds) {
      paidRequest.observe({ route, outcome }, seconds);
    },
  };
}

/** The counters of metered requests charged their ceiling, by why (docs/protocol.md 7.2). */
function meterCounters(registers: Registry[]): Record<MeterFallback, Counter<'route'>> {
  return {
    overreport: new Counter({
      name: 'microraiden_gateway_meter_overreports_total',
      help: 'Metered requests whose handler or upstream reported a cost above the ceiling (a server bug): charged the ceiling.',
      labelNames: ['route'] as const,
      registers,
    }),
    unreported: new Counter({
      name: 'microraiden_gateway_meter_unreported_total',
      help: 'Metered requests that reported no cost (or a malformed RDN-Charge): charged the ceiling.',
      labelNames: ['route'] as const,
      registers,
    }),
  };
}

function registerBacklogGauges(registry: Registry, read: PaywallMetricsSources['outboxLag']): void {
  if (read === undefined) return;
  // Each gauge reads for itself: the registry may collect them in any order (or at once).
  new Gauge({
    name: 'microraiden_gateway_outbox_unpublished',
    help: 'Accepted balance proofs committed but not yet published to Kafka (whole fleet: aggregate with max).',
    registers: [registry],
    async collect() {
      this.set((await read()).unpublished);
    },
  });
  new Gauge({
    name: 'microraiden_gateway_outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox row (whole fleet: aggregate with max).',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestUnpublishedAgeMs / 1000);
    },
  });
}

function registerGuardGauge(registry: Registry, closed: PaywallMetricsSources['chainGuardClosed']): void {
  if (closed === undefined) return;
  new Gauge({
    name: 'microraiden_gateway_chain_guard_closed',
    help: '1 while this replica refuses payments because the chain-watcher has not been ready for too long.',
    registers: [registry],
    collect() {
      this.set(closed() ? 1 : 0);
    },
  });
}
