import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { addressSchema, amountSchema, kafkaBrokersSchema, portSchema } from './config-schemas';
import { loadConfig } from './load-config';

const schema = z.object({
  PORT: portSchema.default(3000),
  KAFKA_BROKERS: kafkaBrokersSchema.default(['127.0.0.1:9092']),
  RECEIVER: addressSchema.optional(),
  PRICE: amountSchema.default(1n),
});

describe('loadConfig', () => {
  it('applies defaults that run locally', () => {
    const config = loadConfig(schema, {});
    expect(config).toEqual({ PORT: 3000, KAFKA_BROKERS: ['127.0.0.1:9092'], PRICE: 1n });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('parses env values into typed values', () => {
    const config = loadConfig(schema, {
      PORT: '8080',
      KAFKA_BROKERS: 'a:1, b:2',
      RECEIVER: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
      PRICE: '1000000000000000000000',
    });
    expect(config.PORT).toBe(8080);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.RECEIVER).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(config.PRICE).toBe(10n ** 21n);
  });

  it('lets env override the config file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, PRICE: '7' }));
    expect(loadConfig(schema, { CONFIG_FILE: file, PORT: '5000' })).toMatchObject({ PORT: 5000, PRICE: 7n });
  });

  it('lists every bad key at once', () => {
    try {
      loadConfig(schema, { PORT: 'http', KAFKA_BROKERS: 'nope', RECEIVER: '0x12', PRICE: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues.map((i) => i.split(':')[0]);
      expect(issues.sort()).toEqual(['KAFKA_BROKERS.0', 'PORT', 'PRICE', 'RECEIVER']);
    }
  });

  it('rejects an unreadable or non-object config file', () => {
    expect(() => loadConfig(schema, { CONFIG_FILE: '/nonexistent/config.json' })).toThrow(ConfigError);
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, '[1,2]');
    expect(() => loadConfig(schema, { CONFIG_FILE: file })).toThrow(/not a JSON object/);
  });

  describe('deprecated names', () => {
    const grouped = z.object({
      KAFKA_GROUP_ID: z.string().default('g'),
      RECEIVER_KEYSTORE_FILE: z.string().optional(),
    });

    it('reads an old name into its new one and warns once, naming the new name', () => {
      const warnings: string[] = [];
      const config = loadConfig(
        grouped,
        { CONSUMER_GROUP: 'old', RECEIVER_KEYSTORE: '/k' },
        { warn: (m) => warnings.push(m) },
      );
      expect(config).toEqual({ KAFKA_GROUP_ID: 'old', RECEIVER_KEYSTORE_FILE: '/k' });
      expect(warnings).toEqual([
        expect.stringMatching(/^RECEIVER_KEYSTORE is deprecated: set RECEIVER_KEYSTORE_FILE instead/),
        expect.stringMatching(/^CONSUMER_GROUP is deprecated: set KAFKA_GROUP_ID instead/),
      ]);
    });

    it('lets the new name win, and says the old one is ignored', () => {
      const warnings: string[] = [];
      const config = loadConfig(
        grouped,
        { CONSUMER_GROUP: 'old', KAFKA_GROUP_ID: 'new' },
        { warn: (m) => warnings.push(m) },
      );
      expect(config.KAFKA_GROUP_ID).toBe('new');
      expect(warnings).toEqual([expect.stringMatching(/CONSUMER_GROUP is deprecated and ignored/)]);
    });

    it('says nothing when only new names are used, or the schema has no such setting', () => {
      const warnings: string[] = [];
      loadConfig(grouped, { KAFKA_GROUP_ID: 'new' }, { warn: (m) => warnings.push(m) });
      loadConfig(schema, { CONSUMER_GROUP: 'x' }, { warn: (m) => warnings.push(m) });
      expect(warnings).toEqual([]);
    });
  });

  describe('secrets from <NAME>_FILE', () => {
    const secrets = z.object({ OPERATOR_TOKEN: z.string().min(16).optional() });
    const secretFile = (content: string, mode: number) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-')), 'secret');
      writeFileSync(file, content);
      chmodSync(file, mode);
      return file;
    };

    it('reads a 0600 file, without its trailing newline', () => {
      const file = secretFile('0123456789abcdef0123\n', 0o600);
      expect(loadConfig(secrets, { OPERATOR_TOKEN_FILE: file }).OPERATOR_TOKEN).toBe('0123456789abcdef0123');
    });

    it('refuses a file others can read, a missing one, and both forms at once; never shows the secret', () => {
      const file = secretFile('0123456789abcdef0123', 0o644);
      expect(() => loadConfig(secrets, { OPERATOR_TOKEN_FILE: file })).toThrow(
        /OPERATOR_TOKEN_FILE: .*chmod 600/,
      );
      expect(() => loadConfig(secrets, { OPERATOR_TOKEN_FILE: '/nonexistent' })).toThrow(/cannot be read/);
      const ok = secretFile('0123456789abcdef0123', 0o600);
      expect(() => loadConfig(secrets, { OPERATOR_TOKEN_FILE: ok, OPERATOR_TOKEN: 'x'.repeat(16) })).toThrow(
        /not both/,
      );
      try {
        loadConfig(secrets, { OPERATOR_TOKEN_FILE: secretFile('short', 0o600) });
        expect.unreachable();
      } catch (err) {
        expect((err as ConfigError).issues).toEqual([expect.stringMatching(/^OPERATOR_TOKEN: /)]);
        expect((err as Error).message).not.toContain('short');
      }
    });
  });
});
