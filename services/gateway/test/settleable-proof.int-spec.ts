import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { channelManagerAt } from '@microraiden/contracts';
import { privateKeyToAddress, recoverBalanceProofSigner, type Hex, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
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
import { spawnService, type ServiceProcess } from './support/service-process';
import { json, startUpstream, type TestUpstream } from './support/upstream-server';

// A sender may send a balance proof whose v names the wrong one of the two candidate keys: r‖s still binds it
// (docs/protocol.md section 4), so the gateway accepts it. The contract's ecrecover uses v as given, so whatever
// the system hands out (event, gateway API, ledger API) must carry the v that recovers the sender.

const PRICE = 10n ** 15n;
const TOKEN = 'operator-token-for-tests-0123456789';
const client: KafkaClientOptions = {
  brokers: inject('kafkaBrokers').split(','),
  clientId: 'settleable-proof',
};
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);
const senderKey = anvilKey(4);
const sender = privateKeyToAddress(senderKey);

let gatewayDb: TestDatabase;
let ledgerDb: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let topics: TestTopics;
let upstream: TestUpstream;
let gateway: InProcessGateway;
let ledger: ServiceProcess | undefined;
let channelId: Hex32;

beforeAll(async () => {
  gatewayDb = await createTestDatabase({ prefix: 'settleable_gw', serverUrl: inject('databaseUrl') });
  ledgerDb = await createTestDatabase({ prefix: 'settleable_ledger', serverUrl: inject('databaseUrl') });
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
    OPERATOR_TOKEN: TOKEN,
    ...topics,
  });
  const created = await chain.openChannel(4, receiver, 10n * PRICE);
  channelId = created.data.channelId;
  await publishChannelEvents(client, topics.CHANNELS_TOPIC, [created]);
  await waitForChannel(pool, channelId);
});

afterAll(async () => {
  await ledger?.stop();
  await gateway?.close();
  await upstream?.close();
  await pool?.end();
  await gatewayDb?.drop();
  await ledgerDb?.drop();
  chain?.close();
});

/** The same r‖s with the other v: still the sender's proof, but ecrecover finds another address. */
function flipV(headers: Record<string, string>): Record<string, string> {
  const signature = headers['RDN-Balance-Signature'] as Hex;
  const v = parseInt(signature.slice(130), 16);
  return {
    ...headers,
    'RDN-Balance-Signature': `${signature.slice(0, 130)}${(v === 27 ? 28 : 27).toString(16)}`,
  };
}

async function operatorGet<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as T };
}

describe('a proof accepted with a flipped v', () => {
  const balance = 2n * PRICE;

  it('is accepted, and every copy the system hands out recovers the sender', async () => {
    const headers = paymentHeaders({ senderKey, sender, receiver, domain: chain.domain, channelId, balance });
    const flipped = flipV(headers);
    const asSent = recoverBalanceProofSigner(
      chain.domain,
      { channelId, receiver, balance },
      flipped['RDN-Balance-Signature']!,
    );
    expect(asSent.ok && asSent.value).not.toBe(sender); // what ecrecover would make of the raw header
    const res = await fetch(`${gateway.url}/paid`, { headers: flipped });
    expect(res.status).toBe(200);
    const settleable = headers['RDN-Balance-Signature']!.toLowerCase();

    const [event] = (await readEvents(client, topics.BALANCE_PROOFS_TOPIC, (events) =>
      events.some((e) => e.type === 'balance-proof.accepted'),
    )) as BalanceProofAcceptedV1[];
    expect(event!.data.signature).toBe(settleable);

    const detail = await operatorGet<{ lastSignature: string }>(
      `${gateway.url}/api/1/channels/${sender}/${channelId}`,
    );
    expect(detail.body.lastSignature).toBe(settleable);
  });

  it('is served by the ledger in a form receiverClose accepts', async () => {
    ledger = await spawnService('ledger', {
      DATABASE_URL: ledgerDb.url,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      BALANCE_PROOFS_TOPIC: topics.BALANCE_PROOFS_TOPIC,
      CHANNELS_TOPIC: topics.CHANNELS_TOPIC,
      DEAD_LETTER_TOPIC: topics.DEAD_LETTER_TOPIC,
      KAFKA_GROUP_ID: uniqueTopic('settleable-ledger'),
      OPERATOR_TOKEN: TOKEN,
    });
    const path = `${ledger.url}/api/1/channels/${channelId}/latest-proof`;
    let proof = { balance: '', signature: '' as Hex };
    await waitFor(
      'the ledger to serve the latest proof',
      async () => {
        const res = await operatorGet<typeof proof>(path);
        proof = res.body;
        return res.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(proof.balance).toBe(balance.toString());

    const manager = channelManagerAt(
      chain.deployment.channelManager,
      new Wallet(receiverKey, chain.provider),
    );
    const receipt = await (
      await manager.receiverClose(channelId, BigInt(proof.balance), proof.signature)
    ).wait();
    expect(receipt?.status).toBe(1);
    const settled = receipt!.logs
      .map((log) => manager.interface.parseLog(log))
      .find((parsed) => parsed?.name === 'ChannelSettled');
    expect(settled?.args.balance).toBe(balance);
  });
});
