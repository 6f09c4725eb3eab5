import { chainEventId, decodeEvent, encodeEvent, type Hex } from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { decodeChannelLog } from './channel-log-decoder';
import { aChannelLog, hashOf, TEST_MANAGER, TEST_RECEIVER, TEST_SENDER } from './testing/channel-log-builder';

const context = { chainId: 31337, channelManager: TEST_MANAGER, source: 'chain-watcher' };
const channelId = hashOf('channel');
const position = { blockNumber: 42, blockHash: hashOf('block 42'), index: 3, transactionHash: hashOf('tx') };

describe('decodeChannelLog', () => {
  it('decodes ChannelCloseRequested into channel.close-requested with its exact fields and id', () => {
    const log = aChannelLog(
      'ChannelCloseRequested',
      [channelId, TEST_SENDER, TEST_RECEIVER, 250n, 1_700_003_600n],
      position,
    );
    const event = decodeChannelLog(log, 1_700_000_000, context);
    expect(event).toEqual({
      id: chainEventId({
        chainId: 31337,
        blockHash: position.blockHash,
        transactionHash: position.transactionHash,
        logIndex: 3,
      }),
      type: 'channel.close-requested',
      version: 1,
      occurredAt: '2023-11-14T22:13:20.000Z',
      source: 'chain-watcher',
      data: {
        channelId,
        sender: TEST_SENDER,
        receiver: TEST_RECEIVER,
        balance: 250n,
        settleAt: 1_700_003_600n,
        chainId: 31337,
        channelManager: TEST_MANAGER,
        blockNumber: 42,
        blockHash: position.blockHash,
        transactionHash: position.transactionHash,
        logIndex: 3,
      },
    });
    // The event passes the catalogue's own schema (id check included).
    expect(decodeEvent(encodeEvent(event!))).toMatchObject({ ok: true });
  });

  it.each([
    [
      'ChannelCreated',
      [channelId, TEST_SENDER, TEST_RECEIVER, 1_000n],
      'channel.created',
      { deposit: 1_000n },
    ],
    [
      'ChannelToppedUp',
      [channelId, TEST_SENDER, TEST_RECEIVER, 5n, 1_005n],
      'channel.topped-up',
      { added: 5n, deposit: 1_005n },
    ],
    [
      'ChannelSettled',
      [channelId, TEST_SENDER, TEST_RECEIVER, 300n, 200n, 700n],
      'channel.settled',
      { balance: 300n, receiverPaid: 200n, senderRefund: 700n },
    ],
    [
      'ChannelWithdrawn',
      [channelId, TEST_SENDER, TEST_RECEIVER, 100n, 100n],
      'channel.withdrawn',
      { amount: 100n, withdrawn: 100n },
    ],
  ] as const)('decodes %s into %s', (name, args, type, fields) => {
    const event = decodeChannelLog(aChannelLog(name, args, position), 1_700_000_000, context);
    expect(event?.type).toBe(type);
    expect(event?.data).toMatchObject({ channelId, sender: TEST_SENDER, receiver: TEST_RECEIVER, ...fields });
  });

  it('decodes ChannelSignerSet into channel.signer-set with the parties of its channel.created', () => {
    const signer = TEST_MANAGER;
    const log = aChannelLog('ChannelSignerSet', [channelId, signer], position);
    const parties = { sender: TEST_SENDER as Hex, receiver: TEST_RECEIVER as Hex };
    const event = decodeChannelLog(log, 1_700_000_000, context, (id) =>
      id === channelId ? parties : undefined,
    );
    expect(event?.type).toBe('channel.signer-set');
    expect(event?.data).toEqual({
      channelId,
      sender: TEST_SENDER,
      receiver: TEST_RECEIVER,
      signer,
      chainId: 31337,
      channelManager: TEST_MANAGER,
      blockNumber: 42,
      blockHash: position.blockHash,
      transactionHash: position.transactionHash,
      logIndex: 3,
    });
    expect(decodeEvent(encodeEvent(event!))).toMatchObject({ ok: true });
    // Without its creation (never the case in a range read in log order) it names no parties: not published.
    expect(decodeChannelLog(log, 1_700_000_000, context)).toBeUndefined();
  });

  it('ignores logs of another contract and removed logs', () => {
    const args = [channelId, TEST_SENDER, TEST_RECEIVER, 1n] as const;
    const other = aChannelLog('ChannelCreated', args, { ...position, address: TEST_SENDER });
    expect(decodeChannelLog(other, 0, context)).toBeUndefined();
    const removed = { ...aChannelLog('ChannelCreated', args, position), removed: true };
    expect(decodeChannelLog(removed, 0, context)).toBeUndefined();
  });

  it('ignores logs it cannot parse', () => {
    const garbage = {
      ...aChannelLog('ChannelCreated', [channelId, TEST_SENDER, TEST_RECEIVER, 1n], position),
      topics: [hashOf('x')],
    };
    expect(decodeChannelLog(garbage, 0, context)).toBeUndefined();
  });
});
