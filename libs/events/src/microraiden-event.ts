import type { z } from 'zod';
import { balanceProofAcceptedV1Schema, type BalanceProofAcceptedV1 } from './balance-proof-events';
import {
  channelCloseRequestedV1Schema,
  channelCreatedV1Schema,
  channelEventRetractedV1Schema,
  channelSettledV1Schema,
  channelToppedUpV1Schema,
  channelWithdrawnV1Schema,
  type ChannelEvent,
} from './channel-events';

/** Every event any service may publish: the one union consumers switch over (with a `never` check). */
export type MicroraidenEvent = BalanceProofAcceptedV1 | ChannelEvent;

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
  'channel.created': { 1: channelCreatedV1Schema },
  'channel.topped-up': { 1: channelToppedUpV1Schema },
  'channel.close-requested': { 1: channelCloseRequestedV1Schema },
  'channel.settled': { 1: channelSettledV1Schema },
  'channel.withdrawn': { 1: channelWithdrawnV1Schema },
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
