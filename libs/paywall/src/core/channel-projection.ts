import type { ChannelLogEvent } from '@microraiden/events';

/** A channel's on-chain facts as the applied (not retracted) chain events tell them. */
export interface ChainChannelFacts {
  readonly sender: string;
  readonly receiver: string;
  /** The balance signer a `channel.signer-set` named; null when none is applied. */
  readonly signer: string | null;
  /** True once a `channel.created` is applied: the chain-watcher publishes only at its confirmation depth. */
  readonly confirmed: boolean;
  /** The confirmed deposit: only grows while events are applied; a retracted top-up takes its part back. */
  readonly deposit: bigint;
  /** Cumulative amount the receiver has withdrawn on chain. */
  readonly withdrawn: bigint;
  readonly chainState: 'open' | 'closing' | 'settled';
  /** Unix seconds from which the sender may settle an uncooperative close; null while open. */
  readonly settleAt: bigint | null;
}

/** Position of a log, for ordering events of one channel as the chain ordered them. */
function position(event: ChannelLogEvent): [number, number] {
  return [event.data.blockNumber, event.data.logIndex];
}

/**
 * Folds a channel's applied chain events into its facts. Events are ordered by chain position first, so the
 * result does not depend on delivery order and replaying or re-applying an event changes nothing. Returns
 * undefined when no event is applied (the channel is unknown).
 */
export function projectChannel(events: readonly ChannelLogEvent[]): ChainChannelFacts | undefined {
  if (events.length === 0) return undefined;
  const ordered = [...events].sort((a, b) => {
    const [blockA, logA] = position(a);
    const [blockB, logB] = position(b);
    return blockA - blockB || logA - logB;
  });
  const first = ordered[0] as ChannelLogEvent;
  let confirmed = false;
  let deposit = 0n;
  let withdrawn = 0n;
  let chainState: ChainChannelFacts['chainState'] = 'open';
  let settleAt: bigint | null = null;
  let signer: string | null = null;
  for (const event of ordered) {
    switch (event.type) {
      case 'channel.created':
        confirmed = true;
        deposit = max(deposit, event.data.deposit);
        break;
      case 'channel.topped-up':
        deposit = max(deposit, event.data.deposit);
        break;
      case 'channel.withdrawn':
        withdrawn = max(withdrawn, event.data.withdrawn);
        break;
      case 'channel.close-requested':
        if (chainState === 'open') chainState = 'closing';
        settleAt = event.data.settleAt;
        break;
      case 'channel.settled':
        chainState = 'settled';
        break;
      case 'channel.signer-set':
        signer = event.data.signer;
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled channel event ${(unreachable as { type: string }).type}`);
      }
    }
  }
  return {
    sender: first.data.sender,
    receiver: first.data.receiver,
    signer,
    confirmed,
    deposit,
    withdrawn,
    chainState,
    settleAt,
  };
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
