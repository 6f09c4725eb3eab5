// A second process signing on a channel, for the signing race test. Prints "<balance> <signature>" per
// transfer. Environment: RPC_URL, DEPLOYMENT (JSON), STATE_DIR, CHANNEL_ID, COUNT, MICRORAIDEN_PRIVATE_KEY,
// GO_FILE, PAUSE_MS: the worker prints "ready" once loaded, then starts signing when that file appears, so
// every racer starts at the same moment whatever its start-up time. Between transfers it pauses up to
// PAUSE_MS, as a real client does while its paid request is in flight; without that, the lock's holder
// re-takes it before a backed-off waiter retries and the racers run one after another, not interleaved.
import { existsSync } from 'node:fs';
import { parseDeployment } from '@microraiden/contracts';
import { Client } from '../../src';

async function main(): Promise<void> {
  const env = process.env;
  const client = new Client(
    { privateKey: env.MICRORAIDEN_PRIVATE_KEY ?? '' },
    {
      rpcUrl: env.RPC_URL,
      deployment: parseDeployment(JSON.parse(env.DEPLOYMENT ?? '{}')),
      stateDir: env.STATE_DIR,
    },
  );
  try {
    const channel = await client.channel(env.CHANNEL_ID ?? '');
    process.stdout.write('ready\n');
    while (!existsSync(env.GO_FILE ?? '')) await new Promise((resolve) => setTimeout(resolve, 2));
    for (let i = 0; i < Number(env.COUNT); i++) {
      const proof = await channel.createTransfer(1n);
      process.stdout.write(`${proof.balance} ${proof.signature}\n`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Number(env.PAUSE_MS ?? 0)));
    }
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
