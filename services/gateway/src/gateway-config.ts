import { hostname } from 'node:os';
import {
  booleanSchema,
  databaseUrlSchema,
  loadConfig,
  operatorTokenEnv,
  receiverServiceEnv,
  rpcUrlSchema,
  serviceEnv,
  type LoadConfigOptions,
} from '@microraiden/config';
import { TOPICS } from '@microraiden/events';
import { DATABASE_TIMEOUTS_ENV } from '@microraiden/persistence';
import { z } from 'zod';

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name');
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'expected an http(s):// URL without query');

/** The gateway's environment; with MICRORAIDEN_DEV=1 every default runs against the local stack. */
export const gatewayConfigSchema = z.object({
  ...serviceEnv({ port: 3000, kafkaGroup: 'microraiden-gateway' }),
  ...receiverServiceEnv,
  ...operatorTokenEnv,
  /**
   * Several databases, comma-separated, in shard order: channels are sharded by channel id across them (docs/scaling.md)
   * and DATABASE_URL is not read. Every replica must list the same databases in the same order. Unset: DATABASE_URL.
   */
  DATABASE_URLS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(databaseUrlSchema)
        .min(1)
        .refine((urls) => new Set(urls).size === urls.length, 'names one database twice'),
    )
    .optional(),
  /** Connections per database (per shard). */
  DB_POOL_SIZE: positiveInt(200).default(20),
  /** Lock and statement timeouts of every session: past them a paid request gets 503 GATEWAY_UNAVAILABLE. */
  ...DATABASE_TIMEOUTS_ENV,
  /** Acceptance transactions a replica runs at once, each a batch of up to 64 proofs. */
  ACCEPT_BATCHES_IN_FLIGHT: positiveInt(16).default(2),
  UPSTREAM_URL: httpUrl.default('http://127.0.0.1:8080'),
  UPSTREAM_TIMEOUT_MS: positiveInt(600_000).default(30_000),
  UPSTREAM_CONNECTIONS: positiveInt(4096).default(128),
  /** How long a streamed route's stream, paused for the client's authorisation, waits for a top-up (protocol.md 7.3). */
  STREAM_TOPUP_TIMEOUT_MS: positiveInt(600_000).default(30_000),
  ROUTES_FILE: z.string().min(1).default('services/gateway/routes.example.json'),
  GATEWAY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected 1-128 characters of A-Z a-z 0-9 . _ : -')
    .default(`${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 128)),
  GATEWAY_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9\-._~/]{0,255}$/, 'expected an absolute path')
    .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p))
    .default('/api/1'),
  CHANNELS_TOPIC: topicName.default(TOPICS.channels.name),
  BALANCE_PROOFS_TOPIC: topicName.default(TOPICS.balanceProofs.name),
  DEAD_LETTER_TOPIC: topicName.default(TOPICS.deadLetter.name),
  OUTBOX_TABLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/)
    .default('outbox'),
  /** How often each replica's outbox relay looks for accepted proofs to publish. */
  OUTBOX_POLL_MS: positiveInt(60_000).default(100),
  /**
   * The chain-watcher's base URL: while its /health/ready has failed for longer than CHAIN_WATCHER_GRACE_S, paid
   * routes answer 503 GATEWAY_UNAVAILABLE. Unset: payments are accepted even when nothing follows the chain.
   */
  CHAIN_WATCHER_URL: httpUrl.optional(),
  CHAIN_WATCHER_GRACE_S: positiveInt(3600).default(30),
  /**
   * A JSON-RPC endpoint of the deployment's chain. Read only when a proof names a channel the gateway does not know or
   * exceeds its known deposit, to answer CHANNEL_INSUFFICIENT_CONFIRMATIONS for a creation or top-up mined but not yet
   * confirmed (unset: such proofs get CHANNEL_NOT_FOUND / BALANCE_EXCEEDS_DEPOSIT).
   */
  RPC_URL: rpcUrlSchema
    .refine((url) => /^https?:\/\//.test(url), 'expected an http(s):// URL (the gateway reads over HTTP)')
    .optional(),
  /** Bound of one such chain read. */
  RPC_TIMEOUT_MS: positiveInt(60_000).default(2_000),
  CHAIN_WATCHER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  RETRY_AFTER_CONFIRMATIONS_S: positiveInt(3600).default(15),
  MAX_BODY_BYTES: positiveInt(1 << 30).default(1 << 20),
  TRUST_PROXY: booleanSchema.default(false),
  /**
   * Most payment log lines (one per paid, refused or 402 request) a replica writes per second; past it lines are
   * counted and the next one logged says how many were left out. 0: no payment log lines.
   */
  PAYMENT_LOG_SAMPLE_PER_SECOND: z.coerce.number().int().min(0).max(100_000).default(100),
});

/** The validated, frozen gateway configuration. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

/** The databases of the gateway's shards, in shard order: DATABASE_URLS, or DATABASE_URL alone (one shard). */
export function shardDatabaseUrls(config: Pick<GatewayConfig, 'DATABASE_URL' | 'DATABASE_URLS'>): string[] {
  return config.DATABASE_URLS ?? [config.DATABASE_URL];
}

/** Loads and validates the configuration once (env over CONFIG_FILE); throws ConfigError listing every bad key. */
export function loadGatewayConfig(
  env: NodeJS.ProcessEnv = process.env,
  options?: LoadConfigOptions,
): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env, options);
}

/** Injection token of the validated configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
