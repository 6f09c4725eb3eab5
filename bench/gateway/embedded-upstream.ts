// The benchmark's upstream API with the paywall embedded (libs/paywall's middleware, the second way to use
// the gateway): the same JSON answer as bench/gateway/upstream.ts, charged in-process, with no proxy hop. It shares
// the fleet's database (channels projected by the gateway replica, exactly-once acceptance, outbox) and relays its
// own outbox rows to Kafka like a replica does. /free/* is served unpaid through the same middleware; /api/metered is
// metered with the price as its ceiling and reports one base unit less. Prints its port on stdout.
// usage: node -r @swc-node/register bench/gateway/embedded-upstream.ts
// env: DATABASE_URL, KAFKA_BROKERS, BALANCE_PROOFS_TOPIC, RECEIVER, CHAIN_ID, CHANNEL_MANAGER, TOKEN, PRICE
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboxRelay } from '@microraiden/kafka';
import { Paywall, paywallMiddleware, PgChannelStore, reportCharge, RouteTable } from '@microraiden/paywall';
import { channelDomain, type Address } from '@microraiden/protocol';
import { Pool } from 'pg';
import { z } from 'zod';

const env = z
  .object({
    DATABASE_URL: z.string().min(1),
    KAFKA_BROKERS: z.string().min(1),
    BALANCE_PROOFS_TOPIC: z.string().min(1),
    RECEIVER: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    CHAIN_ID: z.coerce.bigint().positive(),
    CHANNEL_MANAGER: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    TOKEN: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    PRICE: z.coerce.bigint().positive(),
  })
  .parse(process.env);

/** What /api/metered reports below its ceiling per request (bench/gateway/gateway.ts checks the charged sum). */
const METERED_DISCOUNT = 1n;
const body = Buffer.from(JSON.stringify({ city: 'Berlin', tempC: 21, source: 'bench-upstream' }));
const pool = new Pool({ connectionString: env.DATABASE_URL, max: 16 });
const paywall = new Paywall({
  identity: {
    receiver: env.RECEIVER as Address,
    domain: channelDomain(env.CHAIN_ID, env.CHANNEL_MANAGER),
    token: env.TOKEN as Address,
    gatewayPath: '/api/1',
  },
  routes: new RouteTable([
    { match: { exact: '/api/weather' }, rule: { kind: 'paid', prices: new Map([['GET', env.PRICE]]) } },
    // The same answer unpaid, through the same middleware: what payment work is measured against.
    { match: { prefix: '/free/' }, rule: { kind: 'free' } },
    // Metered at the same ceiling, reporting one base unit less: what metering adds to a paid request.
    { match: { exact: '/api/metered' }, rule: { kind: 'metered', maxPrice: env.PRICE } },
  ]),
  store: new PgChannelStore(pool, { balanceProofsTopic: env.BALANCE_PROOFS_TOPIC }),
  gatewayId: 'bench-embedded',
});
const relay = createOutboxRelay({
  databaseUrl: env.DATABASE_URL,
  client: { brokers: env.KAFKA_BROKERS.split(','), clientId: 'bench-embedded' },
  batchSize: 500,
  pollIntervalMs: 100,
  listen: false,
});
const charge = paywallMiddleware(paywall);

const server = createServer((req, res) => {
  req.resume();
  charge(req, res, (err?: unknown) => {
    if (err !== undefined) {
      res.writeHead(500).end();
      return;
    }
    if (req.url === '/api/metered') reportCharge(res, env.PRICE - METERED_DISCOUNT);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;

void relay.start().then(() =>
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  }),
);
process.on('SIGTERM', () => {
  server.close();
  void relay.stop().finally(() => pool.end().finally(() => process.exit(0)));
});
