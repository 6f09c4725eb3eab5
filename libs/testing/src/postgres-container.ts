import { CONTAINER_IMAGES } from './container-images';

export interface RunningPostgres {
  /** postgres:// URL of the `microraiden_test` database. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Start PostgreSQL in a container with an empty `microraiden_test` database. */
export async function startPostgresContainer(): Promise<RunningPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(CONTAINER_IMAGES.postgres)
    .withDatabase('microraiden_test')
    .withUsername('postgres')
    .withPassword('postgres')
    .start();
  return { databaseUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}
