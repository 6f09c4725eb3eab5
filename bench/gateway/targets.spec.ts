import { describe, expect, it } from 'vitest';
import { meteredWorkLine, paymentWorkTarget } from './targets';

const run = (ok: number, cpu: Record<string, number>) => ({ ok, latenciesMs: { p99: 1 }, cpu });

describe('payment work', () => {
  const unpaid = run(1000, { gateway: 0.1, embedded: 0.1, postgres: 0, kafka: 0, upstream: 5 });
  const fixed = run(1000, { gateway: 0.1, embedded: 0.3, postgres: 0.15, kafka: 0.05, upstream: 5 });
  const metered = run(500, { gateway: 0.05, embedded: 0.16, postgres: 0.08, kafka: 0.03, upstream: 5 });

  it('counts only the paywall side, per request, minus the unpaid run', () => {
    expect(paymentWorkTarget('embedded', fixed, unpaid).measured).toBeCloseTo(400, 6);
  });

  it('prints metered beside fixed with the difference', () => {
    expect(meteredWorkLine(metered, fixed, unpaid)).toBe(
      'metered vs fixed price, embedded: payment work 440 µs vs 400 µs CPU per paid request (+40 µs)',
    );
  });
});
