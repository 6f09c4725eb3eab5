import type { Provider, Signer } from 'ethers';
import type { Address, BalanceProof, ChannelDomain, Hex } from '@microraiden/protocol';

/**
 * Who pays (the port between the SDK and a key): signs balance proofs and sends the sender's transactions.
 * Adapters: `SenderKey` (a raw key or keystore), `viemSigner` (a viem Account or WalletClient),
 * `ethersSigner` (an ethers Signer) and `eip1193Signer` (a browser wallet, `eth_signTypedData_v4`).
 */
export interface SenderSigner {
  /** The sender's checksummed address. */
  readonly address: Address;
  /** The EIP-712 signature of `proof` under `domain`, canonical: low s, v = 27/28. */
  signBalanceProof(domain: ChannelDomain, proof: BalanceProof): Hex | Promise<Hex>;
  /**
   * An ethers Signer that sends this sender's transactions (open, top up, close, settle) and signs its
   * permits; reads and confirmations still go through the client's own `provider`.
   */
  transactionSigner(provider: Provider): Signer;
}

/** True when `value` is a SenderSigner rather than a key source. */
export function isSenderSigner(value: unknown): value is SenderSigner {
  const candidate = value as Partial<SenderSigner> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.address === 'string' &&
    typeof candidate.signBalanceProof === 'function' &&
    typeof candidate.transactionSigner === 'function'
  );
}
