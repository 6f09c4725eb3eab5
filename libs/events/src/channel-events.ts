import { z } from 'zod';
import { eventSchema } from './event-envelope';
import { keccakOfText, keccakOfWords } from './keccak-words';
import { whenFieldsValid } from './when-fields-valid';
import {
  addressField,
  amountField,
  blockIntegerField,
  bytes32Field,
  chainIdField,
  uint64Field,
  type Hex,
} from './wire-fields';

/** Where a log sits on the chain; together with `chainId` it identifies the log for as long as its block is canonical. */
const chainPosition = {
  chainId: chainIdField,
  channelManager: addressField,
  blockNumber: blockIntegerField,
  blockHash: bytes32Field,
  transactionHash: bytes32Field,
  logIndex: blockIntegerField,
};

/** The indexed topics every channel event carries. */
const channelParties = {
  channelId: bytes32Field,
  sender: addressField,
  receiver: addressField,
};

/** Chain events are facts the contract already enforced: only types are checked, never business rules. */
function chainEventSchema<const Type extends string, Shape extends z.ZodRawShape>(type: Type, fields: Shape) {
  return eventSchema(type, 1, z.object({ ...channelParties, ...fields, ...chainPosition })).superRefine(
    (event, ctx) => {
      // The generic shape hides the position fields from the compiler; the object spread above guarantees them.
      const position = event.data as unknown as LogPosition;
      if (event.id.toLowerCase() !== chainEventId(position))
        ctx.addIssue({ code: 'custom', path: ['id'], message: 'id is not the deterministic id of this log' });
    },
    whenFieldsValid,
  );
}

/** `channel.created` v1, from `ChannelCreated`. */
export const channelCreatedV1Schema = chainEventSchema('channel.created', {
  deposit: amountField,
});

/** `channel.topped-up` v1, from `ChannelToppedUp`; `deposit` is the new total. */
export const channelToppedUpV1Schema = chainEventSchema('channel.topped-up', {
  added: amountField,
  deposit: amountField,
});

/** `channel.close-requested` v1, from `ChannelCloseRequested` (the sender's uncooperative close). */
export const channelCloseRequestedV1Schema = chainEventSchema('channel.close-requested', {
  balance: amountField,
  /** Unix seconds from which `settle` works and disputes do not. */
  settleAt: uint64Field,
});

/** `channel.settled` v1, from `ChannelSettled`; the channel no longer exists on chain. */
export const channelSettledV1Schema = chainEventSchema('channel.settled', {
  balance: amountField,
  receiverPaid: amountField,
  senderRefund: amountField,
});

/** `channel.withdrawn` v1, from `ChannelWithdrawn`; `withdrawn` is the new total. */
export const channelWithdrawnV1Schema = chainEventSchema('channel.withdrawn', {
  amount: amountField,
  withdrawn: amountField,
});

/**
 * `channel.signer-set` v1, from `ChannelSignerSet`: balance proofs signed by `signer` (a session key the sender's
 * client holds) count as the sender's on this channel, for its whole life. Emitted in the transaction that
 * created the channel, right after its `channel.created`. The log carries only the channel id and the signer;
 * `sender` and `receiver` come from that `ChannelCreated` log, so every channel event names its parties.
 */
export const channelSignerSetV1Schema = chainEventSchema('channel.signer-set', {
  signer: addressField,
});

/** Types of the events that mirror one contract log each. */
export const CHANNEL_LOG_EVENT_TYPES = [
  'channel.created',
  'channel.topped-up',
  'channel.close-requested',
  'channel.settled',
  'channel.withdrawn',
  'channel.signer-set',
] as const;

/** One of {@link CHANNEL_LOG_EVENT_TYPES}. */
export type ChannelLogEventType = (typeof CHANNEL_LOG_EVENT_TYPES)[number];

/**
 * `channel.event-retracted` v1: a chain reorg removed the log behind an earlier channel event. Carries the
 * retracted event's id, type and position; consumers undo that event (see the README for the exact rule).
 */
export const channelEventRetractedV1Schema = eventSchema(
  'channel.event-retracted',
  1,
  z.object({
    channelId: bytes32Field,
    retractedEventId: bytes32Field,
    retractedType: z.enum(CHANNEL_LOG_EVENT_TYPES),
    ...chainPosition,
  }),
).superRefine((event, ctx) => {
  const retracted = chainEventId(event.data);
  if (event.data.retractedEventId.toLowerCase() !== retracted)
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'retractedEventId'],
      message: 'retractedEventId does not match the chain position',
    });
  else if (event.id.toLowerCase() !== retractionEventId(retracted))
    ctx.addIssue({
      code: 'custom',
      path: ['id'],
      message: 'id is not the deterministic id of this retraction',
    });
}, whenFieldsValid);

/** `channel.created` v1 as TypeScript sees it. */
export type ChannelCreatedV1 = z.output<typeof channelCreatedV1Schema>;
/** `channel.topped-up` v1 as TypeScript sees it. */
export type ChannelToppedUpV1 = z.output<typeof channelToppedUpV1Schema>;
/** `channel.close-requested` v1 as TypeScript sees it. */
export type ChannelCloseRequestedV1 = z.output<typeof channelCloseRequestedV1Schema>;
/** `channel.settled` v1 as TypeScript sees it. */
export type ChannelSettledV1 = z.output<typeof channelSettledV1Schema>;
/** `channel.withdrawn` v1 as TypeScript sees it. */
export type ChannelWithdrawnV1 = z.output<typeof channelWithdrawnV1Schema>;
/** `channel.signer-set` v1 as TypeScript sees it. */
export type ChannelSignerSetV1 = z.output<typeof channelSignerSetV1Schema>;
/** `channel.event-retracted` v1 as TypeScript sees it. */
export type ChannelEventRetractedV1 = z.output<typeof channelEventRetractedV1Schema>;

/** An event that mirrors one contract log. */
export type ChannelLogEvent =
  | ChannelCreatedV1
  | ChannelToppedUpV1
  | ChannelCloseRequestedV1
  | ChannelSettledV1
  | ChannelWithdrawnV1
  | ChannelSignerSetV1;

/** Everything published on the channels topic. */
export type ChannelEvent = ChannelLogEvent | ChannelEventRetractedV1;

/** Position of a log on the chain. */
export type ChainPosition = Pick<
  ChannelCreatedV1['data'],
  'chainId' | 'channelManager' | 'blockNumber' | 'blockHash' | 'transactionHash' | 'logIndex'
>;

/** What identifies one log on one chain. */
export type LogPosition = Pick<ChainPosition, 'chainId' | 'blockHash' | 'transactionHash' | 'logIndex'>;

/**
 * Deterministic id of the event for one log: keccak256(abi.encode(chainId, blockHash, transactionHash, logIndex)).
 * Re-publishing a log (watcher restart, replay) yields the same id; the same log re-mined in another block after a
 * reorg yields a new one.
 */
export function chainEventId(position: LogPosition): Hex {
  return keccakOfWords([position.chainId, position.blockHash, position.transactionHash, position.logIndex]);
}

const RETRACTION_TAG = keccakOfText('microraiden.channel.event-retracted');

/** Deterministic id of the retraction of event `retractedEventId`: keccak256(abi.encode(tag, retractedEventId)). */
export function retractionEventId(retractedEventId: Hex): Hex {
  return keccakOfWords([RETRACTION_TAG, retractedEventId]);
}

/** The `data` of the channel log event of type `T`. */
export type ChannelLogEventData<T extends ChannelLogEventType> = Extract<
  ChannelLogEvent,
  { type: T }
>['data'];

/** Build a channel log event with its deterministic id; `occurredAt` should be the block's timestamp. */
export function createChannelEvent<T extends ChannelLogEventType>(
  type: T,
  data: ChannelLogEventData<T>,
  meta: { source: string; occurredAt: string },
): Extract<ChannelLogEvent, { type: T }> {
  const event = {
    id: chainEventId(data),
    type,
    version: 1 as const,
    occurredAt: meta.occurredAt,
    source: meta.source,
    data,
  };
  return event as unknown as Extract<ChannelLogEvent, { type: T }>;
}

/** Build the retraction of `event` (its log was removed by a reorg); `occurredAt` is when the reorg was seen. */
export function createRetraction(
  event: ChannelLogEvent,
  meta: { source: string; occurredAt: string },
): ChannelEventRetractedV1 {
  const { chainId, channelManager, blockNumber, blockHash, transactionHash, logIndex, channelId } =
    event.data;
  const retractedEventId = chainEventId(event.data);
  return {
    id: retractionEventId(retractedEventId),
    type: 'channel.event-retracted',
    version: 1,
    occurredAt: meta.occurredAt,
    source: meta.source,
    data: {
      channelId,
      retractedEventId,
      retractedType: event.type,
      chainId,
      channelManager,
      blockNumber,
      blockHash,
      transactionHash,
      logIndex,
    },
  };
}
