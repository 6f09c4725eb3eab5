import { inspect } from 'node:util';
import { channelDomain, recoverClosingProofSigner } from '@microraiden/protocol';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { receiverKeyOf, receiverKeyOfPrivateKey } from './receiver-key';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const proof = {
  channelId: `0x${'11'.repeat(32)}` as const,
  sender: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const,
  balance: 5n,
};

describe('receiverKeyOf', () => {
  it('has the receiver address and signs closing proofs', () => {
    const key = receiverKeyOf(new Wallet(KEY));
    expect(key.address).toBe(ADDRESS);
    const signer = recoverClosingProofSigner(domain, proof, key.signClosingProof(domain, proof));
    expect(signer.ok && signer.value).toBe(ADDRESS);
  });

  it('never shows the key when logged or serialised', () => {
    const key = receiverKeyOf(new Wallet(KEY));
    expect(JSON.stringify(key)).not.toContain(KEY.slice(2, 20));
    expect(inspect(key, { showHidden: true, depth: 5 })).not.toContain(KEY.slice(2, 20));
  });
});

describe('receiverKeyOfPrivateKey', () => {
  it('derives the address from the key and signs like receiverKeyOf', () => {
    const key = receiverKeyOfPrivateKey(KEY);
    expect(key.address).toBe(ADDRESS);
    expect(key.signClosingProof(domain, proof)).toBe(
      receiverKeyOf(new Wallet(KEY)).signClosingProof(domain, proof),
    );
    expect(JSON.stringify(key)).toBe(JSON.stringify({ address: ADDRESS }));
  });

  it('refuses a malformed key at once', () => {
    expect(() => receiverKeyOfPrivateKey('0x1234')).toThrow(/outside its type/);
  });
});
