import { bootstrapService } from '@microraiden/service-kit';
import { inject } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadLedgerConfig } from '../src/ledger-config';

const start = (env: Record<string, string>) =>
  bootstrapService(AppModule.register(loadLedgerConfig({ LOG_LEVEL: 'silent', ...env })), {
    name: 'ledger',
    port: 0,
    listen: false,
  });

describeServiceHealth({
  service: 'ledger',
  checks: ['postgres', 'kafka'],
  brokenCheck: 'postgres',
  healthy: () => start({ DATABASE_URL: inject('databaseUrl'), KAFKA_BROKERS: inject('kafkaBrokers') }),
  broken: () =>
    start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', KAFKA_BROKERS: inject('kafkaBrokers') }),
});
