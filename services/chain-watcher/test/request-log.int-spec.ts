import { waitFor } from '@microraiden/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLoggingWatcher, type LoggingWatcher } from './support/logging-process';
import { WatcherFixture } from './support/watcher-fixture';

// What an operator's log shows of probes: Kubernetes, the load balancer, the gateways' chain guards and Prometheus
// ask every few seconds, and none of that may bury the lines that matter.
let fixture: WatcherFixture;
let watcher: LoggingWatcher | undefined;
beforeAll(async () => {
  fixture = await WatcherFixture.start();
});
afterAll(async () => {
  await watcher?.stop();
  await fixture?.stop();
});

const INTERNAL = /127\.0\.0\.1|localhost|ECONNREFUSED|[a-z0-9\]]:\d{2,5}\b/i;

async function probe(url: string, times: number): Promise<Response[]> {
  const answers: Response[] = [];
  for (let i = 0; i < times; i++)
    for (const p of ['/health/ready', '/health/live', '/metrics']) {
      const res = await fetch(`${url}${p}`);
      await res.clone().text();
      answers.push(res);
    }
  return answers;
}

describe('chain-watcher request log', () => {
  it('logs no readiness, liveness or metrics request while ready', async () => {
    watcher = await spawnLoggingWatcher({ ...fixture.env, LOG_LEVEL: 'info' });
    await waitFor('ready', async () => (await fetch(`${watcher!.url}/health/ready`)).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const before = watcher.lines().length;
    const answers = await probe(watcher.url, 20);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const logged = watcher.lines().slice(before);
    expect(logged.filter((l) => /"url":"\/(health|metrics)|request completed/.test(l))).toEqual([]);
    const ready = await (await fetch(`${watcher.url}/health/ready`)).text();
    expect(ready).not.toMatch(INTERNAL);
    await watcher.stop();
  });

  it('logs a not-ready dependency once, without a stack trace, however often it is polled', async () => {
    watcher = await spawnLoggingWatcher({ ...fixture.env, LOG_LEVEL: 'info', MIN_RECEIVER_ETH: '1000000' });
    const answers = await probe(watcher.url, 20);
    const ready = answers.filter((_, i) => i % 3 === 0);
    expect(ready.every((r) => r.status === 503)).toBe(true);
    const body = await ready[0]!.text();
    expect(body).toContain('receiver-eth');
    expect(body).not.toMatch(INTERNAL);
    await new Promise((r) => setTimeout(r, 500));
    const lines = watcher.lines();
    expect(lines.filter((l) => l.includes('"stack"') || /\n\s+at /.test(l))).toEqual([]);
    expect(lines.filter((l) => /request completed|request errored|Health Check/.test(l))).toEqual([]);
    expect(lines.filter((l) => l.includes('receiver-eth is not ready'))).toHaveLength(1);
  });
});
