import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encryptKeystoreJsonSync, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { loadReceiverWallet } from './receiver-key';

const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const address = new Wallet(key).address;

function keyFile(content: string, mode: number): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'receiver-key-')), 'key');
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

describe('loadReceiverWallet', () => {
  it('takes the key from the environment value', async () => {
    expect((await loadReceiverWallet({ privateKey: ` ${key}\n` })).address).toBe(address);
  });

  it('reads a 0600 file holding the hex key or an encrypted keystore', async () => {
    expect((await loadReceiverWallet({ keystoreFile: keyFile(key, 0o600) })).address).toBe(address);
    const json = encryptKeystoreJsonSync({ address, privateKey: key }, 'pw', { scrypt: { N: 1 << 10 } });
    const file = keyFile(json, 0o600);
    expect((await loadReceiverWallet({ keystoreFile: file, keystorePassword: 'pw' })).address).toBe(address);
    await expect(loadReceiverWallet({ keystoreFile: file, keystorePassword: 'nope' })).rejects.toMatchObject({
      code: 'RECEIVER_KEY_INVALID',
    });
    await expect(loadReceiverWallet({ keystoreFile: file })).rejects.toMatchObject({
      code: 'RECEIVER_KEY_MISSING',
    });
  });

  it('refuses a key file others can read, and never echoes the key', async () => {
    await expect(loadReceiverWallet({ keystoreFile: keyFile(key, 0o644) })).rejects.toMatchObject({
      code: 'RECEIVER_KEY_INSECURE',
    });
    const bad = `${key.slice(0, -1)}z`;
    const error = await loadReceiverWallet({ privateKey: bad }).catch((err: Error) => err);
    expect(error).toMatchObject({ code: 'RECEIVER_KEY_INVALID' });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(bad.slice(2, 20));
  });

  it('needs one source', async () => {
    await expect(loadReceiverWallet({})).rejects.toMatchObject({ code: 'RECEIVER_KEY_MISSING' });
  });
});
