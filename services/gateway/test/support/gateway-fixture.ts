import { createEventProducer, ensureTopics, type KafkaClientOptions } from '@microraiden/kafka';
import type { MicroraidenEvent } from '@microraiden/events';
import { loadGatewayConfig } from '../../src/gateway-config';
import {
  encodePayment,
  signBalanceProof,
  type Address,
  type ChannelDomain,
  type Hex32,
} from '@microraiden/protocol';
import { bootstrapService } from '@microraiden/service-kit';
import { uniqueTopic, waitFor } from '@microraiden/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { AppModule } from '../../src/app.module';
import { GatewayRuntime } from '../../src/gateway-runtime';

/** Unique topics and consumer group of one test file. */
export interface TestTopics {
  readonly CHANNELS_TOPIC: string;
  readonly BALANCE_PROOFS_TOPIC: string;
  readonly DEAD_LETTER_TOPIC: string;
  readonly KAFKA_GROUP_ID: string;
}

/** Fresh topics (created with 3 partitions) and a fresh consumer group. */
export async function createTestTopics(client: KafkaClientOptions): Promise<TestTopics> {
  const topics: TestTopics = {
    CHANNELS_TOPIC: uniqueTopic('gateway.channels'),
    BALANCE_PROOFS_TOPIC: uniqueTopic('gateway.balance-proofs'),
    DEAD_LETTER_TOPIC: uniqueTopic('gateway.dead-letter'),
    KAFKA_GROUP_ID: uniqueTopic('gateway-group'),
  };
  await ensureTopics(client, [
    { name: topics.CHANNELS_TOPIC, partitions: 3 },
    { name: topics.BALANCE_PROOFS_TOPIC, partitions: 3 },
    { name: topics.DEAD_LETTER_TOPIC, partitions: 1 },
  ]);
  return topics;
}

/** A gateway running inside the test process. */
export interface InProcessGateway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly runtime: GatewayRuntime;
  close(): Promise<void>;
}

/** Boots the gateway's Nest app with `env` on a loopback port and waits until it follows the channels topic. */
export async function startGateway(env: Record<string, string>): Promise<InProcessGateway> {
  const config = loadGatewayConfig({ LOG_LEVEL: 'error', TOPIC_PARTITIONS: '3', ...env });
  const app = await bootstrapService(AppModule.register(config), { name: 'gateway', port: 0, listen: false });
  await app.listen(0, '127.0.0.1');
  const runtime = app.get(GatewayRuntime);
  await runtime.channelsFollowed;
  return { app, url: await app.getUrl(), runtime, close: () => app.close() };
}

/** Publishes channel events as the chain-watcher would. */
export async function publishChannelEvents(
  client: KafkaClientOptions,
  topic: string,
  events: MicroraidenEvent[],
): Promise<void> {
  const producer = createEventProducer(client);
  try {
    await producer.publish(events, { topic });
  } finally {
    await producer.disconnect();
  }
}

/** Waits until the gateway table holds the channel in a state `ready(row)` accepts. */
export async function waitForChannel(
  pool: Pool,
  channelId: string,
  ready: (row: { state: string; confirmed: boolean; deposit: string }) => boolean = (row) => row.confirmed,
): Promise<void> {
  await waitFor(
    `channel ${channelId} in gateway_channels`,
    async () => {
      const { rows } = await pool.query<{ state: string; confirmed: boolean; deposit: string }>(
        'SELECT state, confirmed, deposit::text AS deposit FROM gateway_channels WHERE channel_id = $1',
        [channelId.toLowerCase()],
      );
      return rows[0] !== undefined && ready(rows[0]);
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

/** Payment headers for `balance` on `channelId`, signed with `senderKey`, echoing the gateway's domain. */
export function paymentHeaders(options: {
  senderKey: string;
  sender: Address;
  receiver: Address;
  domain: ChannelDomain;
  channelId: Hex32;
  balance: bigint;
}): Record<string, string> {
  const signature = signBalanceProof(options.senderKey, options.domain, {
    channelId: options.channelId,
    receiver: options.receiver,
    balance: options.balance,
  });
  return encodePayment({
    sender: options.sender,
    channelId: options.channelId,
    balance: options.balance,
    signature,
    receiver: options.receiver,
    channelManager: options.domain.verifyingContract,
    chainId: options.domain.chainId,
  });
}
