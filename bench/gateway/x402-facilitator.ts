// A local x402 facilitator for the gateway bench, in its own process: x402's own facilitator logic
// (@x402/core x402Facilitator + @x402/evm `exact` scheme) behind the HTTP API x402 resource servers call
// (POST /verify, POST /settle, GET /supported). It settles every payment on the bench's anvil with one
// transferWithAuthorization transaction and waits for its receipt, as a production facilitator does.
// usage: RPC_URL=... FACILITATOR_PRIVATE_KEY=0x... node -r @swc-node/register bench/gateway/x402-facilitator.ts
//   (prints its port on stdout; the key must hold ETH for gas)
import type { AddressInfo } from 'node:net';
import { x402Facilitator } from '@x402/core/facilitator';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import express from 'express';
import { createWalletClient, http, nonceManager, publicActions, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { anvilChain } from './x402-chain';

const env = z
  .object({
    RPC_URL: z.url(),
    FACILITATOR_PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  })
  .parse(process.env);

// The nonce manager lets concurrent settlements from the one facilitator key get distinct nonces; the short
// polling interval suits an automining local chain (viem's default of 4 s would dominate every settlement).
const account = privateKeyToAccount(env.FACILITATOR_PRIVATE_KEY as Hex, { nonceManager });
const client = createWalletClient({
  account,
  chain: anvilChain,
  transport: http(env.RPC_URL),
  pollingInterval: 20,
}).extend(publicActions);
const signer = toFacilitatorEvmSigner({ ...client, address: account.address } as unknown as Parameters<
  typeof toFacilitatorEvmSigner
>[0]);
const facilitator = new x402Facilitator().register(`eip155:${anvilChain.id}`, new ExactEvmScheme(signer));

const requestSchema = z.object({
  paymentPayload: z.custom<PaymentPayload>((v) => typeof v === 'object' && v !== null),
  paymentRequirements: z.custom<PaymentRequirements>((v) => typeof v === 'object' && v !== null),
});

const app = express();
app.disable('x-powered-by');
app.use(express.json());
app.get('/supported', (_req, res) => {
  res.json(facilitator.getSupported());
});
app.post('/verify', async (req, res) => {
  const body = requestSchema.parse(req.body);
  res.json(await facilitator.verify(body.paymentPayload, body.paymentRequirements));
});
app.post('/settle', async (req, res) => {
  const body = requestSchema.parse(req.body);
  res.json(await facilitator.settle(body.paymentPayload, body.paymentRequirements));
});
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  process.stderr.write(`facilitator error: ${err.stack ?? err.message}\n`);
  res.status(500).json({ error: err.message });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
server.keepAliveTimeout = 60_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
