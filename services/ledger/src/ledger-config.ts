import {
  booleanSchema,
  loadConfig,
  operatorTokenEnv,
  serviceEnv,
  type LoadConfigOptions,
} from '@microraiden/config';
import { TOPICS } from '@microraiden/events';
import { DATABASE_TIMEOUTS_ENV } from '@microraiden/persistence';
import { z } from 'zod';

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name');

export const ledgerConfigSchema = z.object({
  ...serviceEnv({ port: 3001, kafkaGroup: 'ledger' }),
  /** The query API's and the operator page's token: unset, they answer 503 OPERATOR_TOKEN_UNSET. */
  ...operatorTokenEnv,
  ...DATABASE_TIMEOUTS_ENV,
  /** Ready only while no owned partition lags by more than this many messages. */
  READY_MAX_LAG: z.coerce.number().int().nonnegative().default(1000),
  BALANCE_PROOFS_TOPIC: topicName.default(TOPICS.balanceProofs.name),
  CHANNELS_TOPIC: topicName.default(TOPICS.channels.name),
  DEAD_LETTER_TOPIC: topicName.default(TOPICS.deadLetter.name),
  /** Create missing topics at start-up (with TOPIC_PARTITIONS partitions). */
  ENSURE_TOPICS: booleanSchema.default(true),
  MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * Partitions applied at once, each batch in its own transaction (the pool has 10 connections, shared with the
   * query API). 1 applies one partition after another.
   */
  PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(8).default(1),
  /** How the operator page names and scales amounts (the ledger never reads the token contract). */
  TOKEN_SYMBOL: z.string().min(1).max(20).default('MTK'),
  TOKEN_DECIMALS: z.coerce.number().int().min(0).max(77).default(18),
  /**
   * The chain-watcher's base URL: the operator page shows its /health/ready (probed by the ledger, the URL never
   * shown). Unset: the page says the watcher's state is unknown.
   */
  CHAIN_WATCHER_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'expected an http(s):// URL without query')
    .optional(),
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

/** Load and validate the ledger's configuration once, at start-up. */
export const loadLedgerConfig = (
  env: NodeJS.ProcessEnv = process.env,
  options?: LoadConfigOptions,
): LedgerConfig => loadConfig(ledgerConfigSchema, env, options);

/** The topics named by the configuration. */
export const ledgerTopicsOf = (config: LedgerConfig) => ({
  balanceProofs: config.BALANCE_PROOFS_TOPIC,
  channels: config.CHANNELS_TOPIC,
  deadLetter: config.DEAD_LETTER_TOPIC,
});
