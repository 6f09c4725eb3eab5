import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiProblems, type OpenApiDocument } from './openapi-problems';

/**
 * The health and metrics contract every service keeps, run against a real app wired to real
 * dependencies (`healthy`) and against the same app with one dependency pointed at a dead port (`broken`).
 */
export function describeServiceHealth(options: {
  service: string;
  healthy: () => Promise<NestFastifyApplication>;
  broken: () => Promise<NestFastifyApplication>;
  checks: string[];
  brokenCheck: string;
}): void {
  describe(`${options.service} health and metrics`, () => {
    let app: NestFastifyApplication;
    let url: string;

    beforeAll(async () => {
      app = await options.healthy();
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    });
    afterAll(() => app?.close());

    it('is live', async () => {
      const res = await fetch(`${url}/health/live`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('is ready when every real dependency answers', async () => {
      // A service whose own start-up runs in the background (the chain-watcher) becomes ready moments later.
      let res = await fetch(`${url}/health/ready`);
      for (let waited = 0; res.status !== 200 && waited < 15_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        res = await fetch(`${url}/health/ready`);
      }
      const body = (await res.json()) as { status: string; info: Record<string, { status: string }> };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(Object.keys(body.info).sort()).toEqual([...options.checks].sort());
      for (const check of options.checks) expect(body.info[check]?.status).toBe('up');
    });

    it('exposes Prometheus metrics labelled with the service', async () => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      // prom-client's default Node metrics under their standard names: stock Node dashboards work as they are.
      expect(text).toContain(`process_cpu_user_seconds_total{service="${options.service}"}`);
      expect(text).not.toContain('microraiden_process_');
      // The live probe above was an HTTP answer like any other.
      expect(text).toMatch(
        new RegExp(
          `^microraiden_http_responses_total\\{code="2xx",service="${options.service}"\\} [1-9]`,
          'm',
        ),
      );
    });

    it('publishes its OpenAPI document', async () => {
      const res = await fetch(`${url}/docs/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as OpenApiDocument;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/health/live', '/health/ready', '/metrics']),
      );
      // Valid OpenAPI 3, no undefined security scheme, every guarded route with its security and 401.
      expect(await openApiProblems(app, doc)).toEqual([]);
    });

    it('answers unknown routes with the error body', async () => {
      const res = await fetch(`${url}/no/such/route`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });

    it(`is not ready when ${options.brokenCheck} is down`, async () => {
      const broken = await options.broken();
      await broken.listen(0, '127.0.0.1');
      try {
        const res = await fetch(`${await broken.getUrl()}/health/ready`);
        const body = (await res.json()) as { error: Record<string, { status: string }> };
        expect(res.status).toBe(503);
        expect(body.error[options.brokenCheck]?.status).toBe('down');
        // The dead dependency is at 127.0.0.1:1; which address failed is for the log, never for a public answer.
        expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|localhost|[a-z0-9\]]:\d+/i);
      } finally {
        await broken.close();
      }
    });
  });
}
