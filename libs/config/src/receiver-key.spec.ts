import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { encryptKeystoreJsonSync, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { loadReceiverKey, receiverKeySourceOf, type ReceiverKeySettings } from './receiver-key';

const PRIVATE = Wallet.createRandom();
/** anvil's account 1: public. */
const PUBLIC_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

function keystore(key: string, mode = 0o600): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'receiver-key-'));
  const file = path.join(dir, 'keystore.json');
  const address = new Wallet(key).address;
  // Cheap scrypt parameters: this tests the wiring, not the key derivation.
  writeFileSync(
    file,
    encryptKeystoreJsonSync({ address, privateKey: key }, 'secret', { scrypt: { N: 1024 } }),
  );
  chmodSync(file, mode);
  return file;
}

const prod = (s: Partial<ReceiverKeySettings>): ReceiverKeySettings => ({ MICRORAIDEN_DEV: false, ...s });
const dev = (s: Partial<ReceiverKeySettings>): ReceiverKeySettings => ({ MICRORAIDEN_DEV: true, ...s });
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('loadReceiverKey', () => {
  it('opens a 0600 keystore with its password', () => {
    const file = keystore(PRIVATE.privateKey);
    const loaded = loadReceiverKey(
      prod({ RECEIVER_KEYSTORE_FILE: file, RECEIVER_KEYSTORE_PASSWORD: 'secret' }),
    );
    expect(loaded.wallet.address).toBe(PRIVATE.address);
    expect(loaded.publicDevAccount).toBeUndefined();
    expect(
      codeOf(() => loadReceiverKey(prod({ RECEIVER_KEYSTORE_FILE: file, RECEIVER_KEYSTORE_PASSWORD: 'no' }))),
    ).toBe('RECEIVER_KEY_INVALID');
  });

  it('refuses a keystore group or others can read, and one without password', () => {
    const file = keystore(PRIVATE.privateKey, 0o644);
    expect(
      codeOf(() =>
        loadReceiverKey(prod({ RECEIVER_KEYSTORE_FILE: file, RECEIVER_KEYSTORE_PASSWORD: 'secret' })),
      ),
    ).toBe('RECEIVER_KEY_INSECURE');
    expect(codeOf(() => loadReceiverKey(prod({ RECEIVER_KEYSTORE_FILE: file })))).toBe(
      'RECEIVER_KEY_MISSING',
    );
  });

  it('refuses a raw key outside development mode, and takes it in development mode', () => {
    expect(codeOf(() => loadReceiverKey(prod({ RECEIVER_PRIVATE_KEY: PRIVATE.privateKey })))).toBe(
      'RECEIVER_KEY_INSECURE',
    );
    expect(loadReceiverKey(dev({ RECEIVER_PRIVATE_KEY: ` ${PRIVATE.privateKey}\n` })).wallet.address).toBe(
      PRIVATE.address,
    );
    expect(codeOf(() => loadReceiverKey(dev({ RECEIVER_PRIVATE_KEY: '0x1234' })))).toBe(
      'RECEIVER_KEY_INVALID',
    );
  });

  it("refuses anvil's public keys, even in a keystore, unless in development mode", () => {
    const file = keystore(PUBLIC_KEY);
    const error = (() => {
      try {
        loadReceiverKey(prod({ RECEIVER_KEYSTORE_FILE: file, RECEIVER_KEYSTORE_PASSWORD: 'secret' }));
      } catch (err) {
        return err as Error & { code: string };
      }
    })();
    expect(error?.code).toBe('RECEIVER_KEY_PUBLIC');
    expect(error?.message).toMatch(/public account 1 .*MICRORAIDEN_DEV=1/);
    expect(error?.message).not.toContain(PUBLIC_KEY.slice(2));
    const loaded = loadReceiverKey(
      dev({ RECEIVER_KEYSTORE_FILE: file, RECEIVER_KEYSTORE_PASSWORD: 'secret' }),
    );
    expect(loaded.publicDevAccount).toBe(1);
  });

  it("falls back to anvil's account 2, the stack's receiver, only in development mode", () => {
    expect(codeOf(() => loadReceiverKey(prod({})))).toBe('RECEIVER_KEY_MISSING');
    const loaded = loadReceiverKey(dev({}));
    expect(loaded).toMatchObject({ defaulted: true, publicDevAccount: 2 });
    expect(loaded.wallet.address).toBe('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
  });

  it('never shows the key when inspected or serialised', () => {
    const { wallet } = loadReceiverKey(dev({ RECEIVER_PRIVATE_KEY: PRIVATE.privateKey }));
    const hex = PRIVATE.privateKey.slice(2);
    expect(inspect(wallet, { depth: 5 })).not.toContain(hex);
    expect(JSON.stringify(wallet)).not.toContain(hex);
  });
});

describe('receiverKeySourceOf', () => {
  it('takes a keystore or a raw key, not both', () => {
    expect(() =>
      receiverKeySourceOf(dev({ RECEIVER_KEYSTORE_FILE: '/k', RECEIVER_PRIVATE_KEY: PRIVATE.privateKey })),
    ).toThrow(/not both/);
    expect(
      receiverKeySourceOf(prod({ RECEIVER_KEYSTORE_FILE: '/k', RECEIVER_KEYSTORE_PASSWORD: 'p' })),
    ).toEqual({
      kind: 'keystore',
      file: '/k',
      password: 'p',
    });
  });
});
