import { Kafka, logLevel, type Admin, type RetryOptions } from 'kafkajs';
import { InfrastructureError } from './infrastructure-error';

/** `host:port` entries of a comma-separated broker list, as in KAFKA_BROKERS. */
export function splitBrokers(brokers: string): string[] {
  return brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/** The integration run's brokers: KAFKA_BROKERS, which the global setup sets for every test worker. */
export function kafkaBrokersFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const brokers = env.KAFKA_BROKERS;
  if (!brokers) {
    throw new InfrastructureError(
      'INFRA_MISCONFIGURED',
      'KAFKA_BROKERS is not set: run integration tests with `vitest --project integration` (its global setup provides Kafka)',
    );
  }
  return brokers;
}

/**
 * A kafkajs client on the test brokers. kafkajs logs retried coordinator hiccups as errors, which buries real
 * failures in noise; tests see real failures as rejected promises instead, so logging is off by default.
 */
export function kafkaTestClient(
  options: { brokers?: string; clientId?: string; logLevel?: logLevel; retry?: RetryOptions } = {},
): Kafka {
  return new Kafka({
    clientId: options.clientId ?? 'microraiden-test',
    brokers: splitBrokers(options.brokers ?? kafkaBrokersFromEnv()),
    connectionTimeout: 3_000,
    logLevel: options.logLevel ?? logLevel.NOTHING,
    ...(options.retry ? { retry: options.retry } : {}),
  });
}

/** A connected kafkajs admin client on the test brokers (default KAFKA_BROKERS); disconnect it when done. */
export async function kafkaAdmin(brokers?: string): Promise<Admin> {
  const admin = kafkaTestClient(brokers === undefined ? {} : { brokers }).admin();
  await admin.connect();
  return admin;
}
