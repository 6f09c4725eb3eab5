import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPaywallMetrics } from './prometheus-paywall-metrics';

const ROUTES = [
  { route: '/api/fortune', kind: 'paid' },
  { route: '/', kind: 'free' },
] as const;

async function series(registry: Registry, name: string): Promise<Array<[string, number]>> {
  const metric = await registry.getSingleMetric(name)!.get();
  return metric.values.map((v) => [JSON.stringify(v.labels), v.value]);
}

describe('createPaywallMetrics', () => {
  it('has zero series for every configured route before the first request', async () => {
    const registry = new Registry();
    createPaywallMetrics(registry, { routes: ROUTES });
    expect(await series(registry, 'microraiden_gateway_requests_total')).toEqual([
      [JSON.stringify({ outcome: 'paid', route: '/api/fortune', reason: '' }), 0],
      [JSON.stringify({ outcome: 'free', route: '/', reason: '' }), 0],
    ]);
    expect(await series(registry, 'microraiden_gateway_revenue_base_units_total')).toEqual([
      [JSON.stringify({ route: '/api/fortune' }), 0],
    ]);
    const text = await registry.metrics();
    for (const outcome of ['paid', 'not_charged'])
      expect(text).toContain(
        `microraiden_gateway_paid_request_seconds_count{route="/api/fortune",outcome="${outcome}"} 0`,
      );
  });

  it('observes the end-to-end latency of paid requests by route and outcome', async () => {
    const registry = new Registry();
    const metrics = createPaywallMetrics(registry, { routes: ROUTES });
    metrics.paidRequestSeconds('/api/fortune', 'paid', 0.004);
    metrics.paidRequestSeconds('/api/fortune', 'paid', 0.2);
    metrics.paidRequestSeconds('/api/fortune', 'not_charged', 0.03);
    const text = await registry.metrics();
    expect(text).toContain(
      'microraiden_gateway_paid_request_seconds_bucket{le="0.005",route="/api/fortune",outcome="paid"} 1',
    );
    expect(text).toContain(
      'microraiden_gateway_paid_request_seconds_count{route="/api/fortune",outcome="paid"} 2',
    );
    expect(text).toContain(
      'microraiden_gateway_paid_request_seconds_count{route="/api/fortune",outcome="not_charged"} 1',
    );
  });

  it('counts metered requests charged their ceiling by why, from zero for every metered route', async () => {
    const registry = new Registry();
    const metrics = createPaywallMetrics(registry, {
      routes: [...ROUTES, { route: '/llm/*', kind: 'metered' }],
    });
    expect(await series(registry, 'microraiden_gateway_meter_overreports_total')).toEqual([
      [JSON.stringify({ route: '/llm/*' }), 0],
    ]);
    metrics.meterFallback('/llm/*', 'overreport');
    metrics.meterFallback('/llm/*', 'unreported');
    metrics.meterFallback('/llm/*', 'unreported');
    const text = await registry.metrics();
    expect(text).toContain('microraiden_gateway_meter_overreports_total{route="/llm/*"} 1');
    expect(text).toContain('microraiden_gateway_meter_unreported_total{route="/llm/*"} 2');
  });

  it('exports no fleet-wide funds at risk (the ledger does, once)', async () => {
    const registry = new Registry();
    createPaywallMetrics(registry, {
      routes: ROUTES,
      outboxLag: async () => ({ unpublished: 2, oldestUnpublishedAgeMs: 1500 }),
      chainGuardClosed: () => true,
    });
    const text = await registry.metrics();
    expect(text).not.toContain('funds_at_risk');
    expect(text).toMatch(/^microraiden_gateway_outbox_unpublished 2$/m);
    expect(text).toMatch(/^microraiden_gateway_outbox_oldest_age_seconds 1.5$/m);
    expect(text).toMatch(/^microraiden_gateway_chain_guard_closed 1$/m);
  });
});
