import type { MicroraidenEvent } from '@microraiden/events';
import type { Hex32 } from '@microraiden/protocol';
import type { ChannelSnapshot, ProofToAccept } from './channel-snapshot';

/** The gateway's shared channel state; every replica uses the same one, so acceptance is fleet-wide. */
export interface ChannelStore {
  /** The channel's row, or undefined when no event ever named it. */
  snapshot(channelId: Hex32): Promise<ChannelSnapshot | undefined>;
  /**
   * Compare-and-set (docs/protocol.md section 7): moves the accepted balance from exactly `proof.expectedPrevious`
   * to `proof.balance` and the charged balance from exactly `proof.expectedCharged` to `expectedCharged + charge`
   * iff the channel is open and confirmed, the balance is above the accepted one, within the deposit and at least
   * `price` above the charged one, and the new charged balance is at most the balance; in the same transaction
   * `event` goes to the outbox. Resolves true once committed, false when a condition did not hold (nothing changed).
   */
  accept(proof: ProofToAccept, event: MicroraidenEvent): Promise<boolean>;
  /**
   * Compare-and-set of a charge alone, without a new signature (a stream's units delivered within what was signed):
   * moves the charged balance from exactly `expectedCharged` to `expectedCharged + amount` iff the channel is open
   * and confirmed and the result is at most the accepted balance; in the same transaction `event` (the
   * `balance-proof.charged`) goes to the outbox. True once committed, false when a condition did not hold.
   */
  charge(
    channelId: Hex32,
    expectedCharged: bigint,
    amount: bigint,
    event: MicroraidenEvent,
  ): Promise<boolean>;
  /**
   * Marks the channel closing iff its charged balance is still exactly `balance` and it is not settled, so
   * no later payment can be accepted after the receiver signs a closing proof; in the same transaction `event`
   * (the `balance-proof.close-signed`) goes to the outbox, so it exists iff the channel was marked. True when
   * marked.
   */
  markClosing(channelId: Hex32, balance: bigint, event: MicroraidenEvent): Promise<boolean>;
}
