/** Images the integration tests (and docker-compose.yml) run; versions match the local processes. */
export const CONTAINER_IMAGES = {
  /** Same Kafka version as deploy/local/kafka/pom.xml. */
  kafka: 'apache/kafka:4.1.1',
  postgres: 'postgres:16',
  /** Same anvil version as the npm package @foundry-rs/anvil. */
  anvil: 'ghcr.io/foundry-rs/foundry:v1.7.1',
} as const;
