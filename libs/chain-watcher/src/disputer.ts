import { ContractRevertedError, microTransferChannelsAbi } from '@microraiden/contracts';
import { Interface } from 'ethers';
import { systemClock, type Clock } from './clock';
import { decideDispute } from './dispute-decision';
import type {
  ChannelStateReader,
  DisputeOutcome,
  DisputeStore,
  DisputeTask,
  TaskAction,
} from './dispute-ports';
import { isStuck, type FeePolicy } from './fee-policy';
import { isHeldForFunds } from './gas-funds-gate';
import type { TransactionSender } from './transaction-sender';
import { silentLog, type WatcherLog } from './watcher-log';

const managerInterface = new Interface(microTransferChannelsAbi);

/** Counted by the service's metrics. */
export type DisputeSignal = DisputeOutcome | 'submitted' | 'replaced';

/** Settings of {@link Disputer}. */
export interface DisputerOptions {
  channelManager: string;
  feePolicy: FeePolicy;
  /** Do not start a dispute with fewer seconds than this left before `settleAt`. */
  marginSeconds: bigint;
  /** Settle fairly closed channels once their challenge period is over (AUTO_SETTLE). */
  autoSettle: boolean;
}

/**
 * Works through the durable dispute tasks: for each close request of ours it compares the sender's claim with the
 * latest accepted proof and, when the proof pays more, sends `receiverClose` before `settleAt`, then follows the
 * transaction until mined, replacing it with higher fees when stuck. Everything it needs survives a restart.
 */
export class Disputer {
  constructor(
    private readonly store: DisputeStore,
    private readonly chain: ChannelStateReader,
    private readonly sender: TransactionSender,
    private readonly options: DisputerOptions,
    private readonly log: WatcherLog = silentLog,
    private readonly onSignal: (signal: DisputeSignal) => void = () => undefined,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Handle every open task once; returns how many are still open. */
  async tick(): Promise<number> {
    const tasks = await this.store.openTasks();
    if (tasks.length === 0) return 0;
    const now = await this.chain.now();
    for (const task of tasks) {
      try {
        if (task.submission) await this.follow(task);
        else await this.decide(task, now);
      } catch (err) {
        // The sender logged the outage once; the task waits for funds (or the back-off) without a line per round.
        if (isHeldForFunds(err)) continue;
        this.log.error('dispute task failed this round, retrying next round', {
          channelId: task.channelId,
          error: (err as Error).message,
        });
      }
    }
    return (await this.store.openTasks()).length;
  }

  private async decide(task: DisputeTask, now: bigint): Promise<void> {
    const channel = await this.chain.channel(task.channelId);
    if (!channel) return this.finish(task, 'cancelled', 'the channel no longer exists');
    if (channel.settleAt === 0n) return this.finish(task, 'cancelled', 'the channel is not closing');
    const decision = decideDispute({
      channel,
      proof: await this.store.latestProof(task.channelId),
      now,
      marginSeconds: this.options.marginSeconds,
    });
    switch (decision.kind) {
      case 'wait':
        return;
      case 'expired':
        if (decision.cheated)
          return this.finish(task, 'missed', 'the challenge period ended before a dispute was sent');
        if (!this.options.autoSettle)
          return this.finish(task, 'fair', 'no accepted proof beats the closing balance');
        // Disputes stop at the margin, but settle works only from settleAt on.
        if (now < channel.settleAt) return;
        return this.send(task, 'settle', managerInterface.encodeFunctionData('settle', [task.channelId]));
      case 'dispute':
        return this.send(
          task,
          'receiverClose',
          managerInterface.encodeFunctionData('receiverClose', [
            task.channelId,
            decision.balance,
            decision.signature,
          ]),
          decision.balance,
        );
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async send(task: DisputeTask, action: TaskAction, data: string, balance?: bigint): Promise<void> {
    let submission;
    try {
      submission = await this.sender.send({ to: this.options.channelManager, data });
    } catch (err) {
      if (!(err instanceof ContractRevertedError)) throw err;
      const name = err.revert.name;
      if (name === 'ChannelNotFound')
        return this.finish(task, 'cancelled', 'the channel was settled meanwhile');
      return this.finish(task, 'failed', `${action} would revert with ${name}`);
    }
    await this.store.recordSubmission(task.channelId, submission, {
      action,
      ...(balance !== undefined ? { balance } : {}),
    });
    this.onSignal('submitted');
    this.log.info(`${action} sent`, {
      channelId: task.channelId,
      ...(balance !== undefined ? { balance: balance.toString() } : {}),
      txHash: submission.hashes[0],
      nonce: submission.nonce,
    });
  }

  private async follow(task: DisputeTask): Promise<void> {
    const submission = task.submission!;
    const action = task.action ?? 'receiverClose';
    const mined = await this.sender.minedOf(submission.hashes);
    if (mined) {
      const where = `${action} ${mined.hash} in block ${mined.blockNumber}`;
      if (!mined.success) return this.finish(task, 'failed', `${where} reverted`);
      return this.finish(task, action === 'settle' ? 'settled' : 'won', `${where} mined`);
    }
    if (!isStuck(submission.sentAtMs, this.clock(), this.options.feePolicy)) return;
    if (await this.sender.isNonceUsed(submission.nonce)) {
      // Another transaction took the nonce (none of ours was mined): decide afresh with a new nonce.
      this.log.warn('dispute nonce taken by another transaction, sending again', {
        channelId: task.channelId,
      });
      return this.store.recordSubmission(task.channelId, undefined);
    }
    const replaced = await this.sender.replace(submission);
    if (!replaced) return;
    await this.store.recordSubmission(task.channelId, replaced, {
      action,
      ...(task.submittedBalance !== undefined ? { balance: task.submittedBalance } : {}),
    });
    this.onSignal('replaced');
    this.log.warn(`${action} stuck, replaced with higher fees`, {
      channelId: task.channelId,
      nonce: replaced.nonce,
      maxFeePerGas: replaced.fees.maxFeePerGas.toString(),
      txHash: replaced.hashes[replaced.hashes.length - 1],
    });
  }

  private async finish(task: DisputeTask, outcome: DisputeOutcome, detail: string): Promise<void> {
    await this.store.finish(task.channelId, outcome, detail);
    this.onSignal(outcome);
    const fields = { channelId: task.channelId, outcome, detail };
    if (outcome === 'failed' || outcome === 'missed') this.log.error('dispute task finished', fields);
    else this.log.info('dispute task finished', fields);
  }
}
