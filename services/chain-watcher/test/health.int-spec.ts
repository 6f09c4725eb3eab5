import { bootstrapService } from '@microraiden/service-kit';
import { inject } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadChainWatcherConfig } from '../src/chain-watcher-config';

const start = (env: Record<string, string>) =>
  bootstrapService(AppModule.register(loadChainWatcherConfig({ LOG_LEVEL: 'silent', ...env })), {
    name: 'chain-watcher',
    port: 0,
    listen: false,
  });

const real = () => ({
  DATABASE_URL: inject('databaseUrl'),
  KAFKA_BROKERS: inject('kafkaBrokers'),
  RPC_URL: inject('rpcUrl'),
});

describeServiceHealth({
  service: 'chain-watcher',
  checks: ['postgres', 'kafka', 'chain'],
  brokenCheck: 'chain',
  healthy: () => start(real()),
  broken: () => start({ ...real(), RPC_URL: 'http://127.0.0.1:1' }),
});
