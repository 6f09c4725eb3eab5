import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, type EventType } from './microraiden-event';
import {
  aBalanceProofAccepted,
  aBalanceProofCharged,
  aBalanceProofCloseSigned,
  aChannelId,
  aChannelSettled,
  aRetraction,
} from './testing/event-builders';
import { TOPICS, partitionKeyOf, topicFor } from './topics';

describe('topic catalogue', () => {
  it('routes balance proofs and chain events to their topics', () => {
    expect(topicFor(aBalanceProofAccepted())).toBe('microraiden.balance-proofs.v1');
    expect(topicFor(aBalanceProofCharged())).toBe('microraiden.balance-proofs.v1');
    expect(topicFor(aBalanceProofCloseSigned())).toBe('microraiden.balance-proofs.v1');
    expect(topicFor(aChannelSettled())).toBe('microraiden.channels.v1');
    expect(topicFor(aRetraction())).toBe('microraiden.channels.v1');
    expect(TOPICS.deadLetter.name).toBe('microraiden.dead-letter.v1');
  });

  it('lists every event type on exactly the topic topicFor picks', () => {
    const types = Object.keys(EVENT_SCHEMAS) as EventType[];
    for (const type of types) {
      const carriers = Object.values(TOPICS).filter((t) =>
        (t.eventTypes as readonly string[]).includes(type),
      );
      expect(
        carriers.map((t) => t.name),
        type,
      ).toEqual([topicFor(type)]);
    }
  });

  it('keys every event by its channel id so one channel stays in one partition', () => {
    const channelId = aChannelId('keyed');
    expect(partitionKeyOf(aBalanceProofAccepted({ channelId }))).toBe(channelId);
    expect(partitionKeyOf(aBalanceProofCloseSigned({ channelId }))).toBe(channelId);
    expect(partitionKeyOf(aChannelSettled({ channelId }))).toBe(channelId);
    expect(partitionKeyOf(aRetraction(aChannelSettled({ channelId })))).toBe(channelId);
  });

  it('keeps event topics forever so projections can be rebuilt from offset 0', () => {
    expect(TOPICS.balanceProofs.config['retention.ms']).toBe('-1');
    expect(TOPICS.channels.config['retention.ms']).toBe('-1');
  });
});
