import type { DependencyCheck } from '@microraiden/service-kit';
import { UpstreamClient } from '@microraiden/paywall';

/** Readiness of the upstream API: it answers HTTP at all (any status counts: a 404 on `/` is still up). */
export function upstreamProbe(upstreamUrl: string): DependencyCheck {
  const client = new UpstreamClient(upstreamUrl, { connections: 1, timeoutMs: 3_000 });
  return {
    name: 'upstream',
    async check() {
      const started = performance.now();
      const { status } = await client.probe();
      return { httpStatus: status, latencyMs: Math.round(performance.now() - started) };
    },
    close: () => client.close(),
  };
}
