import {
  databaseUrlSchema,
  kafkaBrokersSchema,
  loadConfig,
  logLevelSchema,
  portSchema,
} from '@microraiden/config';
import { z } from 'zod';

export const ledgerConfigSchema = z.object({
  PORT: portSchema.default(3001),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevelSchema.default('info'),
  DATABASE_URL: databaseUrlSchema.default('postgres://postgres@127.0.0.1:5432/microraiden'),
  KAFKA_BROKERS: kafkaBrokersSchema.default(['127.0.0.1:9092']),
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

/** Load and validate the ledger's configuration once, at start-up. */
export const loadLedgerConfig = (env: NodeJS.ProcessEnv = process.env): LedgerConfig =>
  loadConfig(ledgerConfigSchema, env);
