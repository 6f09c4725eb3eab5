import { bootstrapService } from '@microraiden/service-kit';
import { afterAll, beforeAll } from 'vitest';
import { describeServiceHealth } from '../../../libs/service-kit/test/describe-service-health';
import { AppModule } from '../src/app.module';
import { loadChainWatcherConfig } from '../src/chain-watcher-config';
import { WatcherFixture } from './support/watcher-fixture';

let fixture: WatcherFixture;
beforeAll(async () => {
  fixture = await WatcherFixture.start();
});
afterAll(() => fixture?.stop());

const start = (env: Record<string, string>) =>
  bootstrapService(AppModule.register(loadChainWatcherConfig({ ...fixture.env, ...env })), {
    name: 'chain-watcher',
    port: 0,
    listen: false,
  });

describeServiceHealth({
  service: 'chain-watcher',
  checks: ['postgres', 'kafka', 'chain', 'receiver-eth'],
  brokenCheck: 'chain',
  healthy: () => start({}),
  broken: () => start({ RPC_URL: 'http://127.0.0.1:1' }),
});
