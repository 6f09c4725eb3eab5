import type { RunningAnvil } from './anvil';
import { rpcAnswers } from './anvil';
import { CONTAINER_IMAGES } from './container-images';
import { waitFor } from './wait-for';

const RPC_PORT = 8545;

/** Start anvil from the Foundry image (its entrypoint is `sh -c`, so anvil is named explicitly). */
export async function startAnvilContainer(): Promise<RunningAnvil> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CONTAINER_IMAGES.anvil)
    .withEntrypoint(['anvil'])
    .withCommand(['--host', '0.0.0.0', '--port', String(RPC_PORT)])
    .withExposedPorts(RPC_PORT)
    .withWaitStrategy(Wait.forLogMessage(/Listening on/))
    .start();
  const rpcUrl = `http://${container.getHost()}:${container.getMappedPort(RPC_PORT)}`;
  await waitFor(`anvil container at ${rpcUrl}`, () => rpcAnswers(rpcUrl), { timeoutMs: 30_000 });
  return { rpcUrl, stop: async () => void (await container.stop()) };
}
