import type { AcceptedProof, ClosingChannel } from './dispute-decision';
import type { SentTransaction } from './transaction-sender';

/** How a dispute task ended. */
export type DisputeOutcome =
  /** receiverClose was mined: the receiver got the latest balance. */
  | 'won'
  /** receiverClose reverted or could not be sent. */
  | 'failed'
  /** The deadline passed while a better proof existed and no dispute got in. */
  | 'missed'
  /** The sender closed with a balance no proof beats: nothing to do. */
  | 'fair'
  /** The close request is gone (settled by someone, or retracted by a reorg). */
  | 'cancelled'
  /** AUTO_SETTLE: the challenge period ended without a cheat and the watcher settled the channel. */
  | 'settled';

/** The call a task sent: the dispute, or (AUTO_SETTLE) the settlement after a fair close. */
export type TaskAction = 'receiverClose' | 'settle';

/** A close request of a channel whose receiver is ours, still being handled. */
export interface DisputeTask {
  readonly channelId: string;
  readonly settleAt: bigint;
  /** Set once a receiverClose was sent. */
  readonly submission?: SentTransaction;
  readonly submittedBalance?: bigint;
  /** What `submission` calls. */
  readonly action?: TaskAction;
}

/** Durable dispute tasks and the receiver's accepted proofs. */
export interface DisputeStore {
  /** Tasks not finished yet, most urgent (earliest `settleAt`) first. */
  openTasks(): Promise<DisputeTask[]>;
  /** The highest accepted proof of a channel. */
  latestProof(channelId: string): Promise<AcceptedProof | undefined>;
  /** Remember what was sent (or re-sent); `submission` undefined puts the task back to be decided afresh. */
  recordSubmission(
    channelId: string,
    submission: SentTransaction | undefined,
    sent?: { action: TaskAction; balance?: bigint },
  ): Promise<void>;
  /** Close the task. */
  finish(channelId: string, outcome: DisputeOutcome, detail: string): Promise<void>;
}

/** What the disputer reads from the channel manager. */
export interface ChannelStateReader {
  /** The channel on chain, undefined when it does not exist (never created, or settled). */
  channel(channelId: string): Promise<ClosingChannel | undefined>;
  /** Timestamp of the latest block: the contract's clock. */
  now(): Promise<bigint>;
}
