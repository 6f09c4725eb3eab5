import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import { channelDomain, checksummedAddress, verifyBalanceProofSignature } from '@microraiden/protocol';
import { ChainWatcherError } from './chain-watcher-error';
import type { ProofToKeep } from './postgres-watcher-store';

/** The one deployment and receiver this watcher acts for. */
export interface ReceiverScope {
  chainId: number;
  channelManager: string;
  receiver: string;
}

/**
 * What to keep from a `balance-proof.accepted`: undefined when the proof is for another receiver or deployment;
 * throws PROOF_SIGNATURE_INVALID when neither the sender nor the balance signer the event names signed it (it could never win a dispute, and a gateway
 * publishing it is a bug to dead-letter, not to store).
 */
export function proofToKeep(event: BalanceProofAcceptedV1, scope: ReceiverScope): ProofToKeep | undefined {
  const { data } = event;
  if (
    data.chainId !== scope.chainId ||
    checksummedAddress(data.channelManager) !== checksummedAddress(scope.channelManager) ||
    checksummedAddress(data.receiver) !== checksummedAddress(scope.receiver)
  )
    return undefined;
  const verified = verifyBalanceProofSignature(
    channelDomain(BigInt(scope.chainId), checksummedAddress(scope.channelManager)),
    {
      channelId: data.channelId,
      receiver: checksummedAddress(data.receiver) as `0x${string}`,
      balance: data.balance,
    },
    data.signature,
    // A session key's proof: the gateway names the channel's balance signer, whose proofs the contract accepts.
    data.signer === undefined ? data.sender : [data.sender, data.signer],
  );
  if (!verified.ok)
    throw new ChainWatcherError('PROOF_SIGNATURE_INVALID', `balance proof rejected: ${verified.error}`, {
      eventId: event.id,
      channelId: data.channelId,
    });
  return { channelId: data.channelId, balance: data.balance, signature: verified.value, eventId: event.id };
}
