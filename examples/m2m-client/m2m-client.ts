/**
 * A machine-to-machine client (µRaiden's `m2m_client`): fetches a paywalled URL a few times, paying each
 * request over a channel, and prints what it paid.
 *
 *   MICRORAIDEN_PRIVATE_KEY=0x... node -r @swc-node/register examples/m2m-client/m2m-client.ts \
 *     --rpc http://127.0.0.1:8545 --deployment deployments/local.json \
 *     --url http://127.0.0.1:3000/api/weather --requests 3 --max-price 1000000000000000 --max-deposit 10000000000000000
 */
import { parseArgs } from 'node:util';
import { readDeploymentFile } from '@microraiden/contracts';
import { Client, type PaidAmount } from '@microraiden/client';

/** What one run does. */
export interface M2mOptions {
  readonly client: Client;
  readonly url: string;
  readonly requests: number;
  readonly maxPricePerRequest: bigint;
  readonly maxDeposit: bigint;
  readonly log?: (line: string) => void;
}

/** Fetches `url` `requests` times, paying as needed; returns what each request cost (null: free). */
export async function runM2mClient(options: M2mOptions): Promise<(PaidAmount | null)[]> {
  const log = options.log ?? (() => undefined);
  const paid: (PaidAmount | null)[] = [];
  for (let i = 1; i <= options.requests; i++) {
    const result = await options.client.fetch(options.url, undefined, {
      maxPricePerRequest: options.maxPricePerRequest,
      maxDeposit: options.maxDeposit,
    });
    const body = await result.response.text();
    log(`#${i} HTTP ${result.response.status} ${body.slice(0, 80)}`);
    log(
      result.paid
        ? `   paid ${result.paid.amount}, channel balance ${result.paid.balance}${result.paid.prepaid ? ' (prepaid: no 402 round trip)' : ''}`
        : '   paid nothing',
    );
    paid.push(result.paid);
  }
  return paid;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: 'string', default: 'http://127.0.0.1:8545' },
      deployment: { type: 'string', default: 'deployments/local.json' },
      url: { type: 'string', default: 'http://127.0.0.1:3000/api/weather' },
      requests: { type: 'string', default: '3' },
      'max-price': { type: 'string', default: '1000000000000000' },
      'max-deposit': { type: 'string', default: '10000000000000000' },
      'state-dir': { type: 'string' },
    },
  });
  const privateKey = process.env.MICRORAIDEN_PRIVATE_KEY;
  if (!privateKey) throw new Error('set MICRORAIDEN_PRIVATE_KEY');
  const client = new Client(
    { privateKey },
    {
      rpcUrl: values.rpc,
      deployment: await readDeploymentFile(values.deployment),
      stateDir: values['state-dir'],
    },
  );
  try {
    console.log(`sender ${client.address}`);
    await runM2mClient({
      client,
      url: values.url,
      requests: Number(values.requests),
      maxPricePerRequest: BigInt(values['max-price']),
      maxDeposit: BigInt(values['max-deposit']),
      log: (line) => console.log(line),
    });
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(
      error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error,
    );
    process.exit(1);
  });
}
