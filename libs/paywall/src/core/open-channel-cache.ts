import type { Hex } from '@microraiden/protocol';
import type { ChannelSnapshot } from './channel-snapshot';

const DEFAULT_LIMIT = 50_000;

/**
 * Open, confirmed channels this replica read or accepted on recently, so a returning sender's proof is verified
 * without reading its row first. Safe because nothing is accepted on the strength of this cache: the commit's
 * compare-and-set re-checks state, confirmation, deposit and the previous balance on the current row, a proof the
 * cache would refuse is judged again on a fresh read (so the answer is the one section 6's order gives on the
 * current row), and a reply whose upstream failed is judged on a fresh read too. Bounded; simply cleared when full.
 */
export class OpenChannelCache {
  private readonly entries = new Map<string, ChannelSnapshot>();

  constructor(private readonly limit: number = DEFAULT_LIMIT) {}

  /** The remembered snapshot of an open, confirmed channel, or undefined. */
  get(channelId: string): ChannelSnapshot | undefined {
    return this.entries.get(channelId);
  }

  /** Remembers a freshly read snapshot, or forgets the channel when it is not open and confirmed. */
  remember(snapshot: ChannelSnapshot | undefined, channelId: string): void {
    if (snapshot === undefined || snapshot.state !== 'open' || !snapshot.confirmed) {
      this.entries.delete(channelId);
      return;
    }
    if (this.entries.size >= this.limit && !this.entries.has(channelId)) this.entries.clear();
    this.entries.set(channelId, snapshot);
  }

  /** Records a committed acceptance; balances only grow, so a concurrent lower one never overwrites it. */
  accepted(snapshot: ChannelSnapshot, balance: bigint, chargedBalance: bigint, signature: Hex): void {
    const current = this.entries.get(snapshot.channelId) ?? snapshot;
    if (balance > current.acceptedBalance)
      this.remember(
        { ...current, acceptedBalance: balance, chargedBalance, lastSignature: signature },
        snapshot.channelId,
      );
  }

  /** Records a committed charge without a new signature; the charged balance only grows, up to the accepted one. */
  charged(snapshot: ChannelSnapshot, chargedBalance: bigint): void {
    const current = this.entries.get(snapshot.channelId) ?? snapshot;
    if (chargedBalance > current.chargedBalance && chargedBalance <= current.acceptedBalance)
      this.remember({ ...current, chargedBalance }, snapshot.channelId);
  }

  /** Forgets a channel (its entry may be stale). */
  forget(channelId: string): void {
    this.entries.delete(channelId);
  }

  /** Channels remembered (metrics, tests). */
  get size(): number {
    return this.entries.size;
  }
}
