// The stream bench's paywall process: the paywall embedded in an app (libs/paywall's middleware, as in
// examples/completion) serving a fixed-price JSON route and the completion of examples/completion on one streamed
// route per step size, on the bench's database, relaying its own outbox to Kafka as a gateway replica does.
// Prints its port on stdout.
// usage: node -r @swc-node/register bench/stream/stream-app.ts
// env: DATABASE_URL, KAFKA_BROKERS, BALANCE_PROOFS_TOPIC, RECEIVER, DEPLOYMENT_FILE, PRICE, UNIT_PRICE, STEPS (1,10)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboxRelay } from '@microraiden/kafka';
import { createPaywall, paywallMiddleware } from '@microraiden/paywall';
import { Pool } from 'pg';
import { z } from 'zod';
import { completionHandler } from '../../examples/completion/completion';

const env = z
  .object({
    DATABASE_URL: z.string().min(1),
    KAFKA_BROKERS: z.string().min(1),
    BALANCE_PROOFS_TOPIC: z.string().min(1),
    RECEIVER: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    DEPLOYMENT_FILE: z.string().min(1),
    PRICE: z.coerce.bigint().positive(),
    UNIT_PRICE: z.coerce.bigint().positive(),
    STEPS: z.string().regex(/^\d+(,\d+)*$/),
  })
  .parse(process.env);

const body = Buffer.from(JSON.stringify({ city: 'Berlin', tempC: 21, source: 'bench-stream' }));
const pool = new Pool({ connectionString: env.DATABASE_URL, max: 16 });
const paywall = createPaywall({
  pool,
  deployment: JSON.parse(readFileSync(env.DEPLOYMENT_FILE, 'utf8')) as unknown,
  receiver: env.RECEIVER,
  routes: [
    { path: '/api/weather', price: env.PRICE.toString() },
    // `/v1/complete-<k>`: the completion with a top-up every k tokens.
    ...env.STEPS.split(',').map((k) => ({
      path: `/v1/complete-${k}`,
      stream: { unitPrice: env.UNIT_PRICE.toString(), unitsPerStep: Number(k) },
    })),
  ],
  balanceProofsTopic: env.BALANCE_PROOFS_TOPIC,
  gatewayId: 'bench-stream',
});
// The gateway's defaults (LISTEN for the paywall's notifications, a poll every 500 ms when none comes).
const relay = createOutboxRelay({
  databaseUrl: env.DATABASE_URL,
  client: { brokers: env.KAFKA_BROKERS.split(','), clientId: 'bench-stream' },
});
const charge = paywallMiddleware(paywall);
const complete = completionHandler({ delayMs: 0, maxTokens: 1_000_000 });

const server = createServer((req, res) => {
  charge(req, res, (err?: unknown) => {
    if (err !== undefined) {
      res.writeHead(500).end();
    } else if (req.url?.startsWith('/v1/complete-')) {
      void complete(req, res).catch(() => res.destroy());
    } else {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    }
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
  server.closeAllConnections();
  void relay.stop().finally(() => pool.end().finally(() => process.exit(0)));
});
