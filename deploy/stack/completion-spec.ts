import { privateKeyToAddress } from '@microraiden/protocol';
import { anvilPrivateKey, STACK_ACCOUNTS } from './anvil-accounts';
import type { ServiceSpec } from './service-process';

/** The stack's price of one completion token: 0.00001 MTK. */
export const COMPLETION_UNIT_PRICE = 10_000_000_000_000n;
/** Tokens per top-up: the client signs at most ten tokens ahead of what it received. */
export const COMPLETION_UNITS_PER_STEP = 10;

/**
 * The streamed completion demo with the paywall embedded (examples/completion/completion-server.ts), on the services'
 * database (channels projected and outbox relayed by the gateways), paid to the stack's receiver, on its own port.
 * The same completion is also sold through the front at /api/complete (routes.json, the same prices), metered by the
 * gateways' reverse proxy: deploy/stack/test/front-stream.e2e-spec.ts streams it through HAProxy.
 */
export function completionSpec(options: {
  readonly port: number;
  readonly databaseUrl: string;
  readonly deploymentFile: string;
}): ServiceSpec {
  return {
    name: 'completion',
    entry: 'examples/completion/completion-server.ts',
    port: options.port,
    readyPath: '/',
    env: {
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      DEPLOYMENT_FILE: options.deploymentFile,
      // Only the address: the app accepts proofs, it never signs (closing is the gateways' and watcher's job).
      RECEIVER: privateKeyToAddress(anvilPrivateKey(STACK_ACCOUNTS.receiver)),
      UNIT_PRICE: COMPLETION_UNIT_PRICE.toString(),
      UNITS_PER_STEP: String(COMPLETION_UNITS_PER_STEP),
    },
  };
}
