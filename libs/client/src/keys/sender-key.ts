import { Wallet, type Provider } from 'ethers';
import {
  privateKeyToAddress,
  signBalanceProof,
  type Address,
  type BalanceProof,
  type ChannelDomain,
  type Hex,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import type { SenderSigner } from './sender-signer';

// util.inspect.custom, without importing node:util (the browser build has no Node built-ins).
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * The sender's private key. It lives only in a private field: it is not enumerable, not serialised by
 * JSON.stringify, not shown by console.log/util.inspect, and never put into an error.
 */
export class SenderKey implements SenderSigner {
  readonly #privateKey: Hex;
  /** The sender's checksummed address. */
  readonly address: Address;

  constructor(privateKey: string) {
    const text = typeof privateKey === 'string' ? privateKey.trim() : '';
    if (!PRIVATE_KEY.test(text)) {
      throw new ClientError('KEY_INVALID', 'the private key is not 32 bytes of hex (0x + 64 hex digits)');
    }
    const normalised = (text.startsWith('0x') ? text : `0x${text}`).toLowerCase() as Hex;
    try {
      this.address = privateKeyToAddress(normalised);
    } catch {
      // The protocol lib's error would be fine, but keep even its reason out: it is about the key.
      throw new ClientError('KEY_INVALID', 'the private key is not a valid secp256k1 key');
    }
    this.#privateKey = normalised;
  }

  /** The sender's EIP-712 signature of `proof` under `domain` (canonical, low s, v = 27/28). */
  signBalanceProof(domain: ChannelDomain, proof: BalanceProof): Hex {
    return signBalanceProof(this.#privateKey, domain, proof);
  }

  /** An ethers Wallet for sending transactions; its key is held in ethers' own private field. */
  connect(provider: Provider): Wallet {
    return new Wallet(this.#privateKey, provider);
  }

  /** SenderSigner: transactions are signed locally by an ethers Wallet. */
  transactionSigner(provider: Provider): Wallet {
    return this.connect(provider);
  }

  toJSON(): { address: Address } {
    return { address: this.address };
  }

  toString(): string {
    return `SenderKey(${this.address})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}
