import { Inject, Injectable } from '@nestjs/common';
import { ledgerTotals, type LedgerTotals } from '@microraiden/ledger';
import { Gauge, Registry } from 'prom-client';
import { LedgerRuntime } from './ledger-runtime';

const STATUSES = ['pending', 'open', 'closing', 'settled'] as const;
// The gauges of one scrape share one read (the registry collects them one after another or all at once).
const READ_REUSE_MS = 1_000;

/**
 * The fleet-wide gauges: channels by status, funds at risk, accepted revenue. Only the ledger exports them
 * (one series each), so a dashboard or an alert never sums copies from gateway replicas. Read at scrape time
 * from the projection; before the database is ready the last values stay.
 */
@Injectable()
export class LedgerTotalsMetrics {
  private last: { at: number; read: Promise<LedgerTotals | undefined> } | undefined;

  constructor(
    @Inject(Registry) registry: Registry,
    @Inject(LedgerRuntime) private readonly runtime: LedgerRuntime,
  ) {
    const totals = () => this.totals();
    const channels = new Gauge({
      name: 'microraiden_ledger_channels',
      help: 'Channels the ledger knows, by status (pending, open, closing, settled).',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const read = await totals();
        if (read) for (const status of STATUSES) this.set({ status }, read.channelsByStatus[status]);
      },
    });
    for (const status of STATUSES) channels.set({ status }, 0);
    new Gauge({
      name: 'microraiden_ledger_funds_at_risk_base_units',
      help: 'Accepted on channels not yet settled but not withdrawn either, in token base units (whole fleet).',
      registers: [registry],
      async collect() {
        const read = await totals();
        if (read) this.set(Number(read.fundsAtRisk));
      },
    });
    new Gauge({
      name: 'microraiden_ledger_accepted_revenue_base_units',
      help: 'Every charge the ledger projected (the charge of each accepted proof, its increment at a fixed price, and the charge-only commits of streams), in token base units (whole fleet).',
      registers: [registry],
      async collect() {
        const read = await totals();
        if (read) this.set(Number(read.acceptedRevenue));
      },
    });
  }

  private totals(): Promise<LedgerTotals | undefined> {
    const now = Date.now();
    if (this.last === undefined || now - this.last.at > READ_REUSE_MS) {
      this.last = { at: now, read: this.readTotals() };
    }
    return this.last.read;
  }

  private async readTotals(): Promise<LedgerTotals | undefined> {
    try {
      return await ledgerTotals(this.runtime.database());
    } catch {
      // Not started yet or the database is down: readiness reports that; the scrape itself must still succeed.
      return undefined;
    }
  }
}
