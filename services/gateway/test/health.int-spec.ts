import { bootstrapService } from '@microraiden/service-kit';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadGatewayConfig } from '../src/gateway-config';
import { deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

let db: TestDatabase;
let chain: ChainFixture;
let upstream: TestUpstream;
let routesFile: string;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'gateway_health', serverUrl: inject('databaseUrl') });
  chain = await deployChain(inject('rpcUrl'));
  upstream = await startUpstream((_req, res) => json(res, 200, {}));
  routesFile = writeRoutesFile([{ path: '/paid', price: '1' }]);
});

afterAll(async () => {
  await upstream?.close();
  await db?.drop();
  chain?.close();
});

const start = (env: Record<string, string>) =>
  bootstrapService(
    AppModule.register(
      loadGatewayConfig({
        LOG_LEVEL: 'silent',
        // No receiver key: development mode signs as anvil's account 2.
        MICRORAIDEN_DEV: '1',
        DEPLOYMENT_FILE: chain.deploymentFile,
        ROUTES_FILE: routesFile,
        UPSTREAM_URL: upstream.url,
        ...env,
      }),
    ),
    { name: 'gateway', port: 0, listen: false },
  );

describeServiceHealth({
  service: 'gateway',
  checks: ['postgres', 'kafka', 'channel-events', 'upstream'],
  brokenCheck: 'kafka',
  healthy: () => start({ DATABASE_URL: db.url, KAFKA_BROKERS: inject('kafkaBrokers') }),
  broken: () => start({ DATABASE_URL: db.url, KAFKA_BROKERS: '127.0.0.1:1' }),
});
