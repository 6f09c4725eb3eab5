import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Receives kafkajs' own log lines; defaults to dropping them below `warn`. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

const LEVELS = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
} as const;

/**
 * Create a kafkajs client. kafkajs is in maintenance mode: every other module goes through this lib so a
 * librdkafka-based client can replace it in one place.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const name = LEVELS[level as keyof typeof LEVELS] ?? 'info';
        options.log?.(name, message, extra);
      },
  });
}
