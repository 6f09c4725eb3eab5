import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@microraiden/client';
import { BALANCE_PROOF_CHARGED, type MicroraidenEvent } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { inject } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './chain-fixture';
import type { ChannelRelay } from './channel-relay';
import { fundedSender } from './funded-sender';
import { createTestTopics, startGateway, type InProcessGateway, type TestTopics } from './gateway-fixture';
import { readEvents } from './read-events';

/** 1e12 base units: the unit price of the stand's streamed routes. */
export const STAND_UNIT = 1_000_000_000_000n;

/** A channel's row in the gateway's table: S (accepted) and C (charged). */
export interface ChannelBalances {
  readonly S: bigint;
  readonly C: bigint;
}

/**
 * The gateway's reverse proxy in front of a streaming upstream, on real Postgres, Kafka and anvil, with a sender
 * whose channel the gateway knows: what the proxied stream specs share.
 */
export interface ProxiedStreamStand {
  readonly kafka: KafkaClientOptions;
  readonly receiver: Address;
  readonly sender: Address;
  readonly senderKey: string;
  readonly pool: Pool;
  readonly chain: ChainFixture;
  readonly topics: TestTopics;
  readonly gateway: InProcessGateway;
  readonly client: Client;
  readonly channelId: Hex32;
  channelRow(): Promise<ChannelBalances>;
  /** The channel's balance-proof events on Kafka (the gateway's outbox relay published them) once `done` holds. */
  channelEvents(done: (events: readonly MicroraidenEvent[]) => boolean): Promise<MicroraidenEvent[]>;
  close(): Promise<void>;
}

/** What a balance-proof event charged: `charge` where it differs from the increment. */
const chargeOf = (e: MicroraidenEvent) => {
  const data = e.data as { charge?: bigint; increment?: bigint };
  return data.charge ?? data.increment ?? 0n;
};

/** The sum of what the events charged. */
export const chargedBy = (events: readonly MicroraidenEvent[]) =>
  events.reduce((sum, e) => sum + chargeOf(e), 0n);

/** The balance a stream's first proof signs for one `step` on a channel at `row`: max(S + 1, C + step). */
export const firstStreamBalance = (row: ChannelBalances, step: bigint) =>
  row.S + 1n > row.C + step ? row.S + 1n : row.C + step;

/** Starts the stand: `routes` in the gateway's routes file, `handle` as the upstream, a channel of 200 units. */
export async function startProxiedStreamStand(options: {
  /** Names the database, the Kafka client and the gateway. */
  name: string;
  senderKey: string;
  routes: unknown[];
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}): Promise<ProxiedStreamStand> {
  const kafka = { brokers: inject('kafkaBrokers').split(','), clientId: `gateway-${options.name}` };
  const receiverKey = anvilKey(1);
  const receiver = privateKeyToAddress(receiverKey);
  const closers: (() => Promise<unknown> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const db: TestDatabase = await createTestDatabase({
      prefix: options.name,
      serverUrl: inject('databaseUrl'),
    });
    closers.push(() => db.drop());
    const pool = new Pool({ connectionString: db.url, max: 4 });
    closers.push(() => pool.end());
    const chain = await deployChain(inject('rpcUrl'));
    closers.push(() => chain.close());
    const topics = await createTestTopics(kafka);
    const upstream = await listen(createServer((req, res) => void options.handle(req, res)));
    closers.push(() => stopServer(upstream));
    const gateway = await startGateway({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      DEPLOYMENT_FILE: chain.deploymentFile,
      ROUTES_FILE: writeRoutesFile(options.routes),
      UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      STREAM_TOPUP_TIMEOUT_MS: '2000',
      RECEIVER_PRIVATE_KEY: receiverKey,
      GATEWAY_ID: `${options.name}-gateway`,
      MICRORAIDEN_DEV: '1',
      ...topics,
    });
    closers.push(() => gateway.close());
    const funded = await fundedSender({
      chain,
      kafka,
      channelsTopic: topics.CHANNELS_TOPIC,
      pool,
      rpcUrl: inject('rpcUrl'),
      senderKey: options.senderKey,
      receiver,
      mint: 1000n * STAND_UNIT,
      deposit: 200n * STAND_UNIT,
    });
    const { client, relay, channelId } = funded;
    closers.push(
      () => stopRelay(relay),
      () => client.close(),
    );
    return {
      kafka,
      receiver,
      sender: privateKeyToAddress(options.senderKey),
      senderKey: options.senderKey,
      pool,
      chain,
      topics,
      gateway,
      client,
      channelId,
      channelRow: () => channelRow(pool, channelId),
      channelEvents: (done) => channelEvents(kafka, topics.BALANCE_PROOFS_TOPIC, channelId, done),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function channelRow(pool: Pool, channelId: Hex32): Promise<ChannelBalances> {
  const { rows } = await pool.query<{ s: string; c: string }>(
    'SELECT accepted_balance::text AS s, charged_balance::text AS c FROM gateway_channels WHERE channel_id = $1',
    [channelId],
  );
  return { S: BigInt(rows[0]!.s), C: BigInt(rows[0]!.c) };
}

async function channelEvents(
  kafka: KafkaClientOptions,
  topic: string,
  channelId: Hex32,
  done: (events: readonly MicroraidenEvent[]) => boolean,
): Promise<MicroraidenEvent[]> {
  const mine = (events: readonly MicroraidenEvent[]) =>
    events.filter(
      (e) =>
        (e.type === 'balance-proof.accepted' || e.type === BALANCE_PROOF_CHARGED) &&
        (e.data as { channelId: string }).channelId === channelId,
    );
  return mine(await readEvents(kafka, topic, (all) => done(mine(all))));
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function stopRelay(relay: ChannelRelay): Promise<void> {
  return relay.stop();
}
