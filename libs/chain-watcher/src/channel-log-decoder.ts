import { microTransferChannelsAbi } from '@microraiden/contracts';
import { createChannelEvent, type ChannelLogEvent, type Hex } from '@microraiden/events';
import { checksummedAddress } from '@microraiden/protocol';
import { Interface } from 'ethers';
import type { RawLog } from './block-ref';

const managerInterface = new Interface(microTransferChannelsAbi);

/** Where decoded logs come from and who the events name as their source. */
export interface LogContext {
  chainId: number;
  channelManager: string;
  source: string;
}

/** A channel's parties, as its `ChannelCreated` log names them. */
export interface ChannelParties {
  sender: Hex;
  receiver: Hex;
}

/**
 * Decode one channel manager log into its channel event (deterministic id, `occurredAt` = the block's
 * timestamp). Undefined for logs of other contracts or events the catalogue does not mirror.
 *
 * `ChannelSignerSet` names only the channel and the signer; its event takes the parties from `partiesOf`, which
 * knows the `ChannelCreated` logs decoded before it. The contract emits both in one transaction, signer right
 * after creation, so a caller decoding a block range in log order always has them; undefined if not.
 */
export function decodeChannelLog(
  log: RawLog,
  blockTimestamp: number,
  context: LogContext,
  partiesOf: (channelId: Hex) => ChannelParties | undefined = () => undefined,
): ChannelLogEvent | undefined {
  if (log.removed) return undefined;
  if (checksummedAddress(log.address) !== checksummedAddress(context.channelManager)) return undefined;
  let parsed;
  try {
    parsed = managerInterface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const position = {
    chainId: context.chainId,
    channelManager: checksummedAddress(context.channelManager) as Hex,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash.toLowerCase() as Hex,
    transactionHash: log.transactionHash.toLowerCase() as Hex,
    logIndex: log.index,
  };
  const args = parsed.args;
  const meta = { source: context.source, occurredAt: new Date(blockTimestamp * 1000).toISOString() };
  if (parsed.name === 'ChannelSignerSet') {
    const channelId = String(args.getValue('channelId')).toLowerCase() as Hex;
    const parties = partiesOf(channelId);
    if (parties === undefined) return undefined;
    const signer = checksummedAddress(String(args.getValue('signer'))) as Hex;
    return createChannelEvent('channel.signer-set', { channelId, ...parties, signer, ...position }, meta);
  }
  const parties = {
    channelId: String(args.getValue('channelId')).toLowerCase() as Hex,
    sender: checksummedAddress(String(args.getValue('sender'))) as Hex,
    receiver: checksummedAddress(String(args.getValue('receiver'))) as Hex,
  };
  const amount = (name: string): bigint => BigInt(args.getValue(name) as bigint);
  switch (parsed.name) {
    case 'ChannelCreated':
      return createChannelEvent(
        'channel.created',
        { ...parties, deposit: amount('deposit'), ...position },
        meta,
      );
    case 'ChannelToppedUp':
      return createChannelEvent(
        'channel.topped-up',
        { ...parties, added: amount('added'), deposit: amount('deposit'), ...position },
        meta,
      );
    case 'ChannelCloseRequested':
      return createChannelEvent(
        'channel.close-requested',
        { ...parties, balance: amount('balance'), settleAt: amount('settleAt'), ...position },
        meta,
      );
    case 'ChannelSettled':
      return createChannelEvent(
        'channel.settled',
        {
          ...parties,
          balance: amount('balance'),
          receiverPaid: amount('receiverPaid'),
          senderRefund: amount('senderRefund'),
          ...position,
        },
        meta,
      );
    case 'ChannelWithdrawn':
      return createChannelEvent(
        'channel.withdrawn',
        { ...parties, amount: amount('amount'), withdrawn: amount('withdrawn'), ...position },
        meta,
      );
    default:
      return undefined;
  }
}

/** Topic0 of every event the decoder mirrors, for an `eth_getLogs` filter. */
export const CHANNEL_EVENT_TOPICS: readonly string[] = [
  'ChannelCreated',
  'ChannelToppedUp',
  'ChannelCloseRequested',
  'ChannelSettled',
  'ChannelWithdrawn',
  'ChannelSignerSet',
].map((name) => managerInterface.getEvent(name)!.topicHash);
