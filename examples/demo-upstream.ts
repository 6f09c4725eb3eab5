// Runs the demo upstream (fortune, Wikipaydia, echo): `npm run stack` starts it from source, the compose
// stack from the image (SERVICE=demo-upstream).
// usage: PORT=8081 [HOST=127.0.0.1] [WIKI_ARTICLES_DIR=...] node -r @swc-node/register examples/demo-upstream.ts
import { z } from 'zod';
import { createDemoServer } from './demo-server';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(8081),
    HOST: z.string().min(1).default('127.0.0.1'),
    WIKI_ARTICLES_DIR: z.string().min(1).optional(),
  })
  .parse(process.env);

const server = createDemoServer(
  env.WIKI_ARTICLES_DIR === undefined ? {} : { articlesDir: env.WIKI_ARTICLES_DIR },
);
server.listen(env.PORT, env.HOST, () => {
  process.stdout.write(`demo upstream listening on http://${env.HOST}:${env.PORT}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
