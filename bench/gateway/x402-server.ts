// The x402 contender of the gateway bench, in its own process: an Express app with @x402/express's
// paymentMiddleware (scheme `exact`, EIP-3009 token on anvil) in front of the bench's upstream, which it
// proxies to over a keep-alive pool exactly like our gateway does. Every paid request is verified by the
// facilitator, proxied, then settled on-chain by the facilitator before the response is released.
// usage: UPSTREAM_URL=... FACILITATOR_URL=... X402_ASSET=0x... X402_PAY_TO=0x... X402_PRICE=1000 \
//   node -r @swc-node/register bench/gateway/x402-server.ts   (prints its port on stdout)
import type { AddressInfo } from 'node:net';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import express from 'express';
import { Pool } from 'undici';
import { z } from 'zod';
import { anvilChain } from './x402-chain';
import { BENCH_TOKEN_DOMAIN } from './x402-token';

const env = z
  .object({
    UPSTREAM_URL: z.url(),
    FACILITATOR_URL: z.url(),
    X402_ASSET: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    X402_PAY_TO: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    X402_PRICE: z.string().regex(/^[0-9]+$/),
  })
  .parse(process.env);

const network = `eip155:${anvilChain.id}` as const;
const resourceServer = new x402ResourceServer(
  new HTTPFacilitatorClient({ url: env.FACILITATOR_URL }),
).register(network, new ExactEvmScheme());
const upstream = new Pool(env.UPSTREAM_URL, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(
  paymentMiddleware(
    {
      'GET /api/weather': {
        accepts: {
          scheme: 'exact',
          network,
          payTo: env.X402_PAY_TO,
          price: { amount: env.X402_PRICE, asset: env.X402_ASSET, extra: { ...BENCH_TOKEN_DOMAIN } },
          // Long enough for the bench to pre-sign every authorization before the timed run starts.
          maxTimeoutSeconds: 3600,
        },
        description: 'bench weather',
      },
    },
    resourceServer,
  ),
);
app.get('/api/weather', async (req, res) => {
  const answer = await upstream.request({ path: req.originalUrl, method: 'GET' });
  const body = Buffer.from(await answer.body.arrayBuffer());
  res
    .status(answer.statusCode)
    .type(String(answer.headers['content-type'] ?? 'application/json'))
    .send(body);
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
server.keepAliveTimeout = 60_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
