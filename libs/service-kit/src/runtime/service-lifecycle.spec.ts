import { describe, expect, it } from 'vitest';
import { ServiceLifecycle } from './service-lifecycle';
import type { ServiceRuntime } from './service-runtime';

describe('ServiceLifecycle', () => {
  it('starts the runtime on init with a live signal, aborts it on shutdown before stopping', async () => {
    const calls: string[] = [];
    let signal: AbortSignal | undefined;
    const runtime: ServiceRuntime = {
      start: async (stop) => {
        signal = stop;
        calls.push('start');
      },
      stop: async () => void calls.push(`stop (aborted: ${signal?.aborted})`),
    };
    const lifecycle = new ServiceLifecycle(runtime);
    await lifecycle.onModuleInit();
    expect(signal?.aborted).toBe(false);
    await lifecycle.onApplicationShutdown();
    expect(calls).toEqual(['start', 'stop (aborted: true)']);
  });

  it('fails the init when the runtime cannot start', async () => {
    const lifecycle = new ServiceLifecycle({
      start: () => Promise.reject(new Error('no deployment file')),
      stop: async () => undefined,
    });
    await expect(lifecycle.onModuleInit()).rejects.toThrow('no deployment file');
  });
});
