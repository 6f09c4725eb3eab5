import {
  databaseUrlSchema,
  kafkaBrokersSchema,
  loadConfig,
  logLevelSchema,
  portSchema,
  rpcUrlSchema,
} from '@microraiden/config';
import { z } from 'zod';

export const chainWatcherConfigSchema = z.object({
  PORT: portSchema.default(3002),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevelSchema.default('info'),
  DATABASE_URL: databaseUrlSchema.default('postgres://postgres@127.0.0.1:5432/microraiden'),
  KAFKA_BROKERS: kafkaBrokersSchema.default(['127.0.0.1:9092']),
  RPC_URL: rpcUrlSchema.default('http://127.0.0.1:8545'),
});

export type ChainWatcherConfig = z.output<typeof chainWatcherConfigSchema>;
export const CHAIN_WATCHER_CONFIG = Symbol('CHAIN_WATCHER_CONFIG');

/** Load and validate the chain-watcher's configuration once, at start-up. */
export const loadChainWatcherConfig = (env: NodeJS.ProcessEnv = process.env): ChainWatcherConfig =>
  loadConfig(chainWatcherConfigSchema, env);
