import { rpcAnswers, startAnvil } from './anvil';
import { startAnvilContainer } from './anvil-container';
import { containerRuntimeAvailable } from './container-runtime';
import { InfrastructureError } from './infrastructure-error';
import { parseInfrastructureEnv } from './infrastructure-env';
import { startKafkaContainer } from './kafka-container';
import { checkKafka } from './kafka-probe';
import { startLocalKafka } from './local-kafka';
import { ensureLocalPostgres } from './local-postgres';
import { startPostgresContainer } from './postgres-container';
import { checkPostgres } from './postgres-probe';
import { redactUrl } from './redact-url';
import { assertTestDatabase } from './test-database-guard';

/** Where the integration tests find their real services (the values of the same-named env vars). */
export interface Infrastructure {
  /** KAFKA_BROKERS: comma-separated host:port list. */
  kafkaBrokers: string;
  /** DATABASE_URL: the run's shared database; its name always contains "test". */
  databaseUrl: string;
  /** RPC_URL: anvil's JSON-RPC endpoint. */
  rpcUrl: string;
}

/** How a service was obtained: reused from the environment, started as a container, or as a local process. */
export type ServiceSource = 'env' | 'container' | 'local';

export interface ProvidedService {
  value: string;
  source: ServiceSource;
  startMs: number;
  stop?: () => Promise<void>;
}

export interface StartedInfrastructure {
  infra: Infrastructure;
  services: Record<keyof Infrastructure, ProvidedService>;
  /** Stop everything this call started (nothing that was reused). */
  stop(): Promise<void>;
}

async function timed(
  source: ServiceSource,
  start: () => Promise<{ value: string; stop?: () => Promise<void> }>,
): Promise<ProvidedService> {
  const began = Date.now();
  const { value, stop } = await start();
  return { value, source, startMs: Date.now() - began, ...(stop ? { stop } : {}) };
}

/**
 * Resolve the real services for integration tests. For each of Kafka, Postgres and the chain: reuse what
 * KAFKA_BROKERS / DATABASE_URL / RPC_URL point at (failing clearly if it does not answer); otherwise start a
 * container when a Docker engine answers; otherwise start a local process (deploy/local/kafka.sh, the
 * system PostgreSQL, anvil from npm). TEST_INFRA=local|containers skips the engine probe.
 */
export async function ensureInfrastructure(
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedInfrastructure> {
  const config = parseInfrastructureEnv(env);
  const mustStart = !config.KAFKA_BROKERS || !config.DATABASE_URL || !config.RPC_URL;
  let mode: 'container' | 'local' = 'local';
  if (mustStart && config.TEST_INFRA !== 'local') {
    if (await containerRuntimeAvailable()) mode = 'container';
    else if (config.TEST_INFRA === 'containers') {
      throw new InfrastructureError(
        'INFRA_MISCONFIGURED',
        'TEST_INFRA=containers but no Docker engine answers',
      );
    }
  }

  const kafka = (brokers = config.KAFKA_BROKERS) =>
    brokers
      ? timed('env', async () => (await checkKafka(brokers, `KAFKA_BROKERS=${brokers}`), { value: brokers }))
      : timed(mode, async () => {
          const started = mode === 'container' ? await startKafkaContainer() : await startLocalKafka();
          return { value: started.brokers, stop: started.stop };
        });

  const postgres = (url = config.DATABASE_URL) =>
    url
      ? timed('env', async () => {
          assertTestDatabase(url);
          await checkPostgres(url, `DATABASE_URL=${redactUrl(url)}`);
          return { value: url };
        })
      : timed(mode, async () => {
          if (mode === 'container') {
            const started = await startPostgresContainer();
            return { value: started.databaseUrl, stop: started.stop };
          }
          const databaseUrl = await ensureLocalPostgres();
          await checkPostgres(databaseUrl);
          return { value: databaseUrl };
        });

  const chain = (url = config.RPC_URL) =>
    url
      ? timed('env', async () => {
          if (!(await rpcAnswers(url))) {
            throw new InfrastructureError('INFRA_UNREACHABLE', `RPC_URL=${url} does not answer eth_chainId`, {
              url,
            });
          }
          return { value: url };
        })
      : timed(mode, async () => {
          const started = mode === 'container' ? await startAnvilContainer() : await startAnvil();
          return { value: started.rpcUrl, stop: started.stop };
        });

  const results = await Promise.allSettled([kafka(), postgres(), chain()]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' && r.value.stop ? [r.value.stop] : []));
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s()));
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    await stop();
    if (failures.length === 1) throw failures[0];
    throw new InfrastructureError(
      'INFRA_START_FAILED',
      failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n'),
      { failures: failures.length },
    );
  }
  const [k, p, c] = results.map((r) => (r as PromiseFulfilledResult<ProvidedService>).value) as [
    ProvidedService,
    ProvidedService,
    ProvidedService,
  ];
  return {
    infra: { kafkaBrokers: k.value, databaseUrl: p.value, rpcUrl: c.value },
    services: { kafkaBrokers: k, databaseUrl: p, rpcUrl: c },
    stop,
  };
}

/** One line per service saying where it came from, for the test run's log (passwords redacted). */
export function describeInfrastructure(services: StartedInfrastructure['services']): string {
  const line = (name: string, s: ProvidedService, shown = s.value) =>
    `  ${name.padEnd(14)} ${shown}  (${s.source}${s.source === 'env' ? '' : `, ${(s.startMs / 1000).toFixed(1)} s`})`;
  return [
    'integration infrastructure:',
    line('KAFKA_BROKERS', services.kafkaBrokers),
    line('DATABASE_URL', services.databaseUrl, redactUrl(services.databaseUrl.value)),
    line('RPC_URL', services.rpcUrl),
  ].join('\n');
}
