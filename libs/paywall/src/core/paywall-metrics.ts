import type { MeterFallback } from './metered-charge';

/** Why a request was answered without the upstream's content: a protocol or gateway error code. */
export type RejectionReason = string;

/** How a request carrying a verified payment ended: charged, or answered without a charge. */
export type PaidRequestOutcome = 'paid' | 'not_charged';

/** What the paywall reports; the prom-client implementation is {@link createPaywallMetrics}. */
export interface PaywallMetrics {
  /** A paid request was accepted and charged `charge` (a fixed price: the whole increment over the charged balance). */
  paid(route: string, charge: bigint): void;
  /**
   * A metered request was charged its ceiling because it reported more (`overreport`, a server bug) or nothing
   * usable (`unreported`: no report, or a malformed one).
   */
  meterFallback(route: string, fallback: MeterFallback): void;
  /** A free route was served. */
  free(route: string): void;
  /** A request was refused or not charged; `reason` is the error code (or `UPSTREAM_<status>`). */
  rejected(route: string, reason: RejectionReason): void;
  /** Seconds spent deciding on a payment before the upstream (header parse, channel read, signature). */
  verifySeconds(seconds: number): void;
  /** Seconds spent on the accepting transaction (compare-and-set plus outbox insert, committed). */
  acceptSeconds(seconds: number): void;
  /** Seconds from admitting a verified payment to the answer: upstream and acceptance included. */
  paidRequestSeconds(route: string, outcome: PaidRequestOutcome, seconds: number): void;
}

/** Metrics that go nowhere (unit tests, embedding without Prometheus). */
export const NO_METRICS: PaywallMetrics = {
  paid: () => undefined,
  meterFallback: () => undefined,
  free: () => undefined,
  rejected: () => undefined,
  verifySeconds: () => undefined,
  acceptSeconds: () => undefined,
  paidRequestSeconds: () => undefined,
};
