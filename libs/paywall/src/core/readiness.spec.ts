import { describe, expect, it } from 'vitest';
import { checkReadiness, publicCheckReason, type PaywallCheck } from './readiness';

const up = (name: string, facts: Record<string, number> = {}): PaywallCheck => ({
  name,
  check: () => Promise.resolve(facts),
});

describe('checkReadiness', () => {
  it('is ready when every check answers, with their facts', async () => {
    expect(
      await checkReadiness([up('postgres', { latencyMs: 3 }), up('kafka', { brokers: 1 })], 100),
    ).toEqual({
      ready: true,
      checks: { postgres: { status: 'up', latencyMs: 3 }, kafka: { status: 'up', brokers: 1 } },
    });
  });

  it('is not ready when one fails or hangs, and shows codes, never messages', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:9092'), { code: 'ECONNREFUSED' });
    const report = await checkReadiness(
      [
        up('postgres'),
        { name: 'kafka', check: () => Promise.reject(refused) },
        { name: 'slow', check: () => new Promise(() => undefined) },
      ],
      20,
    );
    expect(report).toEqual({
      ready: false,
      checks: {
        postgres: { status: 'up' },
        kafka: { status: 'down', reason: 'unavailable (ECONNREFUSED)' },
        slow: { status: 'down', reason: 'no answer within 20 ms' },
      },
    });
  });

  it('finds the code on a cause, and says nothing specific without one', () => {
    expect(publicCheckReason(new Error('wrapped', { cause: { code: 'x' } }))).toBe('unavailable');
    expect(
      publicCheckReason(
        new Error('wrapped', { cause: Object.assign(new Error('inner'), { code: '57P01' }) }),
      ),
    ).toBe('unavailable');
    expect(
      publicCheckReason(
        new Error('wrapped', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }),
      ),
    ).toBe('unavailable (ETIMEDOUT)');
    expect(publicCheckReason(new Error('password authentication failed for user "app" at db.internal'))).toBe(
      'unavailable',
    );
  });
});
