import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { channelDomain, recoverBalanceProofSigner } from '@microraiden/protocol';
import { isClientError } from '../client-error';
import {
  aChannelId,
  CHAIN_ID,
  CHANNEL_MANAGER,
  RECEIVER,
  RECEIVER_KEY,
  SENDER,
  SENDER_KEY,
} from '../test/builders';
import { eip1193Signer, type Eip1193Provider } from './eip1193-signer';
import { ethersSigner } from './ethers-signer';
import { viemSigner } from './viem-signer';

const domain = channelDomain(CHAIN_ID, CHANNEL_MANAGER);
const proof = { channelId: aChannelId(), receiver: RECEIVER, balance: 42n };

/** An EIP-1193 wallet that signs eth_signTypedData_v4 requests with `key` (whatever account is asked). */
function walletProvider(key: string, seen: unknown[] = []): Eip1193Provider {
  const wallet = new Wallet(key);
  return {
    async request({ method, params }) {
      if (method !== 'eth_signTypedData_v4') throw new Error(`unexpected ${method}`);
      const payload = JSON.parse((params as [string, string])[1]) as {
        domain: Record<string, unknown>;
        types: Record<string, Array<{ name: string; type: string }>>;
        message: Record<string, unknown>;
      };
      seen.push(payload);
      const { EIP712Domain: _domain, ...types } = payload.types;
      // Low s, v = 0/1: some wallets return that; the SDK must canonicalise to 27/28.
      const signature = await wallet.signTypedData(payload.domain, types, payload.message);
      return `${signature.slice(0, 130)}${signature.endsWith('1b') ? '00' : '01'}`;
    },
  };
}

describe('wallet signers', () => {
  it('eip1193Signer sends eth_signTypedData_v4 with EIP712Domain and returns a canonical signature', async () => {
    const seen: unknown[] = [];
    const signature = await eip1193Signer(walletProvider(SENDER_KEY, seen), SENDER).signBalanceProof(
      domain,
      proof,
    );
    expect(signature).toMatch(/(1b|1c)$/);
    expect(recoverBalanceProofSigner(domain, proof, signature)).toEqual({ ok: true, value: SENDER });
    expect(seen[0]).toMatchObject({
      primaryType: 'BalanceProof',
      domain: {
        name: 'MicroTransferChannels',
        version: '1',
        chainId: 31337,
        verifyingContract: CHANNEL_MANAGER.toLowerCase(),
      },
      types: { EIP712Domain: expect.any(Array) },
      message: { balance: '42' },
    });
  });

  it('refuses a signature by another account (SIGNER_MISMATCH)', async () => {
    const error = await Promise.resolve(
      eip1193Signer(walletProvider(RECEIVER_KEY), SENDER).signBalanceProof(domain, proof),
    ).catch((e: unknown) => e);
    expect(isClientError(error, 'SIGNER_MISMATCH')).toBe(true);
  });

  it('wraps a wallet that refuses to sign (SIGNING_FAILED)', async () => {
    const rejecting: Eip1193Provider = {
      request: () => Promise.reject(new Error('User rejected the request')),
    };
    const error = await Promise.resolve(
      eip1193Signer(rejecting, SENDER).signBalanceProof(domain, proof),
    ).catch((e: unknown) => e);
    expect(isClientError(error, 'SIGNING_FAILED')).toBe(true);
  });

  it('ethersSigner and a viem-shaped account sign the same proof as the raw key', async () => {
    const wallet = new Wallet(SENDER_KEY);
    const viemShaped = {
      address: SENDER,
      signTypedData: (p: {
        domain: object;
        types: Record<string, Array<{ name: string; type: string }>>;
        message: Record<string, unknown>;
      }) => wallet.signTypedData(p.domain, p.types, p.message),
    };
    const a = await ethersSigner(wallet).signBalanceProof(domain, proof);
    const b = await viemSigner(viemShaped).signBalanceProof(domain, proof);
    expect(a).toBe(b);
    expect(recoverBalanceProofSigner(domain, proof, a)).toEqual({ ok: true, value: SENDER });
  });
});
