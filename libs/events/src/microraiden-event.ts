import type { z } from 'zod';
import {
  balanceProofCloseSignedV1Schema,
  type BalanceProofCloseSignedV1,
} from './balance-proof-close-signed';
import { balanceProofChargedV1Schema, type BalanceProofChargedV1 } from './balance-proof-charged';
import { balanceProofAcceptedV1Schema, type BalanceProofAcceptedV1 } from './balance-proof-events';
import {
  channelCloseRequestedV1Schema,
  channelCreatedV1Schema,
  channelEventRetractedV1Schema,
  channelSettledV1Schema,
  channelSignerSetV1Schema,
  channelToppedUpV1Schema,
  channelWithdrawnV1Schema,
  CHANNEL_LOG_EVENT_TYPES,
  type ChannelEvent,
  type ChannelLogEvent,
} from './channel-events';

/** Every event any service may publish: the one union consumers switch over (with a `never` check). */
export type MicroraidenEvent = BalanceProofEvent | ChannelEvent;

/** Everything published on the balance-proofs topic: the gateway's off-chain facts about a channel. */
export type BalanceProofEvent = BalanceProofAcceptedV1 | BalanceProofChargedV1 | BalanceProofCloseSignedV1;

const CHANNEL_LOG_TYPES: ReadonlySet<string> = new Set(CHANNEL_LOG_EVENT_TYPES);

/** Whether `event` mirrors one contract log (a channel event other than a retraction); narrows its type. */
export function isChannelLogEvent(event: MicroraidenEvent): event is ChannelLogEvent {
  return CHANNEL_LOG_TYPES.has(event.type);
}

/** Whether `event` belongs on the channels topic (a contract log's mirror or a retraction); narrows its type. */
export function isChannelEvent(event: MicroraidenEvent): event is ChannelEvent {
  return isChannelLogEvent(event) || event.type === 'channel.event-retracted';
}

/** The `type` of some {@link MicroraidenEvent}. */
export type EventType = MicroraidenEvent['type'];

/** The event (all versions) of type `T`. */
export type EventOfType<T extends EventType> = Extract<MicroraidenEvent, { type: T }>;

/**
 * Schema of every known (type, version). A new version is added here next to the old one; decoders keep
 * accepting the old one until no topic retains it.
 */
export const EVENT_SCHEMAS = {
  'balance-proof.accepted': { 1: balanceProofAcceptedV1Schema },
  'balance-proof.charged': { 1: balanceProofChargedV1Schema },
  'balance-proof.close-signed': { 1: balanceProofCloseSignedV1Schema },
  'channel.created': { 1: channelCreatedV1Schema },
  'channel.topped-up': { 1: channelToppedUpV1Schema },
  'channel.close-requested': { 1: channelCloseRequestedV1Schema },
  'channel.settled': { 1: channelSettledV1Schema },
  'channel.withdrawn': { 1: channelWithdrawnV1Schema },
  'channel.signer-set': { 1: channelSignerSetV1Schema },
  'channel.event-retracted': { 1: channelEventRetractedV1Schema },
} as const satisfies { [T in EventType]: Record<number, z.ZodType<EventOfType<T>, unknown>> };

/** True when this build knows some version of event type `type`. */
export function isKnownEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

/** Schema of one (type, version), or undefined when this build does not know it. */
export function schemaFor(type: string, version: number): z.ZodType<MicroraidenEvent, unknown> | undefined {
  if (!isKnownEventType(type)) return undefined;
  const versions: Record<number, z.ZodType<MicroraidenEvent, unknown>> = EVENT_SCHEMAS[type];
  return Object.hasOwn(versions, version) ? versions[version] : undefined;
}
