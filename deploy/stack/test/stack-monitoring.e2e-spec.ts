import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@microraiden/client';
import { microTokenAt, readDeploymentFile } from '@microraiden/contracts';
import { runM2mClient } from '../../../examples/m2m-client/m2m-client';
import { portInUse } from '../service-process';
import { dashboardQueries, metricNamesIn } from './support/dashboard-queries';
import { PrometheusApi } from './support/prometheus-api';
import { StackRun, type StackUrls } from './support/stack-run';

// `npm run stack` with its Prometheus, on ports of its own (not the README's defaults): paid traffic through
// the front, then through Prometheus' API every target is up, every metric the alert rules and the dashboard
// read has series, every rule evaluates, and every dashboard panel query is valid PromQL returning data.
const repo = path.resolve(__dirname, '../../..');
const PORTS = {
  FRONT_PORT: '18080',
  UPSTREAM_PORT: '18081',
  COMPLETION_PORT: '18082',
  GATEWAY_PORTS: '13000,13003',
  LEDGER_PORT: '13001',
  CHAIN_WATCHER_PORT: '13002',
  PROMETHEUS_PORT: '19090',
};
const REQUESTS = 12;
const DASHBOARD = path.join(repo, 'deploy/monitoring/grafana/dashboards/microraiden.json');
const FORTUNE_PRICE = BigInt(
  (
    JSON.parse(readFileSync(path.join(__dirname, '../routes.json'), 'utf8')) as {
      routes: Array<{ path: string; price?: string }>;
    }
  ).routes.find((r) => r.path === '/api/fortune')!.price!,
);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(1_000);
  }
}

/** Whether a service exports `metric`: it has series, or a target declared it (a labelled counter before its first event). */
async function metricsOf(prometheus: PrometheusApi): Promise<(metric: string) => boolean> {
  const [series, declared] = await Promise.all([prometheus.metricNames(), prometheus.declaredMetrics()]);
  return (metric) => series.has(metric) || declared.has(metric.replace(/_(bucket|count|sum)$/, ''));
}

describe('npm run stack with Prometheus: targets, alert rules and every dashboard query', () => {
  let stack: StackRun | undefined;
  let urls: StackUrls;
  let prometheus: PrometheusApi;
  let stateDir: string | undefined;

  afterAll(async () => {
    await stack?.ensureStopped();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('starts the stack with Prometheus on its own ports', async () => {
    const ports = Object.values(PORTS).flatMap((value) => value.split(',').map(Number));
    const taken: number[] = [];
    for (const port of ports) if (await portInUse(port)) taken.push(port);
    expect(taken, `ports ${taken.join(', ')} are taken: free them to run this test`).toEqual([]);
    stack = StackRun.start(PORTS);
    urls = await stack.ready(240_000);
    expect(urls.prometheus, 'prometheus is not installed (apt-get install prometheus)').toBe(
      `http://127.0.0.1:${PORTS.PROMETHEUS_PORT}`,
    );
    prometheus = new PrometheusApi(urls.prometheus!);
  }, 300_000);

  // Before any traffic: a rate needs a scrape from before the requests, or the histograms' rates stay flat.
  it('scrapes every service: all targets are up', async () => {
    const targets = await until(
      'every target up',
      async () => {
        const all = await prometheus.targets();
        return all.length === 5 && all.every((t) => t.health === 'up') ? all : undefined;
      },
      60_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await prometheus.targets())}`);
    });
    const local = (port: string) => `127.0.0.1:${port}`;
    expect(targets.map((t) => `${t.job} ${t.instance}`).sort()).toEqual(
      [
        ...PORTS.GATEWAY_PORTS.split(',').map((port) => `gateway ${local(port)}`),
        `ledger ${local(PORTS.LEDGER_PORT)}`,
        `chain-watcher ${local(PORTS.CHAIN_WATCHER_PORT)}`,
        `prometheus ${local(PORTS.PROMETHEUS_PORT)}`,
      ].sort(),
    );
  }, 120_000);

  it(`pays ${REQUESTS} requests through the front (both replicas)`, async () => {
    const deployment = await readDeploymentFile(urls.deploymentFile);
    const provider = new JsonRpcProvider(urls.rpcUrl, undefined, { staticNetwork: true });
    provider.pollingInterval = 250;
    const sender = Wallet.createRandom();
    stateDir = await mkdtemp(path.join(tmpdir(), 'stack-monitoring-'));
    const client = new Client(
      { privateKey: sender.privateKey },
      { rpcUrl: urls.rpcUrl, deployment, stateDir, pollingIntervalMs: 250 },
    );
    try {
      await provider.send('anvil_setBalance', [sender.address, '0x8AC7230489E80000']);
      await (
        await microTokenAt(deployment.token, sender.connect(provider)).mint(sender.address, 10n ** 18n)
      ).wait();
      const pay = (requests: number) =>
        runM2mClient({
          client,
          url: `${urls.front}/api/fortune`,
          requests,
          maxPricePerRequest: FORTUNE_PRICE,
          maxDeposit: 100n * FORTUNE_PRICE,
          log: () => undefined,
        });
      // Both replicas must have acceptance latencies: HAProxy rotates paid requests on their own; with the
      // round-robin fallback a probe and its paid retry share one rotation and a free request half-way moves them.
      const paid = await pay(REQUESTS / 2);
      expect((await fetch(`${urls.front}/`)).status).toBe(200);
      paid.push(...(await pay(REQUESTS / 2)));
      expect(paid.every((p) => p?.amount === FORTUNE_PRICE)).toBe(true);
    } finally {
      await client.close();
      provider.destroy();
    }
    // They reached Prometheus (not only the gateways).
    await until(
      'the paid requests in Prometheus',
      async () => {
        const [sample] = await prometheus.query('sum(microraiden_gateway_requests_total{outcome="paid"})');
        return Number(sample?.value[1]) >= REQUESTS ? true : undefined;
      },
      30_000,
    );
  }, 120_000);

  it('loads every alert rule, each evaluating without error on metrics that exist', async () => {
    const rules = await until(
      'the alert rules evaluated once',
      async () => {
        const all = await prometheus.alertRules();
        return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
      },
      30_000,
    );
    const file = readFileSync(path.join(repo, 'deploy/monitoring/alert-rules.yml'), 'utf8');
    expect(rules).toHaveLength([...file.matchAll(/^\s*- alert: /gm)].length);
    const exists = await metricsOf(prometheus);
    for (const rule of rules) {
      expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
      for (const metric of metricNamesIn(rule.query))
        expect(exists(metric), `${rule.name} reads ${metric}, which no service exports`).toBe(true);
    }
  });

  it('answers every dashboard panel query with data', async () => {
    const queries = dashboardQueries(DASHBOARD);
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const exists = await metricsOf(prometheus);
    for (const { panel, refId, expr } of queries)
      for (const metric of metricNamesIn(expr))
        expect(exists(metric), `${panel} ${refId} reads ${metric}, which no service exports`).toBe(true);
    // A rate needs two scrapes inside its window: a fresh Prometheus answers some queries only after a while.
    let failures: string[] = [];
    await until(
      'data for every panel query',
      async () => {
        failures = [];
        for (const { panel, refId, expr } of queries) {
          const result = await prometheus.query(expr).catch((err: Error) => err);
          if (result instanceof Error) failures.push(`${panel} ${refId}: ${result.message}`);
          else if (!result.some((sample) => Number.isFinite(Number(sample.value[1]))))
            failures.push(`${panel} ${refId}: no data (${JSON.stringify(result).slice(0, 200)}) for ${expr}`);
        }
        return failures.length === 0 ? true : undefined;
      },
      60_000,
    ).catch(() => undefined);
    expect(failures).toEqual([]);
  }, 90_000);

  it('stops Prometheus with the stack on Ctrl-C', async () => {
    const code = await stack!.interrupt(90_000);
    expect(code, stack!.log().slice(-3000)).toBe(0);
    for (const port of Object.values(PORTS).flatMap((value) => value.split(',').map(Number)))
      expect(await portInUse(port), `port ${port} still open`).toBe(false);
  }, 100_000);
});
