import { parseArgs } from 'node:util';
import { z } from 'zod';
import { StackError } from './stack-error';

const port = z.coerce.number().int().min(1).max(65_535);

// Defaults are the README's ports; each can be moved (e.g. when another checkout's stack holds them).
const envSchema = z.object({
  FRONT_PORT: port.default(8080),
  UPSTREAM_PORT: port.default(8081),
  COMPLETION_PORT: port.default(8082),
  GATEWAY_PORTS: z
    .string()
    .default('3000,3003')
    .transform((value) => value.split(',').map((p) => Number(p.trim())))
    .pipe(z.array(z.number().int().min(1).max(65_535)).length(2, 'two gateway ports, comma-separated')),
  LEDGER_PORT: port.default(3001),
  CHAIN_WATCHER_PORT: port.default(3002),
  KAFKA_PORT: port.default(9092),
  ANVIL_PORT: port.default(8545),
  PROMETHEUS_PORT: port.default(9090),
  PGHOST: z.string().default('127.0.0.1'),
  PGPORT: port.default(5432),
  /** Seconds each service may take to answer /health/ready (swc compiles on first start). */
  STACK_READY_TIMEOUT_S: z.coerce.number().int().positive().default(120),
});

/** What `npm run stack [-- --check] [--keep-infra]` runs with. */
export interface StackOptions {
  /** Start, run the paid-request check, stop; exit 0 or 1. */
  readonly check: boolean;
  /** Leave Kafka and anvil running on exit. */
  readonly keepInfra: boolean;
  /** A service that dies stops the whole stack (exit 1) instead of being restarted. */
  readonly exitOnFailure: boolean;
  readonly ports: {
    readonly front: number;
    readonly upstream: number;
    /** The streamed completion demo (embedded paywall, not behind the front). */
    readonly completion: number;
    readonly gateways: readonly [number, number];
    readonly ledger: number;
    readonly chainWatcher: number;
    readonly kafka: number;
    readonly anvil: number;
    readonly prometheus: number;
  };
  readonly databaseUrl: string;
  readonly readyTimeoutMs: number;
}

export const STACK_USAGE = `usage: npm run stack [-- --check] [--keep-infra] [--exit-on-failure]
  --check            start the stack, pay for two requests through the front, check the ledger, stop (exit 0/1)
  --keep-infra       on exit stop only the services, leave Kafka and anvil running
  --exit-on-failure  a service that dies stops the whole stack (exit 1); by default it is reported with the
                     tail of its log and restarted after 1 s, doubling to 30 s while it keeps dying
front: HAProxy (apt-get install haproxy) with readiness checks over the two gateway replicas; without it (or
  with FRONT=round-robin) the old round-robin front, which has no health checks
ports (env): FRONT_PORT 8080, UPSTREAM_PORT 8081, COMPLETION_PORT 8082, GATEWAY_PORTS 3000,3003, LEDGER_PORT 3001,
  CHAIN_WATCHER_PORT 3002, KAFKA_PORT 9092, ANVIL_PORT 8545, PROMETHEUS_PORT 9090; STACK_READY_TIMEOUT_S 120
SIGINT or SIGTERM (Ctrl-C, kill) stops every service, then the infrastructure unless --keep-infra`;

/** Parses the command line and the port environment once, at start. */
export function parseStackOptions(argv: string[], env: NodeJS.ProcessEnv): StackOptions {
  let values: { check?: boolean; 'keep-infra'?: boolean; 'exit-on-failure'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean', default: false },
        'keep-infra': { type: 'boolean', default: false },
        'exit-on-failure': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (cause) {
    throw new StackError('STACK_USAGE', `${(cause as Error).message}\n${STACK_USAGE}`);
  }
  if (values.help) throw new StackError('STACK_USAGE', STACK_USAGE);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success)
    throw new StackError('STACK_USAGE', `${z.prettifyError(parsed.error)}\n${STACK_USAGE}`);
  const e = parsed.data;
  return {
    check: values.check === true,
    keepInfra: values['keep-infra'] === true,
    exitOnFailure: values['exit-on-failure'] === true,
    ports: {
      front: e.FRONT_PORT,
      upstream: e.UPSTREAM_PORT,
      completion: e.COMPLETION_PORT,
      gateways: [e.GATEWAY_PORTS[0]!, e.GATEWAY_PORTS[1]!],
      ledger: e.LEDGER_PORT,
      chainWatcher: e.CHAIN_WATCHER_PORT,
      kafka: e.KAFKA_PORT,
      anvil: e.ANVIL_PORT,
      prometheus: e.PROMETHEUS_PORT,
    },
    databaseUrl: `postgres://postgres@${e.PGHOST}:${e.PGPORT}/microraiden`,
    readyTimeoutMs: e.STACK_READY_TIMEOUT_S * 1000,
  };
}
