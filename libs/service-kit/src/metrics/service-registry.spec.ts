import { describe, expect, it } from 'vitest';
import { createServiceRegistry } from './service-registry';

describe('createServiceRegistry', () => {
  it('exports the default Node metrics under their standard names, labelled with the service', async () => {
    const text = await createServiceRegistry('ledger').metrics();
    expect(text).toContain('process_cpu_user_seconds_total{service="ledger"}');
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="ledger"\} /m);
    expect(text).not.toContain('microraiden_process_');
    expect(text).not.toContain('microraiden_nodejs_');
  });

  it('gives every app its own registry', async () => {
    const a = createServiceRegistry('gateway');
    const b = createServiceRegistry('gateway');
    expect(a).not.toBe(b);
    expect(await b.metrics()).toContain('process_resident_memory_bytes{service="gateway"}');
  });
});
