import type { MicroraidenEvent } from '@microraiden/events';
import type { Address, Hex32 } from '@microraiden/protocol';
import type { ChannelSnapshot, ProofToAccept } from '../core/channel-snapshot';
import type { ChannelStore } from '../core/channel-store';

/**
 * A ChannelStore in memory with the same compare-and-set rules as the Postgres one, for unit tests of code built
 * on the paywall (never for integration tests: those use the real table). Outboxed events are collected.
 */
export class InMemoryChannelStore implements ChannelStore {
  readonly channels = new Map<string, ChannelSnapshot>();
  readonly events: MicroraidenEvent[] = [];
  /** Set to make every call fail like an unreachable database. */
  failing = false;
  /** What a failing store throws. */
  failure: Error = new Error('database unreachable');

  /** Adds or replaces a channel; defaults: open, confirmed, nothing accepted, charged = accepted. */
  put(channel: {
    channelId: Hex32;
    sender: Address;
    receiver: Address;
    signer?: Address;
    deposit: bigint;
    state?: ChannelSnapshot['state'];
    confirmed?: boolean;
    acceptedBalance?: bigint;
    chargedBalance?: bigint;
  }): void {
    this.channels.set(channel.channelId, {
      state: 'open',
      confirmed: true,
      ...channel,
      acceptedBalance: channel.acceptedBalance ?? 0n,
      chargedBalance: channel.chargedBalance ?? channel.acceptedBalance ?? 0n,
    });
  }

  async snapshot(channelId: Hex32): Promise<ChannelSnapshot | undefined> {
    this.check();
    return this.channels.get(channelId);
  }

  async accept(proof: ProofToAccept, event: MicroraidenEvent): Promise<boolean> {
    this.check();
    const row = this.channels.get(proof.channelId);
    if (
      row === undefined ||
      row.state !== 'open' ||
      !row.confirmed ||
      proof.balance > row.deposit ||
      row.acceptedBalance !== proof.expectedPrevious ||
      row.chargedBalance !== proof.expectedCharged ||
      proof.balance <= proof.expectedPrevious ||
      proof.balance - proof.expectedCharged < proof.price ||
      proof.expectedCharged + proof.charge > proof.balance
    ) {
      return false;
    }
    this.events.push(event);
    this.channels.set(proof.channelId, {
      ...row,
      acceptedBalance: proof.balance,
      chargedBalance: proof.expectedCharged + proof.charge,
      lastSignature: proof.signature,
    });
    return true;
  }

  async charge(
    channelId: Hex32,
    expectedCharged: bigint,
    amount: bigint,
    event: MicroraidenEvent,
  ): Promise<boolean> {
    this.check();
    const row = this.channels.get(channelId);
    if (
      row === undefined ||
      row.state !== 'open' ||
      !row.confirmed ||
      row.chargedBalance !== expectedCharged ||
      expectedCharged + amount > row.acceptedBalance
    ) {
      return false;
    }
    this.events.push(event);
    this.channels.set(channelId, { ...row, chargedBalance: expectedCharged + amount });
    return true;
  }

  async markClosing(channelId: Hex32, balance: bigint, event: MicroraidenEvent): Promise<boolean> {
    this.check();
    const row = this.channels.get(channelId);
    if (row === undefined || row.chargedBalance !== balance || row.state === 'settled' || !row.confirmed)
      return false;
    this.channels.set(channelId, { ...row, state: row.state === 'open' ? 'closing' : row.state });
    this.events.push(event);
    return true;
  }

  private check(): void {
    if (this.failing) throw this.failure;
  }
}
