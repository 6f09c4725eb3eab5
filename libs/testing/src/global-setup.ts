import type { TestProject } from 'vitest/node';
import { ensureInfrastructure } from './infrastructure';

declare module 'vitest' {
  export interface ProvidedContext {
    rpcUrl: string;
  }
}

/** Vitest global setup for integration tests: one set of real services for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { infra, stop } = await ensureInfrastructure();
  project.provide('rpcUrl', infra.rpcUrl);
  process.env.RPC_URL = infra.rpcUrl;
  return stop;
}
