import { ContractRevertedError, microTransferChannelsAbi } from '@microraiden/contracts';
import { Interface } from 'ethers';
import { systemClock, type Clock } from './clock';
import type { AcceptedProof } from './dispute-decision';
import type { ChannelStateReader } from './dispute-ports';
import { isStuck, type FeePolicy } from './fee-policy';
import { isHeldForFunds } from './gas-funds-gate';
import type { SentTransaction, TransactionSender } from './transaction-sender';
import { silentLog, type WatcherLog } from './watcher-log';
import { shouldWithdraw } from './withdraw-decision';

const managerInterface = new Interface(microTransferChannelsAbi);

/** A channel whose latest proof may be worth withdrawing, or whose withdrawal is in flight. */
export interface WithdrawCandidate {
  readonly channelId: string;
  readonly proof: AcceptedProof;
  readonly submission?: SentTransaction;
}

/** Durable state of the withdraw policy (kept next to the accepted proofs). */
export interface WithdrawStore {
  /** Channels whose proof exceeds the last known withdrawn amount by `threshold`, and those with a withdrawal in flight. */
  withdrawCandidates(threshold: bigint): Promise<WithdrawCandidate[]>;
  /** Remember a sent (or re-sent) withdrawal. */
  recordWithdrawal(channelId: string, submission: SentTransaction): Promise<void>;
  /** Remember what the chain says was withdrawn; clears any withdrawal in flight. */
  recordWithdrawn(channelId: string, withdrawn: bigint): Promise<void>;
}

/** Counted by the service's metrics. */
export type WithdrawSignal = 'submitted' | 'replaced' | 'withdrawn' | 'failed';

/**
 * WITHDRAW_THRESHOLD policy: cash in the latest accepted proof of an open channel once it pays at least
 * `threshold` more than was withdrawn, through the same serialised sender as the disputes.
 */
export class Withdrawer {
  constructor(
    private readonly store: WithdrawStore,
    private readonly chain: ChannelStateReader,
    private readonly sender: TransactionSender,
    private readonly options: { channelManager: string; threshold: bigint; feePolicy: FeePolicy },
    private readonly log: WatcherLog = silentLog,
    private readonly onSignal: (signal: WithdrawSignal) => void = () => undefined,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Handle every candidate once. */
  async tick(): Promise<void> {
    for (const candidate of await this.store.withdrawCandidates(this.options.threshold)) {
      try {
        if (candidate.submission) await this.follow(candidate, candidate.submission);
        else await this.consider(candidate);
      } catch (err) {
        if (isHeldForFunds(err)) continue; // logged once by the sender's funds gate
        this.log.error('withdrawal failed this round, retrying next round', {
          channelId: candidate.channelId,
          error: (err as Error).message,
        });
      }
    }
  }

  private async consider(candidate: WithdrawCandidate): Promise<void> {
    const channel = await this.chain.channel(candidate.channelId);
    // A settled channel has nothing left: remember the proof's balance so it is not considered again.
    if (!channel) return this.store.recordWithdrawn(candidate.channelId, candidate.proof.balance);
    // Not worth it (closing, or less than the threshold on chain): consider this proof done; a higher one re-triggers.
    if (!shouldWithdraw(channel, candidate.proof, this.options.threshold))
      return this.store.recordWithdrawn(candidate.channelId, candidate.proof.balance);
    const data = managerInterface.encodeFunctionData('withdraw', [
      candidate.channelId,
      candidate.proof.balance,
      candidate.proof.signature,
    ]);
    let submission;
    try {
      submission = await this.sender.send({ to: this.options.channelManager, data });
    } catch (err) {
      if (!(err instanceof ContractRevertedError)) throw err;
      this.onSignal('failed');
      this.log.warn('withdraw would revert, skipping this proof', {
        channelId: candidate.channelId,
        error: err.revert.name,
      });
      return this.store.recordWithdrawn(candidate.channelId, candidate.proof.balance);
    }
    await this.store.recordWithdrawal(candidate.channelId, submission);
    this.onSignal('submitted');
    this.log.info('withdraw sent', {
      channelId: candidate.channelId,
      balance: candidate.proof.balance.toString(),
      txHash: submission.hashes[0],
    });
  }

  private async follow(candidate: WithdrawCandidate, submission: SentTransaction): Promise<void> {
    const mined = await this.sender.minedOf(submission.hashes);
    if (mined) {
      const channel = await this.chain.channel(candidate.channelId);
      this.onSignal(mined.success ? 'withdrawn' : 'failed');
      this.log.info(mined.success ? 'withdraw mined' : 'withdraw reverted', {
        channelId: candidate.channelId,
        txHash: mined.hash,
      });
      return this.store.recordWithdrawn(candidate.channelId, channel?.withdrawn ?? candidate.proof.balance);
    }
    if (!isStuck(submission.sentAtMs, this.clock(), this.options.feePolicy)) return;
    if (await this.sender.isNonceUsed(submission.nonce)) {
      const channel = await this.chain.channel(candidate.channelId);
      return this.store.recordWithdrawn(candidate.channelId, channel?.withdrawn ?? candidate.proof.balance);
    }
    const replaced = await this.sender.replace(submission);
    if (!replaced) return;
    await this.store.recordWithdrawal(candidate.channelId, replaced);
    this.onSignal('replaced');
  }
}
