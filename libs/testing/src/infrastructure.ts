import { startAnvil, rpcAnswers } from './anvil';

/** Where the integration tests find their real services. */
export interface Infrastructure {
  rpcUrl: string;
}

/**
 * Resolve the real services for integration tests: reuse what the environment points at
 * (RPC_URL, ...), otherwise start private local processes. Returns a stop function for what it started.
 */
export async function ensureInfrastructure(): Promise<{ infra: Infrastructure; stop: () => Promise<void> }> {
  const stops: Array<() => Promise<void>> = [];
  let rpcUrl = process.env.RPC_URL;
  if (rpcUrl) {
    if (!(await rpcAnswers(rpcUrl))) throw new Error(`RPC_URL=${rpcUrl} does not answer eth_chainId`);
  } else {
    const anvil = await startAnvil();
    rpcUrl = anvil.rpcUrl;
    stops.push(anvil.stop);
  }
  return {
    infra: { rpcUrl },
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
