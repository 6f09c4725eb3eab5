// The demos behind a real paywall: the demo upstream, a real gateway (Kafka, Postgres) and a real
// chain-watcher on the shared anvil, so a channel the SDK opens reaches the gateway as it does in the stack.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeDeploymentFile } from '@microraiden/contracts';
import { readRoutesFile, RouteTable } from '@microraiden/paywall';
import { bootstrapService } from '@microraiden/service-kit';
import { createTestDatabase, repoRoot, uniqueTopic, type TestDatabase } from '@microraiden/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { deployClientFixture, type ClientFixture } from '../../libs/client/test/support/client-fixture';
import { AppModule as ChainWatcherModule } from '../../services/chain-watcher/src/app.module';
import { loadChainWatcherConfig } from '../../services/chain-watcher/src/chain-watcher-config';
import {
  createTestTopics,
  startGateway,
  type InProcessGateway,
} from '../../services/gateway/test/support/gateway-fixture';
import { createDemoServer } from '../demo-server';

/** The stack's routes file: the tests charge exactly what `npm run stack` charges. */
export const STACK_ROUTES_FILE = path.join(repoRoot(), 'deploy/stack/routes.json');

/** The running demos behind a paywall, with the SDK's sender set up (client fixture account 5). */
export interface PaywalledDemos {
  readonly fx: ClientFixture;
  /** The gateway's base URL: every demo is reached through it. */
  readonly gatewayUrl: string;
  /** The demo upstream's own URL (no paywall). */
  readonly upstreamUrl: string;
  /** The gateway's database (channels projected, outbox relayed by the gateway), as the stack's services' one. */
  readonly databaseUrl: string;
  /** The contracts' deployment file the gateway and watcher read. */
  readonly deploymentFile: string;
  /** What `method path` costs according to the routes file (throws for free or unknown routes). */
  priceOf(method: string, path: string): bigint;
  stop(): Promise<void>;
}

/** Starts contracts, the demo upstream, a chain-watcher and a gateway serving STACK_ROUTES_FILE. */
export async function startPaywalledDemos(infra: {
  rpcUrl: string;
  kafkaBrokers: string;
  databaseUrl: string;
}): Promise<PaywalledDemos> {
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const fx = await deployClientFixture(infra.rpcUrl);
    stops.push(() => fx.dispose());
    const dir = mkdtempSync(path.join(tmpdir(), 'examples-demos-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const deploymentFile = path.join(dir, 'deployment.json');
    await writeDeploymentFile(deploymentFile, fx.deployment);

    const upstream = createDemoServer();
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    stops.push(() => closeServer(upstream));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    const db: TestDatabase = await createTestDatabase({ prefix: 'examples', serverUrl: infra.databaseUrl });
    stops.push(() => db.drop());
    const topics = await createTestTopics({ brokers: infra.kafkaBrokers.split(','), clientId: 'examples' });

    // CONFIRMATIONS=0: the shared anvil mines only when some test sends a transaction.
    const watcher: NestFastifyApplication = await bootstrapService(
      ChainWatcherModule.register(
        loadChainWatcherConfig({
          LOG_LEVEL: 'silent',
          DATABASE_URL: db.url,
          KAFKA_BROKERS: infra.kafkaBrokers,
          RPC_URL: infra.rpcUrl,
          DEPLOYMENT_FILE: deploymentFile,
          MICRORAIDEN_DEV: '1',
          RECEIVER_PRIVATE_KEY: fx.receiverKey,
          CHANNELS_TOPIC: topics.CHANNELS_TOPIC,
          BALANCE_PROOFS_TOPIC: topics.BALANCE_PROOFS_TOPIC,
          KAFKA_GROUP_ID: uniqueTopic('examples-watcher'),
          CONFIRMATIONS: '0',
          POLL_INTERVAL_MS: '100',
          TOPIC_PARTITIONS: '3',
        }),
      ),
      { name: 'chain-watcher', port: 0, listen: false },
    );
    await watcher.listen(0, '127.0.0.1');
    stops.push(() => watcher.close());

    const gateway: InProcessGateway = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers,
      DEPLOYMENT_FILE: deploymentFile,
      UPSTREAM_URL: upstreamUrl,
      ROUTES_FILE: STACK_ROUTES_FILE,
      MICRORAIDEN_DEV: '1',
      RECEIVER_PRIVATE_KEY: fx.receiverKey,
      GATEWAY_ID: 'examples-gateway',
      ...topics,
    });
    stops.push(() => gateway.close());

    const routes = new RouteTable(readRoutesFile(STACK_ROUTES_FILE));
    return {
      fx,
      gatewayUrl: gateway.url,
      upstreamUrl,
      databaseUrl: db.url,
      deploymentFile,
      priceOf(method, urlPath) {
        const resolved = routes.resolve(method, urlPath);
        if (resolved.kind !== 'paid') throw new Error(`${method} ${urlPath} is not a paid route`);
        return resolved.price;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
