import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { channelDomain, recoverClosingProofSigner } from '@microraiden/protocol';
import { encryptKeystoreJsonSync } from 'ethers';
import { describe, expect, it } from 'vitest';
import { loadReceiverKey, ReceiverKeyError } from './receiver-key';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const proof = {
  channelId: `0x${'11'.repeat(32)}` as const,
  sender: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const,
  balance: 5n,
};

function files(mode: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'receiver-key-'));
  const keystoreFile = path.join(dir, 'keystore.json');
  const passwordFile = path.join(dir, 'password');
  // Cheap scrypt parameters: this tests the wiring, not the key derivation.
  writeFileSync(
    keystoreFile,
    encryptKeystoreJsonSync({ address: ADDRESS, privateKey: KEY }, 'secret', { scrypt: { N: 1024 } }),
  );
  writeFileSync(passwordFile, 'secret\n');
  chmodSync(keystoreFile, mode);
  chmodSync(passwordFile, mode);
  return { keystoreFile, passwordFile };
}

describe('loadReceiverKey', () => {
  it('derives the receiver address and signs closing proofs with a hex key', () => {
    const key = loadReceiverKey({ privateKey: KEY });
    expect(key.address).toBe(ADDRESS);
    const signer = recoverClosingProofSigner(domain, proof, key.signClosingProof(domain, proof));
    expect(signer.ok && signer.value).toBe(ADDRESS);
  });

  it('never shows the key when logged or serialised', () => {
    const key = loadReceiverKey({ privateKey: KEY });
    expect(JSON.stringify(key)).not.toContain(KEY.slice(2, 20));
    expect(inspect(key, { showHidden: true, depth: 5 })).not.toContain(KEY.slice(2, 20));
  });

  it('decrypts a keystore file with 0600 permissions', () => {
    expect(loadReceiverKey(files(0o600)).address).toBe(ADDRESS);
  });

  it('refuses keystore files readable by others', () => {
    expect(() => loadReceiverKey(files(0o644))).toThrow(/chmod 600/);
  });

  it('refuses a wrong password without echoing it', () => {
    const { keystoreFile, passwordFile } = files(0o600);
    writeFileSync(passwordFile, 'wrong');
    expect(() => loadReceiverKey({ keystoreFile, passwordFile })).toThrow(ReceiverKeyError);
  });

  it('refuses malformed keys without echoing them', () => {
    try {
      loadReceiverKey({ privateKey: '0x1234' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReceiverKeyError);
      expect((err as Error).message).not.toContain('1234');
    }
    expect(() => loadReceiverKey({ privateKey: `0x${'00'.repeat(32)}` })).toThrow(ReceiverKeyError);
  });
});
