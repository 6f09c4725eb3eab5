import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceSpec } from './service-process';

/** The scrape targets of deploy/monitoring/prometheus.yml's jobs, as host:port. */
export interface ScrapeTargets {
  readonly gateway: readonly string[];
  readonly ledger: readonly string[];
  readonly 'chain-watcher': readonly string[];
  readonly prometheus: readonly string[];
}

/** Debian's `prometheus` on the PATH, or undefined (the stack then runs without it). */
export function findPrometheus(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prometheus for the stack: deploy/monitoring's config and alert rules, unchanged, copied into `runDir` beside
 * targets/<job>.json written for the stack's ports (compose mounts its own targets the same way); the time
 * series in `runDir`/data. Returns the spec the stack starts and stops like its services.
 */
export function prometheusSpec(options: {
  binary: string;
  monitoringDir: string;
  runDir: string;
  port: number;
  targets: ScrapeTargets;
}): ServiceSpec {
  const { runDir } = options;
  mkdirSync(runDir, { recursive: true });
  for (const file of ['prometheus.yml', 'alert-rules.yml'])
    cpSync(path.join(options.monitoringDir, file), path.join(runDir, file));
  const targetsDir = path.join(runDir, 'targets');
  rmSync(targetsDir, { recursive: true, force: true });
  mkdirSync(targetsDir);
  for (const [job, targets] of Object.entries(options.targets))
    writeFileSync(path.join(targetsDir, `${job}.json`), `${JSON.stringify([{ targets }], null, 2)}\n`);
  return {
    name: 'prometheus',
    entry: options.binary,
    command: [
      options.binary,
      `--config.file=${path.join(runDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(runDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--storage.tsdb.retention.time=7d',
    ],
    port: options.port,
    readyPath: '/-/ready',
    env: {},
  };
}
