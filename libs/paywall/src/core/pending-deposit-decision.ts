import { ProtocolError, sameAddress, type Address, type Payment } from '@microraiden/protocol';

/** One creation or top-up of a channel, as its log on chain says. */
export interface DepositChange {
  readonly kind: 'created' | 'topped-up';
  /** The block of the log. */
  readonly block: number;
  /** The channel's total deposit after this change. */
  readonly deposit: bigint;
}

/** What the gateway read from the chain about one channel, all at one head. */
export interface ChainChannelState {
  /** The latest block number when read; a log in block `b` has `head - b` confirmations. */
  readonly head: number;
  /** The channel in block `head`; undefined when it does not exist there. */
  readonly channel:
    | {
        readonly sender: Address;
        readonly receiver: Address;
        readonly deposit: bigint;
        /** An uncooperative close was requested (`settleAt != 0`). */
        readonly closing: boolean;
      }
    | undefined;
  /**
   * The channel's creation and top-ups in blocks `head - required ..= head`, oldest first: every change that may
   * not be confirmed yet, and the first confirmed block.
   */
  readonly recentChanges: readonly DepositChange[];
}

/** Refusals the chain may turn into CHANNEL_INSUFFICIENT_CONFIRMATIONS. */
export const PENDING_CANDIDATES: ReadonlySet<string> = new Set([
  'CHANNEL_NOT_FOUND',
  'BALANCE_EXCEEDS_DEPOSIT',
]);

/**
 * Judges again a CHANNEL_NOT_FOUND or BALANCE_EXCEEDS_DEPOSIT, which the gateway decided on what the chain-watcher
 * published (only changes with `required` confirmations), against the chain's latest block (docs/protocol.md
 * section 6, step 9): when the chain already has the channel, or a deposit covering the proof, the client must wait
 * for confirmations (CHANNEL_INSUFFICIENT_CONFIRMATIONS) and not top up again or open another channel. Returns
 * `refusal` unchanged otherwise.
 */
export function decidePendingDeposit(input: {
  readonly refusal: ProtocolError;
  readonly payment: Payment;
  readonly receiver: Address;
  readonly chain: ChainChannelState;
  readonly required: number;
}): ProtocolError {
  const { refusal, payment, chain } = input;
  const channel = chain.channel;
  if (!PENDING_CANDIDATES.has(refusal.code) || channel === undefined || channel.closing) return refusal;
  if (!sameAddress(channel.receiver, input.receiver) || !sameAddress(channel.sender, payment.sender)) {
    return refusal;
  }
  const covered = payment.balance <= channel.deposit;
  if (refusal.code === 'BALANCE_EXCEEDS_DEPOSIT' && !covered) return refusal;
  // The change the proof waits for: the first that left a deposit covering it; for an unknown channel whose deposit
  // does not cover it, its creation (section 6 judges confirmations before the deposit).
  const awaited = covered
    ? input.chain.recentChanges.find((change) => change.deposit >= payment.balance)
    : input.chain.recentChanges.find((change) => change.kind === 'created');
  if (awaited === undefined) {
    // Older than the window: confirmed on chain, but the chain-watcher's event has not reached this gateway yet.
    return new ProtocolError('CHANNEL_INSUFFICIENT_CONFIRMATIONS', {
      required: input.required,
      reason: 'confirmed on chain, not yet seen by the gateway',
    });
  }
  const confirmations = chain.head - awaited.block;
  return new ProtocolError('CHANNEL_INSUFFICIENT_CONFIRMATIONS', {
    reason: awaited.kind === 'created' ? 'channel not confirmed yet' : 'top-up not confirmed yet',
    confirmations,
    required: input.required,
    missing: Math.max(0, input.required - confirmations),
  });
}
