import { z } from 'zod';
import {
  booleanSchema,
  confirmationsSchema,
  databaseUrlSchema,
  kafkaBrokersSchema,
  logLevelSchema,
  portSchema,
} from './config-schemas';

/*
 * Settings more than one service reads, declared once: each service's schema spreads the fragments it needs, so a
 * setting has one name, one parser and one default everywhere. README.md ("Configuration") lists them.
 */

/**
 * MICRORAIDEN_DEV=1: development mode. Only then may a service use a raw RECEIVER_PRIVATE_KEY or one of anvil's
 * public keys, and fall back to anvil's account 2 when no receiver key is configured. `npm run stack` sets it.
 */
export const devModeEnv = {
  MICRORAIDEN_DEV: booleanSchema.default(false),
};

export const databaseEnv = {
  DATABASE_URL: databaseUrlSchema.default('postgres://postgres@127.0.0.1:5432/microraiden'),
};

/** The Kafka cluster, this service's consumer group (one per service; replicas share it) and topic partitions. */
export const kafkaEnv = (defaultGroup: string) => ({
  KAFKA_BROKERS: kafkaBrokersSchema.default(['127.0.0.1:9092']),
  KAFKA_GROUP_ID: z.string().min(1).max(200).default(defaultGroup),
  /** Partitions of the event topics when this service has to create them (existing topics are never altered). */
  TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(12),
});

/** The contracts this deployment uses and the confirmation depth every service counts alike. */
export const chainEnv = {
  /** The deployment file written by `npm run contracts:deploy`. */
  DEPLOYMENT_FILE: z.string().min(1).default('deployments/local.json'),
  /** Set the gateways and the chain-watcher to the same value (docs/protocol.md section 6). */
  CONFIRMATIONS: confirmationsSchema.default(2),
};

/**
 * The receiver's key: RECEIVER_KEYSTORE_FILE (an encrypted JSON keystore, mode 0600) opened with
 * RECEIVER_KEYSTORE_PASSWORD or the 0600 file RECEIVER_KEYSTORE_PASSWORD_FILE names; or, in development mode
 * only, RECEIVER_PRIVATE_KEY (0x + 64 hex). Loaded by loadReceiverKey; never logged.
 */
export const receiverKeyEnv = {
  RECEIVER_KEYSTORE_FILE: z.string().min(1).optional(),
  RECEIVER_KEYSTORE_PASSWORD: z.string().optional(),
  RECEIVER_PRIVATE_KEY: z.string().optional(),
};

/**
 * The bearer token of the management API (also from the 0600 file OPERATOR_TOKEN_FILE names). Unset, the
 * management API answers 503 OPERATOR_TOKEN_UNSET: it is never open (see operatorAccess).
 */
export const operatorTokenEnv = {
  OPERATOR_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
};

/** What every service has: where it listens, how much it logs, its database and its Kafka consumer group. */
export const serviceEnv = (defaults: { readonly port: number; readonly kafkaGroup: string }) => ({
  PORT: portSchema.default(defaults.port),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevelSchema.default('info'),
  ...databaseEnv,
  ...kafkaEnv(defaults.kafkaGroup),
});

/** What the services holding the receiver key share: the gateway (signs closes) and the chain-watcher (disputes). */
export const receiverServiceEnv = {
  ...devModeEnv,
  ...chainEnv,
  ...receiverKeyEnv,
};
