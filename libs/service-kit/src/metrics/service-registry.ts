import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A service's own registry with prom-client's default Node metrics under their standard names (`process_*`,
 * `nodejs_*`): stock Node.js dashboards and alerts find them as they are. Every series carries `service`, which
 * tells the services apart where they share a job or a host.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
