import { spawnService, type ServiceProcess } from './service-process';

/** A gateway replica running as its own OS process. */
export type GatewayProcess = ServiceProcess;

/** Spawns a replica with `env` (on a fresh port unless PORT is given) and waits until it answers and follows Kafka. */
export function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  return spawnService('gateway', env, { TOPIC_PARTITIONS: '3' });
}
