// Type-only and erased: without an import of 'vitest' itself, the build (which compiles no test file) cannot
// resolve the augmentation below.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { describeInfrastructure, ensureInfrastructure } from './infrastructure';

declare module 'vitest' {
  export interface ProvidedContext {
    /** KAFKA_BROKERS: comma-separated host:port list. */
    kafkaBrokers: string;
    /** DATABASE_URL of the run's shared test database (name contains "test"). */
    databaseUrl: string;
    /** RPC_URL of anvil. */
    rpcUrl: string;
  }
}

/** Vitest global setup for integration tests: one set of real services for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { infra, services, stop } = await ensureInfrastructure();
  project.provide('kafkaBrokers', infra.kafkaBrokers);
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('rpcUrl', infra.rpcUrl);
  // Workers inherit the environment too, for code that reads its config from env like the services do.
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.RPC_URL = infra.rpcUrl;
  console.log(describeInfrastructure(services));
  return stop;
}
