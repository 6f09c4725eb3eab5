import { writeFileSync } from 'node:fs';
import { findHaproxy, haproxyConfig } from './haproxy-config';
import type { ServiceSpec } from './service-process';

/** The front the stack runs, and what it should tell a person about it. */
export interface FrontChoice {
  readonly kind: 'haproxy' | 'round-robin';
  readonly spec: ServiceSpec;
  /** Set when the stack fell back to the old front: printed as a warning. */
  readonly warning?: string;
}

/**
 * HAProxy (Debian's package) with readiness checks over the gateway replicas, its configuration written to
 * `configFile` from the stack's ports; without haproxy the old round-robin front, which has no health checks
 * (with a replica down every other request is a 502), and a warning that says what to install.
 * `FRONT=round-robin` chooses the old front on purpose (the front bench compares both).
 */
export function frontSpec(options: {
  port: number;
  gatewayPorts: readonly number[];
  configFile: string;
  env?: NodeJS.ProcessEnv;
}): FrontChoice {
  const env = options.env ?? process.env;
  const binary = env.FRONT === 'round-robin' ? undefined : findHaproxy(env);
  if (binary === undefined) {
    const targets = options.gatewayPorts.map((p) => `http://127.0.0.1:${p}`).join(',');
    return {
      kind: 'round-robin',
      spec: {
        name: 'front',
        entry: 'deploy/stack/round-robin.ts',
        port: options.port,
        readyPath: '/health/live',
        env: { PORT: String(options.port), TARGETS: targets },
      },
      ...(env.FRONT === 'round-robin'
        ? {}
        : {
            warning:
              'haproxy is not installed (apt-get install haproxy): falling back to the round-robin front, which ' +
              'has no health checks: with one gateway replica down, every other request is a 502',
          }),
    };
  }
  writeFileSync(
    options.configFile,
    haproxyConfig({
      bind: `127.0.0.1:${options.port}`,
      servers: options.gatewayPorts.map((port, i) => ({
        name: `gateway-${i + 1}`,
        address: `127.0.0.1:${port}`,
      })),
    }),
  );
  return {
    kind: 'haproxy',
    spec: {
      name: 'front',
      entry: binary,
      // -db: foreground, no daemon, so the stack's process group and log file hold it like any service.
      command: [binary, '-db', '-f', options.configFile],
      port: options.port,
      // Ready once a replica passed its readiness check (the front answers that itself).
      readyPath: '/health/ready',
      env: {},
    },
  };
}
