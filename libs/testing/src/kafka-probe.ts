import { InfrastructureError } from './infrastructure-error';
import { kafkaTestClient } from './kafka-client';

/**
 * Resolve once `brokers` serve a metadata request with a known controller, or throw INFRA_UNREACHABLE.
 * An open port is not enough: a starting KRaft broker accepts connections before it serves metadata.
 */
export async function checkKafka(brokers: string, what = `Kafka at ${brokers}`): Promise<void> {
  // Few retries: callers that wait for a starting broker poll this themselves.
  const admin = kafkaTestClient({
    brokers,
    clientId: 'microraiden-test-probe',
    retry: { retries: 1, initialRetryTime: 200 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null)
      throw new Error('no broker or controller yet');
    await admin.listTopics();
  } catch (err) {
    throw new InfrastructureError(
      'INFRA_UNREACHABLE',
      `${what} does not answer a metadata request: ${(err as Error).message}`,
      { brokers },
      err,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** True when `brokers` answer a metadata request (see checkKafka). */
export async function kafkaAnswers(brokers: string): Promise<boolean> {
  return checkKafka(brokers).then(
    () => true,
    () => false,
  );
}
