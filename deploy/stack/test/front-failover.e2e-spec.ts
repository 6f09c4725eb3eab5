import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KafkaClientOptions } from '@microraiden/kafka';
import { parseReceipt, privateKeyToAddress, type Address, type Hex32 } from '@microraiden/protocol';
import { createTestDatabase, freePort, repoRoot, type TestDatabase } from '@microraiden/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  anvilKey,
  deployChain,
  writeRoutesFile,
  type ChainFixture,
} from '../../../services/gateway/test/support/chain-fixture';
import { channelEvent, randomChannelId } from '../../../services/gateway/test/support/channel-events';
import {
  createTestTopics,
  paymentHeaders,
  publishChannelEvents,
  waitForChannel,
} from '../../../services/gateway/test/support/gateway-fixture';
import { spawnGateway, type GatewayProcess } from '../../../services/gateway/test/support/gateway-process';
import {
  json,
  startUpstream,
  type TestUpstream,
} from '../../../services/gateway/test/support/upstream-server';
import { frontSpec } from '../front-spec';
import { findHaproxy } from '../haproxy-config';
import { ServiceProcess } from '../service-process';

// The HAProxy front under load (paid and free requests) while one of its two gateway replicas is SIGKILLed:
// no request that was safe to retry may fail. Paid requests the dead replica held in flight may have been
// accepted: the front answers them 502 (deploy/README.md, "Retry rules"), the client re-sends the same proof,
// and the gateways' database shows every increment counted exactly once.
const PRICE = 1000n;
const PAYERS = 4;
const PAID_PER_PAYER = 60;
const FREE_LOOPS = 4;
const FREE_PER_LOOP = 60;
const KILL_AFTER = 100;
const client: KafkaClientOptions = { brokers: inject('kafkaBrokers').split(','), clientId: 'front-failover' };
const receiverKey = anvilKey(1);
const receiver = privateKeyToAddress(receiverKey);

interface Payer {
  readonly channelId: Hex32;
  readonly senderKey: string;
  readonly sender: Address;
}

/** What one paying client saw. */
interface PaidTally {
  ok: number;
  /** Answers that may have been accepted (502/504 of the front, a dropped connection): re-sent with the same proof. */
  ambiguous: number;
  /** Re-sends answered 409 BALANCE_STALE with a receipt for exactly that balance: the dead replica had accepted it. */
  acceptedBeforeLoss: number;
  /** Highest balance the client knows accepted. */
  last: bigint;
  /** Anything else: a request that was safe to retry and still failed. */
  failures: string[];
}

const payers: Payer[] = Array.from({ length: PAYERS }, (_, i) => {
  const senderKey = anvilKey(20 + i);
  return { channelId: randomChannelId(), senderKey, sender: privateKeyToAddress(senderKey) };
});
const haproxyMissing = findHaproxy() === undefined;

let db: TestDatabase;
let pool: Pool;
let chain: ChainFixture;
let upstream: TestUpstream;
let front: ServiceProcess | undefined;
let frontUrl: string;
let runDir: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  if (haproxyMissing) return;
  db = await createTestDatabase({ prefix: 'front_failover', serverUrl: inject('databaseUrl') });
  pool = new Pool({ connectionString: db.url, max: 2 });
  chain = await deployChain(inject('rpcUrl'));
  const topics = await createTestTopics(client);
  upstream = await startUpstream((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 5));
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    DEPLOYMENT_FILE: chain.deploymentFile,
    UPSTREAM_URL: upstream.url,
    ROUTES_FILE: writeRoutesFile([
      { prefix: '/api/', price: PRICE.toString() },
      { prefix: '/free/', free: true },
    ]),
    RECEIVER_PRIVATE_KEY: receiverKey,
    // An anvil test key in the environment: allowed on a development chain only.
    MICRORAIDEN_DEV: '1',
    DB_POOL_SIZE: '4',
    ...topics,
  };
  await publishChannelEvents(
    client,
    topics.CHANNELS_TOPIC,
    payers.map((p) =>
      channelEvent(chain.deployment, 'channel.created', {
        channelId: p.channelId,
        sender: p.sender,
        receiver,
        deposit: 1_000_000n * PRICE,
      }),
    ),
  );
  gateways.push(
    ...(await Promise.all([
      spawnGateway({ ...env, GATEWAY_ID: 'failover-1' }),
      spawnGateway({ ...env, GATEWAY_ID: 'failover-2' }),
    ])),
  );
  for (const p of payers) await waitForChannel(pool, p.channelId);

  runDir = mkdtempSync(path.join(tmpdir(), 'front-failover-'));
  const port = await freePort();
  const choice = frontSpec({
    port,
    gatewayPorts: gateways.map((g) => g.port),
    configFile: path.join(runDir, 'haproxy.cfg'),
  });
  expect(choice.kind).toBe('haproxy');
  front = await ServiceProcess.start(choice.spec, repoRoot(), runDir, 'a free port');
  await front.waitReady(30_000);
  frontUrl = front.url;
}, 240_000);

afterAll(async () => {
  await front?.stop(5_000);
  await Promise.all(gateways.map((g) => g.stop()));
  await upstream?.close();
  await pool?.end();
  await db?.drop();
  chain?.close();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

describe.skipIf(haproxyMissing)('the HAProxy front when a gateway replica is SIGKILLed under load', () => {
  it('fails no retry-safe request and counts every paid increment once', async () => {
    let sent = 0;
    let killedAt: number | undefined;
    let killing: Promise<void> | undefined;
    const replicasBefore = new Set<string>();
    const replicasAfter = new Set<string>();
    const countAndMaybeKill = (replica: string | null) => {
      sent += 1;
      (killedAt === undefined ? replicasBefore : replicasAfter).add(replica ?? 'none');
      if (killedAt === undefined && sent >= KILL_AFTER) {
        killedAt = sent;
        killing = gateways[0]!.kill9();
      }
    };

    // Each payer pays serially, as the protocol asks: an ambiguous answer is followed by the same proof again.
    const pay = async (payer: Payer): Promise<PaidTally> => {
      const tally: PaidTally = { ok: 0, ambiguous: 0, acceptedBeforeLoss: 0, last: 0n, failures: [] };
      let pending: bigint | undefined;
      for (let n = 0; n < PAID_PER_PAYER; n++) {
        const balance = pending ?? tally.last + PRICE;
        const headers = paymentHeaders({ ...payer, receiver, domain: chain.domain, balance });
        let res: Response;
        try {
          res = await fetch(`${frontUrl}/api/data`, { headers, signal: AbortSignal.timeout(20_000) });
          await res.arrayBuffer();
        } catch {
          tally.ambiguous++;
          pending = balance;
          continue;
        }
        countAndMaybeKill(res.headers.get('x-stack-replica'));
        const code = res.headers.get('rdn-error');
        const receipt = parseReceipt(res.headers);
        if (res.status === 200) {
          tally.ok++;
          tally.last = balance;
          pending = undefined;
        } else if (res.status === 502 || res.status === 504) {
          tally.ambiguous++;
          pending = balance;
        } else if (
          res.status === 409 &&
          code === 'BALANCE_STALE' &&
          pending === balance &&
          receipt.ok &&
          receipt.value?.senderBalance === balance
        ) {
          tally.acceptedBeforeLoss++;
          tally.last = balance;
          pending = undefined;
        } else {
          tally.failures.push(`${res.status} ${code ?? ''} at balance ${balance}`);
        }
      }
      return tally;
    };

    const free = async (): Promise<string[]> => {
      const failures: string[] = [];
      for (let n = 0; n < FREE_PER_LOOP; n++) {
        try {
          const res = await fetch(`${frontUrl}/free/item-${n}`, { signal: AbortSignal.timeout(20_000) });
          await res.arrayBuffer();
          countAndMaybeKill(res.headers.get('x-stack-replica'));
          if (res.status !== 200) failures.push(`GET /free: ${res.status}`);
        } catch (err) {
          failures.push(`GET /free: ${(err as Error).message}`);
        }
      }
      return failures;
    };

    const [paid, freeFailures] = await Promise.all([
      Promise.all(payers.map(pay)),
      Promise.all(Array.from({ length: FREE_LOOPS }, free)).then((all) => all.flat()),
    ]);
    await killing;

    const ambiguous = paid.reduce((sum, t) => sum + t.ambiguous, 0);
    const lost = paid.reduce((sum, t) => sum + t.acceptedBeforeLoss, 0);
    console.log(
      `front failover: ${sent} answers, replica killed after ${killedAt}; free failures ${freeFailures.length}; ` +
        `paid: ok ${paid.reduce((s, t) => s + t.ok, 0)}, may-have-been-accepted ${ambiguous} ` +
        `(of which accepted before the kill: ${lost}), failures ${paid.flatMap((t) => t.failures).length}`,
    );
    expect(killedAt, 'the replica was never killed').toBeDefined();
    expect(replicasBefore).toEqual(new Set(['1', '2']));
    expect(replicasAfter.has('2')).toBe(true);
    // Retry-safe requests: every free one, and every paid one not in flight on the killed replica.
    expect(freeFailures).toEqual([]);
    expect(paid.flatMap((t) => t.failures)).toEqual([]);
    // Only what was in flight on the dead replica can be ambiguous: at most one paid request per payer.
    expect(ambiguous).toBeLessThanOrEqual(PAYERS);

    // The money invariant: each channel's accepted balance is what its client knows accepted, in PRICE steps,
    // each counted once (the 200s plus the re-sends the dead replica had accepted before its answer was lost).
    for (const [i, payer] of payers.entries()) {
      const { rows } = await pool.query<{ b: string; n: number }>(
        'SELECT accepted_balance::text AS b, paid_requests::int AS n FROM gateway_channels WHERE channel_id = $1',
        [payer.channelId.toLowerCase()],
      );
      const tally = paid[i]!;
      expect(BigInt(rows[0]!.b)).toBe(tally.last);
      expect(rows[0]!.n).toBe(tally.ok + tally.acceptedBeforeLoss);
      expect(BigInt(rows[0]!.n) * PRICE).toBe(tally.last);
    }
  }, 240_000);
});
