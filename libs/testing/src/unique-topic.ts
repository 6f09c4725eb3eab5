import { randomBytes } from 'node:crypto';

/**
 * A Kafka topic name no other test (or concurrent run sharing the broker) uses: `<prefix>.<time>-<random>`.
 * Characters Kafka rejects in a topic name become `-`.
 */
export function uniqueTopic(prefix = 'test'): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 200);
  return `${safe}.${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
