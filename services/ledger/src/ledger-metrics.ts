import { Inject, Injectable } from '@nestjs/common';
import { overDepositTotals, type OverDepositTotals } from '@microraiden/ledger';
import { Counter, Gauge, Registry } from 'prom-client';
import { LedgerRuntime } from './ledger-runtime';

/**
 * The ledger's Prometheus metrics: consumer lag per partition, events by type and outcome, dead letters, and the
 * revenue no confirmed deposit covers (a reorged top-up or creation; alert on it).
 */
@Injectable()
export class LedgerMetrics {
  constructor(@Inject(Registry) registry: Registry, runtime: LedgerRuntime) {
    const events = new Counter({
      name: 'microraiden_ledger_events_total',
      help: 'Events consumed by the projection, by type and outcome (applied, ignored, duplicate).',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    const deadLetters = new Counter({
      name: 'microraiden_ledger_dead_letters_total',
      help: 'Messages the ledger moved to the dead-letter topic, by error code.',
      labelNames: ['topic', 'code'],
      registers: [registry],
    });
    new Gauge({
      name: 'microraiden_ledger_consumer_lag',
      help: 'Messages between the projection position and the high watermark, per owned partition.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        this.reset();
        const lags =
          (await runtime
            .currentProjection()
            ?.lag()
            .catch(() => [])) ?? [];
        for (const lag of lags)
          this.set({ topic: lag.topic, partition: String(lag.partition) }, Number(lag.lag));
      },
    });
    registerOverDepositGauges(registry, () => overDepositTotals(runtime.database()));
    runtime.onBatch((result) => {
      for (const c of result.counts) events.inc({ type: c.type, outcome: c.outcome }, c.count);
    });
    runtime.onDeadLetter((info) => deadLetters.inc({ topic: info.topic, code: info.code }));
  }
}

/**
 * Two gauges read from the channel table on each scrape. Each read sets both, so they always agree; a failed read
 * keeps the last values rather than reporting 0: a database outage must not look like "nothing at risk" and
 * resolve an alert.
 */
function registerOverDepositGauges(registry: Registry, read: () => Promise<OverDepositTotals>): void {
  let pending: Promise<void> | undefined;
  const refresh = () =>
    (pending ??= read()
      .then((totals) => {
        channels.set(totals.channels);
        revenue.set(Number(totals.total));
      })
      .catch(() => undefined)
      .finally(() => (pending = undefined)));
  const channels = new Gauge({
    name: 'microraiden_ledger_channels_over_deposit',
    help: 'Unsettled channels whose accepted balance exceeds the confirmed deposit (the chain cannot pay the excess).',
    registers: [registry],
    collect: refresh,
  });
  const revenue = new Gauge({
    name: 'microraiden_ledger_revenue_over_deposit',
    help: 'Accepted balance above the confirmed deposit, summed over unsettled channels, in token base units.',
    registers: [registry],
    collect: refresh,
  });
}
