import { BALANCE_PROOF_CHARGED } from './balance-proof-charged';
import { BALANCE_PROOF_CLOSE_SIGNED } from './balance-proof-close-signed';
import { BALANCE_PROOF_ACCEPTED } from './balance-proof-events';
import { CHANNEL_LOG_EVENT_TYPES } from './channel-events';
import type { EventType, MicroraidenEvent } from './microraiden-event';

/** A topic of the catalogue: its name, what it carries and the config it is created with. */
export interface TopicDefinition {
  readonly name: string;
  /** Event types published on it; empty for the dead-letter topic, which carries raw failed messages. */
  readonly eventTypes: readonly EventType[];
  /** Topic-level config applied on creation (see ensureTopics in @microraiden/kafka). */
  readonly config: Readonly<Record<string, string>>;
}

// Projections are rebuilt by replaying from offset 0, so nothing may ever be deleted by time or size.
const KEEP_FOREVER = { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' } as const;

/**
 * Every topic the services share. Event topics are keyed by channel id so one channel's events stay in one
 * partition, in publish order. The `.v1` suffix changes only if keys or partitioning change, not per event version.
 */
export const TOPICS = {
  balanceProofs: {
    name: 'microraiden.balance-proofs.v1',
    eventTypes: [BALANCE_PROOF_ACCEPTED, BALANCE_PROOF_CHARGED, BALANCE_PROOF_CLOSE_SIGNED],
    config: KEEP_FOREVER,
  },
  channels: {
    name: 'microraiden.channels.v1',
    eventTypes: [...CHANNEL_LOG_EVENT_TYPES, 'channel.event-retracted'],
    config: KEEP_FOREVER,
  },
  /** Messages consumers could not decode or handle, byte for byte, with the reason in headers. */
  deadLetter: {
    name: 'microraiden.dead-letter.v1',
    eventTypes: [],
    config: KEEP_FOREVER,
  },
} as const satisfies Record<string, TopicDefinition>;

/** Name of the catalogue topic an event (or event type) is published on. */
export function topicFor(event: MicroraidenEvent | EventType): string {
  const type = typeof event === 'string' ? event : event.type;
  // Off-chain facts from the gateway go with the balance proofs; everything else mirrors the chain.
  return type === BALANCE_PROOF_ACCEPTED ||
    type === BALANCE_PROOF_CHARGED ||
    type === BALANCE_PROOF_CLOSE_SIGNED
    ? TOPICS.balanceProofs.name
    : TOPICS.channels.name;
}

/** Kafka message key of an event: its channel id, so per-channel order holds. */
export function partitionKeyOf(event: MicroraidenEvent): string {
  return event.data.channelId.toLowerCase();
}
