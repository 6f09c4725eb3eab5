import type { Address, Hex32 } from '@microraiden/protocol';
import { maxAmount, type ChannelRecord } from '../state/channel-record';

/** A channel manager event about one of the sender's channels, decoded from a log. */
export type ChannelEvent =
  | {
      readonly type: 'created';
      readonly channelId: Hex32;
      readonly sender: Address;
      readonly receiver: Address;
      readonly deposit: bigint;
      readonly blockNumber: number;
    }
  | { readonly type: 'toppedUp'; readonly channelId: Hex32; readonly deposit: bigint }
  | {
      readonly type: 'closeRequested';
      readonly channelId: Hex32;
      readonly balance: bigint;
      readonly settleAt: bigint;
    }
  | { readonly type: 'withdrawn'; readonly channelId: Hex32; readonly withdrawn: bigint }
  | {
      readonly type: 'settled';
      readonly channelId: Hex32;
      readonly balance: bigint;
      readonly receiverPaid: bigint;
      readonly senderRefund: bigint;
    };

/**
 * Applies one chain event to what is known of its channel. Events about a channel never seen created are
 * ignored (undefined stays undefined). Chain facts replace local ones; off-chain facts (signed proofs, the
 * gateway URL) are kept; the acknowledged balance only grows.
 */
export function evolveChannel(
  record: ChannelRecord | undefined,
  event: ChannelEvent,
): ChannelRecord | undefined {
  switch (event.type) {
    case 'created':
      return {
        id: event.channelId,
        sender: event.sender,
        receiver: event.receiver,
        deposit: event.deposit,
        signedBalance: record?.signedBalance ?? 0n,
        balanceSignature: record?.balanceSignature ?? null,
        acknowledgedBalance: record?.acknowledgedBalance ?? null,
        chargedBalance: record?.chargedBalance ?? null,
        withdrawn: 0n,
        state: 'open',
        settleAt: null,
        closingBalance: null,
        openedBlock: event.blockNumber,
        gatewayUrl: record?.gatewayUrl ?? null,
      };
    case 'toppedUp':
      return record && { ...record, deposit: event.deposit };
    case 'closeRequested':
      return (
        record && {
          ...record,
          state: 'closing',
          settleAt: event.settleAt,
          closingBalance: event.balance,
          acknowledgedBalance: maxAmount(record.acknowledgedBalance, event.balance),
        }
      );
    case 'withdrawn':
      return (
        record && {
          ...record,
          withdrawn: event.withdrawn,
          acknowledgedBalance: maxAmount(record.acknowledgedBalance, event.withdrawn),
        }
      );
    case 'settled':
      return (
        record && {
          ...record,
          state: 'settled',
          acknowledgedBalance: maxAmount(record.acknowledgedBalance, event.balance),
        }
      );
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/**
 * Rebuilds channels from the chain's events (in chain order) on top of the local records: chain facts
 * (deposit, state, settleAt, withdrawn) come from the events, the signed proofs and acknowledged balances
 * from the local file — a local balance higher than the chain knows is kept, since proofs are off-chain.
 * Local channels without events are kept unchanged.
 */
export function replayChannelEvents(
  local: Readonly<Record<Hex32, ChannelRecord>>,
  events: readonly ChannelEvent[],
): Record<Hex32, ChannelRecord> {
  const rebuilt: Record<Hex32, ChannelRecord> = {};
  for (const event of events) {
    const current =
      rebuilt[event.channelId] ?? (event.type === 'created' ? local[event.channelId] : undefined);
    const next = evolveChannel(current, event);
    if (next) rebuilt[event.channelId] = next;
  }
  // A replayed channel started from its local record at 'created', so it already carries the local proofs.
  return { ...local, ...rebuilt };
}
