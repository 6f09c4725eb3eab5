import { bootstrapService } from '@microraiden/service-kit';
import { inject } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadGatewayConfig } from '../src/gateway-config';

const start = (env: Record<string, string>) =>
  bootstrapService(AppModule.register(loadGatewayConfig({ LOG_LEVEL: 'silent', ...env })), {
    name: 'gateway',
    port: 0,
    listen: false,
  });

describeServiceHealth({
  service: 'gateway',
  checks: ['postgres', 'kafka'],
  brokenCheck: 'kafka',
  healthy: () => start({ DATABASE_URL: inject('databaseUrl'), KAFKA_BROKERS: inject('kafkaBrokers') }),
  broken: () => start({ DATABASE_URL: inject('databaseUrl'), KAFKA_BROKERS: '127.0.0.1:1' }),
});
