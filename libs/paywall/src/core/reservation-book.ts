/** A held reservation; release it exactly once. */
export interface Reservation {
  readonly channelId: string;
  readonly balance: bigint;
}

/**
 * In-flight reservations of one gateway process (docs/protocol.md section 7): between verification and the
 * upstream's answer a proof's balance is held, and concurrent proofs of the same channel are verified against
 * the highest held balance, so two concurrent requests on this process cannot both be served for one increment.
 * Across processes the database compare-and-set decides; a lost race there is answered BALANCE_STALE.
 */
export class ReservationBook {
  // Usually one entry per channel (clients should pay serially); an array keeps release exact when not.
  private readonly held = new Map<string, bigint[]>();

  /** The highest balance held on the channel, or undefined when none is in flight. */
  highest(channelId: string): bigint | undefined {
    const balances = this.held.get(channelId);
    if (balances === undefined) return undefined;
    let top = balances[0] as bigint;
    for (const balance of balances) if (balance > top) top = balance;
    return top;
  }

  /** Holds `balance` on the channel until released. */
  reserve(channelId: string, balance: bigint): Reservation {
    const balances = this.held.get(channelId);
    if (balances === undefined) this.held.set(channelId, [balance]);
    else balances.push(balance);
    return { channelId, balance };
  }

  /** Drops a reservation (accepted or not); the remaining ones keep holding. */
  release(reservation: Reservation): void {
    const balances = this.held.get(reservation.channelId);
    if (balances === undefined) return;
    const index = balances.indexOf(reservation.balance);
    if (index >= 0) balances.splice(index, 1);
    if (balances.length === 0) this.held.delete(reservation.channelId);
  }

  /** Channels with a reservation in flight (for metrics and tests). */
  get size(): number {
    return this.held.size;
  }
}
