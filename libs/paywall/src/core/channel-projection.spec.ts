import {
  aChannelCloseRequested,
  aChannelCreated,
  aChannelSettled,
  aChannelToppedUp,
  aChannelWithdrawn,
} from '@microraiden/events';
import { describe, expect, it } from 'vitest';
import { projectChannel } from './channel-projection';

const at = (blockNumber: number, logIndex = 0) => ({ blockNumber, logIndex });

describe('projectChannel', () => {
  const created = aChannelCreated({ ...at(10), deposit: 1000n });
  const toppedUp = aChannelToppedUp({ ...at(11), added: 500n, deposit: 1500n });
  const withdrawn = aChannelWithdrawn({ ...at(12), amount: 200n, withdrawn: 200n });

  it('knows nothing without applied events', () => {
    expect(projectChannel([])).toBeUndefined();
  });

  it('folds creation, top-up and withdrawal', () => {
    expect(projectChannel([created, toppedUp, withdrawn])).toEqual({
      sender: created.data.sender,
      receiver: created.data.receiver,
      signer: null,
      confirmed: true,
      deposit: 1500n,
      withdrawn: 200n,
      chainState: 'open',
      settleAt: null,
    });
  });

  it('does not depend on delivery order and ignores duplicates', () => {
    const inOrder = projectChannel([created, toppedUp, withdrawn]);
    expect(projectChannel([withdrawn, toppedUp, created, toppedUp, created])).toEqual(inOrder);
  });

  it('takes a top-up back when it is no longer applied (retracted)', () => {
    expect(projectChannel([created, withdrawn])?.deposit).toBe(1000n);
  });

  it('is unconfirmed when only later events remain (creation retracted)', () => {
    expect(projectChannel([toppedUp])).toMatchObject({ confirmed: false, deposit: 1500n });
  });

  it('moves to closing and then settled', () => {
    const close = aChannelCloseRequested({ ...at(13), settleAt: 99n });
    expect(projectChannel([created, close])).toMatchObject({ chainState: 'closing', settleAt: 99n });
    expect(projectChannel([created, close, aChannelSettled(at(14))])).toMatchObject({
      chainState: 'settled',
    });
  });
});
