import { bootstrapService } from '@microraiden/service-kit';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  checks: ['postgres', 'kafka', 'chain', 'receiver-eth', 'startup'],
  brokenCheck: 'chain',
  healthy: () => start({}),
  broken: () => start({ RPC_URL: 'http://127.0.0.1:1' }),
});

describe('chain-watcher start-up readiness', () => {
  it('is not ready, and says why, while its RPC serves another chain than the deployment', async () => {
    const deployment = JSON.parse(await readFile(fixture.env.DEPLOYMENT_FILE!, 'utf8')) as {
      chainId: number;
    };
    const dir = await mkdtemp(path.join(tmpdir(), 'watcher-wrong-chain-'));
    const wrongChain = path.join(dir, 'deployment.json');
    await writeFile(wrongChain, JSON.stringify({ ...deployment, chainId: 5 }));
    const app = await start({ DEPLOYMENT_FILE: wrongChain, POLL_INTERVAL_MS: '200' });
    await app.listen(0, '127.0.0.1');
    try {
      const url = await app.getUrl();
      let body: { error?: Record<string, { status: string; message?: string }> } = {};
      for (let waited = 0; waited < 10_000; waited += 250) {
        const res = await fetch(`${url}/health/ready`);
        expect(res.status).toBe(503);
        body = (await res.json()) as typeof body;
        if (body.error?.startup?.message?.includes('chain')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(body.error?.startup?.message).toBe(
        `start-up failed: RPC_URL serves chain 31337, the deployment is for chain 5`,
      );
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
