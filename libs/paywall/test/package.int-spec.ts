import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeDeploymentFile } from '@microraiden/contracts';
import { createChannelEvent, type MicroraidenEvent } from '@microraiden/events';
import { createEventConsumer, createEventProducer, type KafkaClientOptions } from '@microraiden/kafka';
import type { Address, Hex32 } from '@microraiden/protocol';
import { createTestDatabase, uniqueTopic, waitFor, type TestDatabase } from '@microraiden/testing';
import * as source from '../src';
import { deployClientFixture, type ClientFixture } from '../../client/test/support/client-fixture';
import { ADAPTER_PACKAGES, describeAdapterExamples } from './support/adapter-examples';
import {
  CLIENT_SCRIPTS,
  compileConsumerTs,
  consumerEnv,
  installPackedConsumer,
  sh,
  startConsumerApp,
  type ConsumerApp,
  type PackedConsumer,
} from './support/packed-consumer';

const PRICE = 7n;

// The README's Express example, as a user writes it: nothing but the installed packages (topics and group are the
// test's own; an app on the catalogue's topics leaves them out).
const APP = `
const express = require('express');
const { paywallMiddleware, receiverKeyOfPrivateKey, startPaywall } = require('@microraiden/paywall');
const deployment = JSON.parse(require('node:fs').readFileSync(process.env.DEPLOYMENT_FILE, 'utf8'));
let served = 0;
startPaywall({
  deployment,
  databaseUrl: process.env.DATABASE_URL,
  kafkaBrokers: process.env.KAFKA_BROKERS.split(','),
  receiverKey: receiverKeyOfPrivateKey(process.env.RECEIVER_KEY),
  routes: [{ path: '/weather', price: '${PRICE}' }],
  topics: { channels: process.env.CHANNELS_TOPIC, balanceProofs: process.env.BALANCE_PROOFS_TOPIC, deadLetter: process.env.DEAD_LETTER_TOPIC, partitions: 1 },
  groupId: process.env.GROUP_ID,
}).then((paywall) => {
  const app = express();
  app.get('/health/ready', async (req, res) => {
    const report = await paywall.ready();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.use(paywallMiddleware(paywall));
  app.get('/weather', (req, res) => res.json({ city: 'Berlin', served: ++served }));
  const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.once('SIGTERM', () => server.close(() => paywall.stop()));
});
`;

// Cooperative or nothing: declining the uncooperative fallback makes a failed cooperative close throw.
const CLOSE = `
const { Client } = require('@microraiden/client');
const deployment = JSON.parse(require('node:fs').readFileSync(process.env.DEPLOYMENT_FILE, 'utf8'));
const client = new Client({ privateKey: process.env.KEY }, { rpcUrl: process.env.RPC, deployment, stateDir: process.env.STATE, pollingIntervalMs: 50 });
(async () => {
  const channel = await client.channel(process.env.CHANNEL);
  const outcome = await channel.close({ confirmUncooperative: async () => false });
  console.log(JSON.stringify({ kind: outcome.kind, balance: String(outcome.balance), receiverPaid: String(outcome.receiverPaid) }));
})().finally(() => client.close());
`;

// The published artifact, not the sources: pack, install outside the monorepo (no path aliases, no root
// node_modules) and charge an Express app for a client installed from its own tarball.
describe('@microraiden/paywall installed from its npm tarball', () => {
  let packed: PackedConsumer;
  let consumer: string;

  beforeAll(async () => {
    // One scratch install for every test here, the adapters' examples included.
    packed = await installPackedConsumer([...new Set(['express@5.3.0', 'pg@8.23.1', ...ADAPTER_PACKAGES])]);
    consumer = packed.dir;
    await writeFile(path.join(consumer, 'app.js'), APP);
    for (const [file, text] of Object.entries(CLIENT_SCRIPTS))
      await writeFile(path.join(consumer, file), text);
    await writeFile(path.join(consumer, 'close.js'), CLOSE);
  }, 400_000);
  afterAll(() => packed?.dispose());

  it('requires from a plain CommonJS project and exports what the sources export, test doubles apart', async () => {
    const script = `
      const main = require('@microraiden/paywall');
      const x402 = require('@microraiden/paywall/x402');
      const testing = require('@microraiden/paywall/testing');
      console.log(JSON.stringify({
        names: Object.keys(main).sort(),
        x402: [typeof x402.MicroraidenX402, main.MicroraidenX402 === undefined],
        testing: [typeof testing.aTestPaywall, typeof testing.InMemoryChannelStore],
      }));
    `;
    const { stdout } = await sh(process.execPath, ['-e', script], { cwd: consumer });
    const installed = JSON.parse(stdout) as { names: string[]; x402: unknown[]; testing: string[] };
    expect(installed.names).toEqual(Object.keys(source).sort());
    expect(installed.names).toEqual(
      expect.arrayContaining([
        'Paywall',
        'createPaywall',
        'paywallMiddleware',
        'paywallFetchHandler',
        'migrateGatewaySchema',
        'startPaywall',
        'PaywallRuntime',
        'receiverKeyOfPrivateKey',
      ]),
    );
    expect(installed.names).not.toContain('aTestPaywall');
    expect(installed.x402).toEqual(['function', true]);
    expect(installed.testing).toEqual(['function', 'function']);
    // The main entry point's declarations type-check without the optional peer @x402/core (not installed yet) and
    // without skipLibCheck: x402 is only behind './x402'.
    await writeFile(
      path.join(consumer, 'main-only.ts'),
      "import { createPaywall, type Paywall } from '@microraiden/paywall';\nexport const make: typeof createPaywall = createPaywall;\nexport type P = Paywall;\n",
    );
    await compileConsumerTs(
      consumer,
      ['main-only.ts'],
      ['--module', 'node16', '--moduleResolution', 'node16'],
    );
  });

  it('serves x402 through @microraiden/paywall/x402 with the real @x402/core, and types a TypeScript consumer', async () => {
    // The scheme's peer dependency, as an x402 user has it (from the npm cache of the root install).
    await sh('npm', ['install', '@x402/core@2.27.0', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: consumer,
    });
    await writeFile(
      path.join(consumer, 'use.ts'),
      [
        "import { createPaywall, paywallFetchHandler, paywallMiddleware, type Paywall } from '@microraiden/paywall';",
        "import { MicroraidenX402 } from '@microraiden/paywall/x402';",
        "import { x402ResourceServer } from '@x402/core/server';",
        "import type { Pool } from 'pg';",
        'const pool = { query: async () => ({ rows: [] }) } as unknown as Pool;',
        "const deployment = { chainId: 31337, channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3', token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', challengePeriod: 3600, deployBlock: 1 };",
        "const paywall: Paywall = createPaywall({ pool, deployment, receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', routes: [{ path: '/a', price: '1' }] });",
        'const x402 = new MicroraidenX402(paywall);',
        "const server = new x402ResourceServer(x402.facilitator).register('eip155:31337', x402.scheme);",
        'void [server, paywallMiddleware(paywall), paywallFetchHandler(paywall)];',
        'console.log(JSON.stringify({ scheme: x402.scheme.scheme, server: server instanceof x402ResourceServer }));',
        // Must fail to compile, or the declarations are `any` (never called: it would throw).
        'const wrong = () =>',
        '  // @ts-expect-error',
        '  createPaywall({ pool, deployment, receiver: 1, routes: [] });',
        'void wrong;',
      ].join('\n'),
    );
    // node16: x402's subpaths (@x402/core/server) resolve only through its exports map.
    await compileConsumerTs(consumer, ['use.ts'], ['--module', 'node16', '--moduleResolution', 'node16']);
    const { stdout } = await sh(process.execPath, ['use.js'], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ scheme: 'microraiden-channel', server: true });
  });

  describe('an Express app started with startPaywall on Postgres, Kafka and anvil, paid and closed by @microraiden/client', () => {
    let fx: ClientFixture;
    let db: TestDatabase;
    let pool: Pool;
    let app: ConsumerApp;
    let env: NodeJS.ProcessEnv;
    let kafka: KafkaClientOptions;
    let channelId: Hex32;

    beforeAll(async () => {
      fx = await deployClientFixture(inject('rpcUrl'));
      await fx.mint(fx.sender.address, 1_000_000n);
      const dir = await fx.stateDir();
      const deploymentFile = path.join(dir, 'deployment.json');
      await writeDeploymentFile(deploymentFile, fx.deployment);
      db = await createTestDatabase({ prefix: 'h12_paywall_pack', serverUrl: inject('databaseUrl') });
      pool = new Pool({ connectionString: db.url, max: 2 });
      kafka = { brokers: inject('kafkaBrokers').split(','), clientId: 'paywall-package-test' };
      env = consumerEnv({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: inject('kafkaBrokers'),
        CHANNELS_TOPIC: uniqueTopic('paywall-pack.channels'),
        BALANCE_PROOFS_TOPIC: uniqueTopic('paywall-pack.balance-proofs'),
        DEAD_LETTER_TOPIC: uniqueTopic('paywall-pack.dead-letter'),
        GROUP_ID: uniqueTopic('paywall-pack-group'),
        DEPLOYMENT_FILE: deploymentFile,
        RECEIVER: fx.receiver.address,
        RECEIVER_KEY: fx.receiverKey,
        KEY: fx.senderKey,
        RPC: inject('rpcUrl'),
        STATE: path.join(dir, 'state'),
      });
      app = await startConsumerApp(consumer, 'app.js', env);
    }, 60_000);
    afterAll(async () => {
      app?.child.kill();
      await pool?.end();
      await db?.drop();
      await fx?.dispose();
    });

    /** What the chain-watcher publishes for a confirmed new channel; the app's own projector applies it. */
    async function publishCreated(id: Hex32, deposit: bigint): Promise<void> {
      const hash = () => `0x${randomBytes(32).toString('hex')}`;
      const data = {
        channelId: id,
        sender: fx.sender.address as Address,
        receiver: fx.receiver.address as Address,
        deposit,
        chainId: fx.deployment.chainId,
        channelManager: fx.deployment.channelManager as Address,
        blockNumber: 1,
        blockHash: hash(),
        transactionHash: hash(),
        logIndex: 0,
      } as unknown as Parameters<typeof createChannelEvent<'channel.created'>>[1];
      const event = createChannelEvent('channel.created', data, {
        source: 'chain-watcher',
        occurredAt: new Date().toISOString(),
      });
      const producer = createEventProducer(kafka);
      try {
        await producer.publish([event], { topic: env.CHANNELS_TOPIC as string });
      } finally {
        await producer.disconnect();
      }
    }

    const channelRow = async (id: Hex32) =>
      (
        await pool.query<{
          state: string;
          confirmed: boolean;
          accepted: string;
          paid: number;
          closeSigned: string | null;
        }>(
          `SELECT state, confirmed, accepted_balance::text AS accepted, paid_requests::int AS paid,
                  close_signed_balance::text AS "closeSigned"
             FROM gateway_channels WHERE channel_id = $1`,
          [id.toLowerCase()],
        )
      ).rows[0];

    it('reports Postgres, Kafka and the joined channel consumer ready through the readiness the app mounted', async () => {
      type Report = { ready: boolean; checks: Record<string, { status: string }> };
      let status = 0;
      let report: Report | undefined;
      // Not ready until the channel consumer has joined its group (a Kafka rebalance takes seconds).
      await waitFor('the app ready', async () => {
        const res = await fetch(`${app.url}/health/ready`);
        status = res.status;
        report = (await res.json()) as Report;
        return status === 200;
      });
      expect(report?.ready).toBe(true);
      expect(Object.keys(report?.checks ?? {}).sort()).toEqual(['channel-events', 'kafka', 'postgres']);
      for (const check of ['postgres', 'kafka', 'channel-events'])
        expect(report?.checks[check]?.status).toBe('up');
    });

    it('projects the channel from Kafka, answers 402, then serves the paid request once and charges it once', async () => {
      const opened = await sh(process.execPath, ['open.js'], { cwd: consumer, env });
      channelId = (JSON.parse(opened.stdout) as { id: Hex32 }).id;
      const [, , deposit] = await fx.manager.getChannel(channelId);
      await publishCreated(channelId, deposit);
      await waitFor(
        'the app projected the channel',
        async () => (await channelRow(channelId))?.confirmed === true,
        {
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );

      const { stdout } = await sh(process.execPath, ['pay.js'], {
        cwd: consumer,
        env: { ...env, URL: `${app.url}/weather` },
      });
      expect(JSON.parse(stdout)).toEqual({
        unpaid: { status: 402, error: 'PAYMENT_REQUIRED', price: `${PRICE}` },
        status: 200,
        body: { city: 'Berlin', served: 1 },
        receipt: { cost: `${PRICE}`, balance: `${PRICE}` },
        paid: { channelId, amount: `${PRICE}`, balance: `${PRICE}` },
      });
      expect(await channelRow(channelId)).toMatchObject({ state: 'open', accepted: `${PRICE}`, paid: 1 });
    });

    it('signs a cooperative close at the embedded close endpoint; the contract settles it at once', async () => {
      expect(channelId).toBeDefined();
      const { stdout } = await sh(process.execPath, ['close.js'], {
        cwd: consumer,
        env: { ...env, CHANNEL: channelId },
      });
      expect(JSON.parse(stdout)).toEqual({
        kind: 'cooperative',
        balance: `${PRICE}`,
        receiverPaid: `${PRICE}`,
      });
      expect(await channelRow(channelId)).toMatchObject({ state: 'closing', closeSigned: `${PRICE}` });
      // Settled: the contract forgot the channel (a requested uncooperative close would keep it, closing).
      const [, , deposit] = await fx.manager.getChannel(channelId);
      expect(deposit).toBe(0n);
    });

    it('relays the acceptance and the close signature to the balance-proofs topic', async () => {
      const ofChannel = (events: readonly MicroraidenEvent[]) =>
        events
          .filter(
            (e) => (e.data as { channelId?: string }).channelId?.toLowerCase() === channelId.toLowerCase(),
          )
          .map((e) => e.type);
      const events = await readTopic(
        kafka,
        env.BALANCE_PROOFS_TOPIC as string,
        (seen) => ofChannel(seen).length >= 2,
      );
      expect(ofChannel(events)).toEqual(['balance-proof.accepted', 'balance-proof.close-signed']);
    });

    it('stops on SIGTERM: consumer, relay and connections closed, so the process exits by itself', async () => {
      const exited = new Promise<number | null>((resolve) => app.child.once('exit', resolve));
      app.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 30_000);
  });

  describeAdapterExamples(() => consumer);
});

/** Reads `topic` from the beginning with a throwaway group until `done` holds; rejects after `timeoutMs`. */
async function readTopic(
  client: KafkaClientOptions,
  topic: string,
  done: (events: readonly MicroraidenEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<MicroraidenEvent[]> {
  const events: MicroraidenEvent[] = [];
  const consumer = createEventConsumer({
    client,
    groupId: uniqueTopic('paywall-pack-reader'),
    topics: [topic],
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  try {
    await consumer.run(async ({ event }) => void events.push(event));
    await waitFor(`events of ${topic}`, async () => done(events), { timeoutMs, intervalMs: 100 });
    return events;
  } finally {
    await consumer.stop();
  }
}
