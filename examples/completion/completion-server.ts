// Runs the completion demo behind the embedded paywall (completion-app.ts): `npm run stack` starts it from source
// beside the demo upstream, on the services' database, after the gateways migrated it.
// usage: DATABASE_URL=... DEPLOYMENT_FILE=... RECEIVER=0x... [PORT=8082] [HOST=127.0.0.1] [UNIT_PRICE=10000000000000]
//        [UNITS_PER_STEP=10] [TOKEN_DELAY_MS=20] node -r @swc-node/register examples/completion/completion-server.ts
import { readFileSync } from 'node:fs';
import { migrateGatewaySchema } from '@microraiden/paywall';
import { Pool } from 'pg';
import { z } from 'zod';
import { createCompletionServer } from './completion-app';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(8082),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().min(1),
    DEPLOYMENT_FILE: z.string().min(1),
    RECEIVER: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    /** Base units per token: 0.00001 MTK by default. */
    UNIT_PRICE: z.coerce.bigint().positive().default(10_000_000_000_000n),
    UNITS_PER_STEP: z.coerce.number().int().min(1).max(1_000_000).default(10),
    TOKEN_DELAY_MS: z.coerce.number().int().min(0).default(20),
  })
  .parse(process.env);

const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4 });
const server = createCompletionServer({
  pool,
  deployment: JSON.parse(readFileSync(env.DEPLOYMENT_FILE, 'utf8')) as unknown,
  receiver: env.RECEIVER,
  unitPrice: env.UNIT_PRICE,
  unitsPerStep: env.UNITS_PER_STEP,
  tokenDelayMs: env.TOKEN_DELAY_MS,
});

// Idempotent: the gateways migrated the same schema already when the stack starts this.
void migrateGatewaySchema(pool).then(
  () =>
    server.listen(env.PORT, env.HOST, () => {
      process.stdout.write(`completion demo listening on http://${env.HOST}:${env.PORT}\n`);
    }),
  (err: unknown) => {
    process.stderr.write(`completion demo: migrating the gateway schema failed: ${String(err)}\n`);
    process.exit(1);
  },
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
    server.closeAllConnections();
  });
}
