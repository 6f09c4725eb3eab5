import { checksummedAddress, toChecksumAddress } from '@microraiden/protocol';
import { z } from 'zod';

/** A TCP port; `0` lets the OS choose (tests). */
export const portSchema = z.coerce.number().int().min(0).max(65_535);

/** Comma-separated `host:port` list of Kafka brokers. */
export const kafkaBrokersSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port')).min(1));

/** A postgres:// connection URL. */
export const databaseUrlSchema = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

/** An http(s) or ws(s) JSON-RPC endpoint. */
export const rpcUrlSchema = z.string().regex(/^(https?|wss?):\/\//, 'expected an http(s):// or ws(s):// URL');

/**
 * CONFIRMATIONS: blocks a log must be buried under before it counts. A log in block `b` has `head - b`
 * confirmations (`head` = the latest block number), so with 0 a log counts as soon as it is mined. The chain-watcher
 * publishes a change once it has this many; the gateway counts the same way (docs/protocol.md section 6).
 */
export const confirmationsSchema = z.coerce.number().int().min(0).max(10_000);

/** pino log levels. */
export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** An Ethereum address in any case, normalised to its checksum form. */
export const addressSchema = z
  .string()
  .refine((value) => toChecksumAddress(value) !== undefined, 'expected a 0x-prefixed 20-byte address')
  .transform((value): string => checksummedAddress(value));

/** A non-negative integer amount of token base units, written in base 10; parsed to bigint. */
export const amountSchema = z
  .union([z.string().regex(/^\d{1,78}$/, 'expected a base-10 integer'), z.number().int().nonnegative()])
  .transform((value) => BigInt(value));

/** Boolean from env strings: true/false/1/0/yes/no. */
export const booleanSchema = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');
