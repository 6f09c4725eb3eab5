import {
  BALANCE_PROOF_TYPES,
  typedDataDomain,
  verifyBalanceProofSignature,
  type Address,
  type BalanceProof,
  type ChannelDomain,
  type Hex,
  type TypedDataRequest,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';

// The request shape lives in the protocol beside typedDataPayload, which renders it for eth_signTypedData_v4.
export type { TypedDataRequest };

/** The BalanceProof signing request of `proof` under `domain`. */
export function balanceProofRequest(domain: ChannelDomain, proof: BalanceProof): TypedDataRequest {
  return {
    domain: typedDataDomain(domain),
    types: { BalanceProof: BALANCE_PROOF_TYPES.BalanceProof.map((field) => ({ ...field })) },
    primaryType: 'BalanceProof',
    message: { channelId: proof.channelId, receiver: proof.receiver, balance: proof.balance },
  };
}

/**
 * Asks an external wallet for a balance proof signature and checks it before it is stored or sent: it must
 * recover to the sender (a wallet signing with another account, or for another chain, is caught here rather
 * than by the gateway), and comes back canonical (v = 27/28).
 */
export async function checkedBalanceProofSignature(
  sender: Address,
  domain: ChannelDomain,
  proof: BalanceProof,
  sign: (request: TypedDataRequest) => Promise<string>,
): Promise<Hex> {
  let signature: string;
  try {
    signature = await sign(balanceProofRequest(domain, proof));
  } catch (cause) {
    throw new ClientError(
      'SIGNING_FAILED',
      `the wallet did not sign the balance proof of ${proof.balance} on channel ${proof.channelId}`,
      { channelId: proof.channelId },
      { cause },
    );
  }
  const checked = verifyBalanceProofSignature(domain, proof, signature, sender);
  if (!checked.ok) {
    throw new ClientError(
      'SIGNER_MISMATCH',
      `the wallet's balance proof signature is not ${sender}'s (${checked.error})`,
      { sender, channelId: proof.channelId },
    );
  }
  return checked.value;
}
