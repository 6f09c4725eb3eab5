import {
  databaseUrlSchema,
  kafkaBrokersSchema,
  loadConfig,
  logLevelSchema,
  portSchema,
} from '@microraiden/config';
import { z } from 'zod';

export const gatewayConfigSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevelSchema.default('info'),
  DATABASE_URL: databaseUrlSchema.default('postgres://postgres@127.0.0.1:5432/microraiden'),
  KAFKA_BROKERS: kafkaBrokersSchema.default(['127.0.0.1:9092']),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** Load and validate the gateway's configuration once, at start-up. */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  loadConfig(gatewayConfigSchema, env);
