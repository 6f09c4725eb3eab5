import { randomBytes } from 'node:crypto';
import {
  createChannelEvent,
  type ChannelLogEvent,
  type ChannelLogEventData,
  type ChannelLogEventType,
} from '@microraiden/events';
import type { Address, Hex32 } from '@microraiden/protocol';
import type { Deployment } from '@microraiden/contracts';

let block = 1_000_000;

/** A random channel id. */
export function randomChannelId(): Hex32 {
  return `0x${randomBytes(32).toString('hex')}` as Hex32;
}

/**
 * A channel event as the chain-watcher would publish it for `deployment`, at a fresh chain position: the
 * gateway trusts the watcher, so channels need not exist on chain unless a test settles on chain.
 */
export function channelEvent<T extends ChannelLogEventType>(
  deployment: Deployment,
  type: T,
  fields: Omit<
    ChannelLogEventData<T>,
    'chainId' | 'channelManager' | 'blockNumber' | 'blockHash' | 'transactionHash' | 'logIndex'
  >,
): Extract<ChannelLogEvent, { type: T }> {
  block += 1;
  const data = {
    ...fields,
    chainId: deployment.chainId,
    channelManager: deployment.channelManager as Address,
    blockNumber: block,
    blockHash: `0x${randomBytes(32).toString('hex')}`,
    transactionHash: `0x${randomBytes(32).toString('hex')}`,
    logIndex: 0,
  } as unknown as ChannelLogEventData<T>;
  return createChannelEvent(type, data, { source: 'chain-watcher', occurredAt: new Date().toISOString() });
}
