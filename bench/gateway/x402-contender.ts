// The x402 `exact` contender of the gateway bench (bench/gateway/gateway.ts runs it next to our gateway).
// Compared: the same upstream behind @x402/express's paymentMiddleware, paid with x402 `exact` (EIP-3009
// transferWithAuthorization on a bench token), verified and settled on the same anvil by a local facilitator
// process running x402's own facilitator code: one on-chain transaction per paid request, which is what x402
// `exact` costs. Clients are pre-signed like ours (x402's client library, one viem key), so signing costs the
// timed run nothing. Run it with the rest: npm run bench:gateway  (BENCH_X402_* env, see gateway.ts)
import { x402Client, x402HTTPClient } from '@x402/core/client';
import type { PaymentRequired } from '@x402/core/types';
import { ExactEvmScheme, toClientEvmSigner } from '@x402/evm';
import {
  createPublicClient,
  createTestClient,
  erc20Abi,
  getAddress,
  http,
  parseEther,
  type Address,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { anvilChain } from './x402-chain';
import { deployEip3009Token } from './x402-token';

/** Starts a bench process and resolves with the port it prints; the caller owns its lifetime. */
export type StartProcess = (script: string, env: Record<string, string>) => Promise<number>;

export interface X402ContenderOptions {
  rpcUrl: string;
  upstreamUrl: string;
  payTo: Address;
  /** Price per request in token base units. */
  price: bigint;
  start: StartProcess;
}

export interface X402Contender {
  /** The x402-protected server; the paid route is /api/weather like the gateway's. */
  url: string;
  /** `count` PAYMENT-SIGNATURE headers, each a fresh EIP-3009 authorization for one request. */
  payments(count: number): Promise<Array<Record<string, string>>>;
  /** Token base units `payTo` received on-chain, i.e. settled payments times the price. */
  received(): Promise<bigint>;
  /** How the chain mines ("automine" or "interval mining N s"): it bounds every x402 exact settlement. */
  mining(): Promise<string>;
}

/** Deploy the bench token, start the facilitator and the x402 server, and prepare a paying client. */
export async function startX402Contender(options: X402ContenderOptions): Promise<X402Contender> {
  const { rpcUrl } = options;
  // Fresh keys per run: on a shared chain (BENCH_X402_RPC_URL) anvil's well-known accounts may be in use.
  const facilitatorKey = generatePrivateKey();
  const deployerKey = generatePrivateKey();
  const payer = privateKeyToAccount(generatePrivateKey());
  const testClient = createTestClient({ mode: 'anvil', chain: anvilChain, transport: http(rpcUrl) });
  for (const key of [facilitatorKey, deployerKey]) {
    await testClient.setBalance({ address: privateKeyToAccount(key).address, value: parseEther('1000') });
  }
  const asset = await deployEip3009Token(rpcUrl, deployerKey, payer.address, 10n ** 30n);

  const facilitatorPort = await options.start('bench/gateway/x402-facilitator.ts', {
    RPC_URL: rpcUrl,
    FACILITATOR_PRIVATE_KEY: facilitatorKey,
  });
  const serverPort = await options.start('bench/gateway/x402-server.ts', {
    UPSTREAM_URL: options.upstreamUrl,
    FACILITATOR_URL: `http://127.0.0.1:${facilitatorPort}`,
    X402_ASSET: asset,
    X402_PAY_TO: getAddress(options.payTo),
    X402_PRICE: options.price.toString(),
  });
  const url = `http://127.0.0.1:${serverPort}`;

  const client = new x402Client().register(
    `eip155:${anvilChain.id}`,
    new ExactEvmScheme(toClientEvmSigner(payer)),
  );
  // The bench token is not one of x402's known assets, which its default spend controls refuse.
  client.setSpendControls(false);
  const httpClient = new x402HTTPClient(client);
  const unpaid = await fetch(`${url}/api/weather`);
  const unpaidBody: unknown = await unpaid.json().catch(() => undefined);
  if (unpaid.status !== 402) throw new Error(`x402 server answered ${unpaid.status} without payment`);
  const paymentRequired: PaymentRequired = httpClient.getPaymentRequiredResponse(
    (name) => unpaid.headers.get(name),
    unpaidBody,
  );

  const chain = createPublicClient({ chain: anvilChain, transport: http(rpcUrl) });
  return {
    url,
    async payments(count) {
      const headers: Array<Record<string, string>> = [];
      for (let i = 0; i < count; i += 1) {
        const payload = await httpClient.createPaymentPayload(paymentRequired);
        headers.push(httpClient.encodePaymentSignatureHeader(payload));
      }
      return headers;
    },
    async mining() {
      if (await testClient.getAutomine()) return 'automine';
      const interval = await testClient.request<{
        Method: 'anvil_getIntervalMining';
        Parameters?: undefined;
        ReturnType: number;
      }>({ method: 'anvil_getIntervalMining' });
      return `interval mining ${interval} s`;
    },
    received: () =>
      chain.readContract({ address: asset, abi: erc20Abi, functionName: 'balanceOf', args: [options.payTo] }),
  };
}
