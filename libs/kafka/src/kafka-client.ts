import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { fixKafkajsIdleLoop } from './request-queue-idle-fix';

fixKafkajsIdleLoop();

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
    logCreator: () => (entry: LogEntry) => {
      const line = kafkaLogLine(entry);
      options.log?.(line.level, line.message, line.extra);
    },
  });
}

/** One kafkajs log entry as a log line: its message (never empty) and its fields, minus kafkajs' own clock. */
export function kafkaLogLine(entry: LogEntry): {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  extra: Record<string, unknown>;
} {
  // kafkajs puts the line's facts (broker, groupId, error, retry counts) beside `message`; `timestamp` and
  // `logger` repeat what the service's own log line already says.
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log;
  const text = typeof message === 'string' && message.trim() !== '' ? message : `${entry.label} (no message)`;
  return {
    level: LEVELS[entry.level as keyof typeof LEVELS] ?? 'info',
    message: text,
    extra: { namespace: entry.namespace, ...fields },
  };
}
