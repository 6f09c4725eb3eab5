import { spawnService, type ServiceProcess } from './service-process';

/** A chain-watcher running as its own OS process, as the gateway's chain guard sees it in production. */
export type WatcherProcess = ServiceProcess;

/** Spawns a chain-watcher with `env` (on a fresh port unless PORT is given) and waits until it is ready. */
export function spawnWatcher(env: Record<string, string>): Promise<WatcherProcess> {
  return spawnService('chain-watcher', env);
}
