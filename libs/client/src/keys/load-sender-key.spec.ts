import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { encryptKeystoreJsonSync } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isClientError } from '../client-error';
import { SENDER, SENDER_KEY, aTempDir } from '../test/builders';
import { loadSenderKey } from './load-sender-key';

const PASSWORD = 'correct horse battery staple';

describe('loadSenderKey', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let keystoreJson: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await aTempDir());
    // Cheap scrypt parameters: the test is about file handling, not key stretching.
    keystoreJson = encryptKeystoreJsonSync({ address: SENDER, privateKey: SENDER_KEY }, PASSWORD, {
      scrypt: { N: 1 << 10 },
    });
  });
  afterAll(() => cleanup());

  async function secretFile(name: string, content: string, mode = 0o600): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, content);
    await chmod(file, mode);
    return file;
  }

  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return isClientError(error) ? error.code : `untyped: ${String(error)}`;
    }
  };

  it('takes a hex private key with or without 0x', () => {
    expect(loadSenderKey({ privateKey: SENDER_KEY }).address).toBe(SENDER);
    expect(loadSenderKey({ privateKey: SENDER_KEY.slice(2) }).address).toBe(SENDER);
  });

  it('refuses a malformed or out-of-range private key without echoing it', () => {
    for (const bad of ['0x1234', `0x${'0'.repeat(64)}`, `0x${'f'.repeat(64)}`, `${SENDER_KEY}00`]) {
      try {
        loadSenderKey({ privateKey: bad });
        expect.unreachable();
      } catch (error) {
        expect(isClientError(error, 'KEY_INVALID')).toBe(true);
        expect(JSON.stringify(error) + String(error)).not.toContain(bad.slice(2, 20));
      }
    }
  });

  it('decrypts a JSON keystore with a password or the first line of a password file', async () => {
    const keystorePath = await secretFile('keystore.json', keystoreJson);
    const passwordFile = await secretFile('password', `${PASSWORD}\nignored second line\n`);
    expect(loadSenderKey({ keystorePath, password: PASSWORD }).address).toBe(SENDER);
    expect(loadSenderKey({ keystorePath, passwordFile }).address).toBe(SENDER);
  });

  it('reads a key file holding a hex key', async () => {
    const keystorePath = await secretFile('hex.key', `${SENDER_KEY}\n`);
    expect(loadSenderKey({ keystorePath }).address).toBe(SENDER);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o700 | 0o004])(
    'refuses a keystore with mode %o (group or other bits) as KEYSTORE_INSECURE',
    async (mode) => {
      const keystorePath = await secretFile(`open-${mode}.json`, keystoreJson, mode);
      const error = (() => {
        try {
          loadSenderKey({ keystorePath, password: PASSWORD });
        } catch (e) {
          return e;
        }
      })();
      expect(isClientError(error, 'KEYSTORE_INSECURE')).toBe(true);
      expect((error as Error).message).toContain(`chmod 600 ${keystorePath}`);
    },
  );

  it('accepts modes 0600 and 0400', async () => {
    for (const mode of [0o600, 0o400]) {
      const keystorePath = await secretFile(`ok-${mode}.key`, SENDER_KEY, mode);
      expect(loadSenderKey({ keystorePath }).address).toBe(SENDER);
    }
  });

  it('refuses a password file readable by others', async () => {
    const keystorePath = await secretFile('keystore2.json', keystoreJson);
    const passwordFile = await secretFile('open-password', PASSWORD, 0o644);
    expect(codeOf(() => loadSenderKey({ keystorePath, passwordFile }))).toBe('KEYSTORE_INSECURE');
  });

  it('names each other failure with its own code', async () => {
    const keystorePath = await secretFile('keystore3.json', keystoreJson);
    expect(codeOf(() => loadSenderKey({ keystorePath }))).toBe('KEYSTORE_PASSWORD_REQUIRED');
    expect(codeOf(() => loadSenderKey({ keystorePath, password: 'wrong' }))).toBe('KEYSTORE_INVALID');
    expect(codeOf(() => loadSenderKey({ keystorePath: path.join(dir, 'missing.json') }))).toBe(
      'KEYSTORE_UNREADABLE',
    );
    expect(codeOf(() => loadSenderKey({ keystorePath: dir }))).toBe('KEYSTORE_UNREADABLE');
    const garbage = await secretFile('garbage.key', 'not a key');
    expect(codeOf(() => loadSenderKey({ keystorePath: garbage }))).toBe('KEYSTORE_INVALID');
    const otherJson = await secretFile('other.json', '{"hello":"world"}');
    expect(codeOf(() => loadSenderKey({ keystorePath: otherJson, password: 'x' }))).toBe('KEYSTORE_INVALID');
    expect(codeOf(() => loadSenderKey({ privateKey: '' }))).toBe('KEY_MISSING');
  });

  it('never shows the key when the SenderKey is logged or serialised', () => {
    const key = loadSenderKey({ privateKey: SENDER_KEY });
    const secret = SENDER_KEY.slice(2).toLowerCase();
    for (const text of [
      JSON.stringify(key),
      inspect(key, { showHidden: true, depth: 10 }),
      String(key),
      `${key}`,
    ]) {
      expect(text.toLowerCase()).not.toContain(secret);
      expect(text).toContain(SENDER);
    }
    expect(Object.keys(key)).toEqual(['address']);
  });
});
