import { loadGatewayConfig } from './gateway-config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chainGuardCheck, chainGuardOf } from './chain-guard-check';

afterEach(() => vi.useRealTimers());

describe('chain guard wiring', () => {
  it('builds no guard without CHAIN_WATCHER_URL', () => {
    expect(chainGuardOf(loadGatewayConfig({}))).toBeUndefined();
  });

  it('reports the guard in readiness details without ever failing readiness', async () => {
    vi.useFakeTimers();
    const guard = chainGuardOf(
      loadGatewayConfig({ CHAIN_WATCHER_URL: 'http://127.0.0.1:1', CHAIN_WATCHER_GRACE_S: '2' }),
    )!;
    const check = chainGuardCheck(guard);
    expect(check.name).toBe('chain-watcher');
    expect(await check.check()).toEqual({
      payments: 'accepted',
      watcherReady: false,
      notReadyForSeconds: 0,
    }); // no reason: it may name the watcher's address, and readiness is public (the log has it)
    vi.advanceTimersByTime(2_500);
    // performance.now is the guard's clock: faked along with the timers.
    await expect(check.check()).resolves.toMatchObject({ payments: 'refused', notReadyForSeconds: 2 });
  });
});
