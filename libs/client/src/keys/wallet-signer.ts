import type { Provider, Signer } from 'ethers';
import {
  parseAddress,
  type Address,
  type BalanceProof,
  type ChannelDomain,
  type Hex,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { DelegatingSigner, type WalletBackend } from './delegating-signer';
import type { SenderSigner } from './sender-signer';
import { checkedBalanceProofSignature } from './typed-data-request';

/** A SenderSigner over an external wallet (viem, EIP-1193): it signs, the SDK checks what it signed. */
export class WalletSigner implements SenderSigner {
  readonly address: Address;

  constructor(private readonly backend: WalletBackend) {
    this.address = backend.address;
  }

  signBalanceProof(domain: ChannelDomain, proof: BalanceProof): Promise<Hex> {
    return checkedBalanceProofSignature(this.address, domain, proof, (request) =>
      this.backend.signTypedData(request),
    );
  }

  transactionSigner(provider: Provider): Signer {
    return new DelegatingSigner(this.backend, provider);
  }

  toJSON(): { address: Address } {
    return { address: this.address };
  }
}

/** A wallet's address, checksummed; CONFIG_INVALID when it is not one. */
export function walletAddress(value: unknown, what: string): Address {
  const parsed = typeof value === 'string' ? parseAddress(value) : undefined;
  if (!parsed?.ok) throw new ClientError('CONFIG_INVALID', `${what} has no valid address`);
  return parsed.value;
}
