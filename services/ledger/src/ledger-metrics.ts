import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { LedgerRuntime } from './ledger-runtime';

/** The ledger's Prometheus metrics: consumer lag per partition, events by type and outcome, dead letters. */
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
    runtime.onBatch((result) => {
      for (const c of result.counts) events.inc({ type: c.type, outcome: c.outcome }, c.count);
    });
    runtime.onDeadLetter((info) => deadLetters.inc({ topic: info.topic, code: info.code }));
  }
}
