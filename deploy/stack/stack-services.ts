import path from 'node:path';
import { anvilPrivateKey, STACK_ACCOUNTS } from './anvil-accounts';
import type { ServiceSpec } from './service-process';
import type { StackOptions } from './stack-options';

/** The chain-watcher publishes a change at this depth; the gateways count alike. */
const CONFIRMATIONS = '1';

/** What the stack's services are configured from. */
export interface StackServicesOptions {
  readonly ports: StackOptions['ports'];
  /** The services' one database (see stack-database.ts). */
  readonly databaseUrl: string;
  /** The gateways' and the ledger's operator token. */
  readonly operatorToken: string;
  /** The contracts' deployment file the services read. */
  readonly deploymentFile: string;
}

/**
 * The stack's services in start order: two gateway replicas, the ledger and the chain-watcher, with their
 * environment. Shared by `npm run stack` and the chaos bench (bench/chaos), so both run the same configuration.
 */
export function serviceSpecs(stack: StackServicesOptions): ServiceSpec[] {
  const { ports, databaseUrl, operatorToken, deploymentFile } = stack;
  // anvil's public account 2: the services accept a public key only in development mode (MICRORAIDEN_DEV=1).
  const receiverKey = anvilPrivateKey(STACK_ACCOUNTS.receiver);
  const shared = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    DEPLOYMENT_FILE: deploymentFile,
    LOG_LEVEL: 'info',
  };
  const gateway = (replica: 1 | 2): ServiceSpec => ({
    name: `gateway-${replica}`,
    entry: 'services/gateway/src/main.ts',
    port: ports.gateways[replica - 1]!,
    readyPath: '/health/ready',
    env: {
      ...shared,
      PORT: String(ports.gateways[replica - 1]),
      HOST: '127.0.0.1',
      GATEWAY_ID: `stack-gateway-${replica}`,
      UPSTREAM_URL: `http://127.0.0.1:${ports.upstream}`,
      ROUTES_FILE: path.join(__dirname, 'routes.json'),
      MICRORAIDEN_DEV: '1',
      RECEIVER_PRIVATE_KEY: receiverKey,
      OPERATOR_TOKEN: operatorToken,
      TOPIC_PARTITIONS: '1',
      RETRY_AFTER_CONFIRMATIONS_S: '1',
      // Paid routes answer 503 while the chain-watcher (which follows the chain and disputes) is not ready.
      CHAIN_WATCHER_URL: `http://127.0.0.1:${ports.chainWatcher}`,
      // Read to tell a mined but unconfirmed channel or top-up (wait) from a missing one, counted as the watcher,
      // and once for the token's symbol and decimals (x402 requirement, paywall page, payment log).
      RPC_URL: `http://127.0.0.1:${ports.anvil}`,
      CONFIRMATIONS,
    },
  });
  return [
    gateway(1),
    gateway(2),
    {
      name: 'ledger',
      entry: 'services/ledger/src/main.ts',
      port: ports.ledger,
      readyPath: '/health/ready',
      env: {
        ...shared,
        PORT: String(ports.ledger),
        HOST: '127.0.0.1',
        TOPIC_PARTITIONS: '1',
        OPERATOR_TOKEN: operatorToken,
        // The operator page shows the watcher's readiness (probed by the ledger; the address is never shown).
        CHAIN_WATCHER_URL: `http://127.0.0.1:${ports.chainWatcher}`,
      },
    },
    {
      name: 'chain-watcher',
      entry: 'services/chain-watcher/src/main.ts',
      port: ports.chainWatcher,
      readyPath: '/health/ready',
      env: {
        ...shared,
        PORT: String(ports.chainWatcher),
        HOST: '127.0.0.1',
        RPC_URL: `http://127.0.0.1:${ports.anvil}`,
        MICRORAIDEN_DEV: '1',
        RECEIVER_PRIVATE_KEY: receiverKey,
        CONFIRMATIONS,
        POLL_INTERVAL_MS: '250',
        TOPIC_PARTITIONS: '1',
      },
    },
  ];
}
