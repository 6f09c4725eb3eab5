import { decodeChannelLog, type ChannelParties } from '@microraiden/chain-watcher';
import { channelManagerAt, microTokenAt } from '@microraiden/contracts';
import type { BalanceProofAcceptedV1, ChannelLogEvent, Hex } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { privateKeyToAddress, recoverBalanceProofSigner, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, waitFor, type TestDatabase } from '@microraiden/testing';
import { Wallet } from 'ethers';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { anvilKey, deployChain, writeRoutesFile, type ChainFixture } from './support/chain-fixture';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  startGateway,
  waitForChannel,
  type InProcessGateway,
  type TestTopics,
} from './support/gateway-fixture';
import { readEvents } from './support/read-events';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// A channel opened with createChannelWithSigner names a session key whose balance proofs count as the sender's
// (docs/protocol.md, "Session signers"): the gateway learns it from channel.signer-set, accepts the key's proofs
// for the sender, says so in balance-proof.accepted (the watcher verifies with it), and refuses any other key.

const PRICE = 10n ** 15n;
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'session-signer' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(6);
const sender = privateKeyToAddress(senderKey);
const sessionKey = Wallet.createRandom().privateKey;
const session = privateKeyToAddress(sessionKey);

let gatewayDb: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let channelId: Hex32;

/** Opens a channel with a session signer and returns its two events, decoded as the chain-watcher decodes them. */
async function openWithSigner(deposit: bigint): Promise<ChannelLogEvent[]> {
  const wallet = new Wallet(senderKey, chain.provider);
  await (await microTokenAt(chain.deployment.token, wallet).mint(sender, deposit)).wait();
  await (
    await microTokenAt(chain.deployment.token, wallet).approve(chain.deployment.channelManager, deposit)
  ).wait();
  const manager = channelManagerAt(chain.deployment.channelManager, wallet);
  const receipt = (await (await manager.createChannelWithSigner(receiver, deposit, session)).wait())!;
  const block = await chain.provider.getBlock(receipt.blockNumber);
  const context = {
    chainId: chain.deployment.chainId,
    channelManager: chain.deployment.channelManager,
    source: 'chain-watcher',
  };
  const created = new Map<string, ChannelParties>();
  const events: ChannelLogEvent[] = [];
  for (const log of receipt.logs) {
    const event = decodeChannelLog(log, Number(block!.timestamp), context, (id) => created.get(id));
    if (event === undefined) continue;
    if (event.type === 'channel.created') {
      created.set(event.data.channelId, { sender: event.data.sender, receiver: event.data.receiver });
    }
    events.push(event);
  }
  return events;
}

beforeAll(async () => {
  gatewayDb = await createTestDatabase({ prefix: 'session_signer_gw', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: gatewayDb.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => json(res, 200, { ok: true }));
  gateway = await startGateway({
    DATABASE_URL: gatewayDb.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([{ path: '/paid', price: PRICE.toString() }]),
    MICRORAIDEN_DEV: '1',
    RECEIVER_PRIVATE_KEY: receiverKey,
    ...topics,
  });
  const events = await openWithSigner(10n * PRICE);
  expect(events.map((e) => e.type)).toEqual(['channel.created', 'channel.signer-set']);
  channelId = events[0]!.data.channelId;
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, events);
  await waitForChannel(pool, channelId);
  await waitFor('the signer column', async () => {
    const { rows } = await pool.query<{ signer: string | null }>(
      'SELECT signer FROM gateway_channels WHERE channel_id = $1',
      [channelId],
    );
    return rows[0]?.signer === session;
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await pool?.end();
  await gatewayDb?.drop();
  chain?.close();
});

const pay = (key: string, balance: bigint) =>
  fetch(`${gateway.url}/paid`, {
    headers: paymentHeaders({ senderKey: key, sender, receiver, domain: chain.domain, channelId, balance }),
  });

describe('paying with a session key', () => {
  it("accepts the session key's proofs and the sender's own, refuses another key's as INVALID_SIGNATURE", async () => {
    expect((await pay(sessionKey, PRICE)).status).toBe(200);
    expect((await pay(senderKey, 2n * PRICE)).status).toBe(200);
    expect((await pay(sessionKey, 3n * PRICE)).status).toBe(200);
    const stranger = await pay(anvilKey(7), 4n * PRICE);
    expect([stranger.status, stranger.headers.get('rdn-error')]).toEqual([402, 'INVALID_SIGNATURE']);
  });

  it('publishes balance-proof.accepted naming the signer, and the proof settles on chain', async () => {
    const accepted = (await readEvents(
      client,
      topics.BALANCE_PROOFS_TOPIC,
      (events) => events.filter((e) => e.type === 'balance-proof.accepted').length >= 3,
    )) as BalanceProofAcceptedV1[];
    const last = accepted.filter((e) => e.type === 'balance-proof.accepted').at(-1)!;
    expect(last.data).toMatchObject({ sender, signer: session, balance: 3n * PRICE });
    const signedBy = recoverBalanceProofSigner(
      chain.domain,
      { channelId, receiver, balance: 3n * PRICE },
      last.data.signature,
    );
    expect(signedBy).toEqual({ ok: true, value: session });
    // What the watcher would submit in a dispute: the contract takes the session key's proof.
    const asReceiver = channelManagerAt(
      chain.deployment.channelManager,
      new Wallet(receiverKey, chain.provider),
    );
    await (await asReceiver.receiverClose(channelId, 3n * PRICE, last.data.signature as Hex)).wait();
    expect((await asReceiver.getChannel(channelId))[0]).toBe('0x0000000000000000000000000000000000000000');
  });
});
