import { createBalanceProofAccepted, createBalanceProofCharged } from '@microraiden/events';
import { verifyPayment, type Address, type ChannelDomain, type Hex, type Hex32 } from '@microraiden/protocol';
import { channelViewOf, REQUIRED_CONFIRMATIONS, type ChannelSnapshot } from '../core/channel-snapshot';
import type { ChannelStore } from '../core/channel-store';
import { stepPrice, type StreamPricing, type StreamSettlement } from '../core/stream-meter';
import type { StreamPort, StreamReceipt, TopUpCommit, TopUpVerdict } from './stream-pump';

/** Everything a stream's commits name: the channel, the gateway, the route. */
export interface StreamChannel {
  readonly store: ChannelStore;
  readonly receiver: Address;
  readonly domain: ChannelDomain;
  readonly gatewayId: string;
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly route: string;
  readonly method: string;
  readonly pricing: StreamPricing;
  /** The row the stream's first proof was verified against: its top-ups are verified on it until one fails. */
  readonly snapshot?: ChannelSnapshot;
  readonly clock: () => Date;
  /** Told of every signed balance this stream had accepted (the paywall moves its reservation there). */
  readonly onAccepted?: (balance: bigint) => void;
  /** Told of every charge committed (metrics). */
  readonly onCharged?: (amount: bigint) => void;
}

const EVENT_SOURCE = 'gateway';
const MAX_CHARGE_ATTEMPTS = 3;

/**
 * The StreamPort over the shared channel table: a top-up is verified like any proof (docs/protocol.md section 6,
 * with the stream's terms) and accepted with the compare-and-set of both balances and its `balance-proof.accepted`
 * in one statement; the final charge is a compare-and-set of the charged balance with its `balance-proof.charged`,
 * retried on the current charged balance when another request moved it.
 *
 * Top-ups are verified on the row the stream started with, not on a read each: the statement re-checks what can
 * change (state, confirmation, deposit, both balances), and the parties and signer never change. A refusal on that
 * row is judged again on a fresh read (a deposit topped up on chain meanwhile), and a commit that did not go through
 * drops it, so the next line is judged on the current row (a channel closing meanwhile gets CHANNEL_CLOSING).
 */
export class ChannelStreamPort implements StreamPort {
  private snapshot: ChannelSnapshot | undefined;

  constructor(private readonly channel: StreamChannel) {
    this.snapshot = channel.snapshot;
  }

  async verifyTopUp(
    proof: { readonly balance: bigint; readonly signature: Hex },
    terms: { lastAcceptedBalance: bigint; chargedBalance: bigint; price: bigint },
  ): Promise<TopUpVerdict> {
    let fresh = false;
    for (;;) {
      if (this.snapshot === undefined || fresh) {
        try {
          this.snapshot = await this.channel.store.snapshot(this.channel.channelId);
        } catch {
          return {
            ok: false,
            code: 'GATEWAY_UNAVAILABLE',
            message: 'The gateway could not read the channel.',
          };
        }
        fresh = true;
      }
      const decision = this.verify(proof, terms, this.snapshot);
      if (decision.accepted) return { ok: true };
      if (fresh) return { ok: false, code: decision.error.code, message: decision.error.message };
      fresh = true;
    }
  }

  private verify(
    proof: { readonly balance: bigint; readonly signature: Hex },
    terms: { lastAcceptedBalance: bigint; chargedBalance: bigint; price: bigint },
    snapshot: ChannelSnapshot | undefined,
  ) {
    const { receiver, domain, channelId, sender } = this.channel;
    return verifyPayment({
      payment: { sender, channelId, balance: proof.balance, signature: proof.signature },
      gateway: { receiver, domain },
      channel: channelViewOf(snapshot),
      requiredConfirmations: REQUIRED_CONFIRMATIONS,
      lastAcceptedBalance: terms.lastAcceptedBalance,
      chargedBalance: terms.chargedBalance,
      price: terms.price,
    });
  }

  async commitTopUp(commit: TopUpCommit, signature: Hex): Promise<boolean> {
    const { store, channelId, pricing } = this.channel;
    const price = stepPrice(pricing);
    const chargedBalance = commit.expectedCharged + commit.charge;
    const accepted = await store.accept(
      {
        channelId,
        expectedPrevious: commit.expectedBalance,
        expectedCharged: commit.expectedCharged,
        balance: commit.balance,
        price,
        charge: commit.charge,
        signature,
      },
      createBalanceProofAccepted(
        {
          ...this.eventParties(),
          balance: commit.balance,
          previousBalance: commit.expectedBalance,
          increment: commit.balance - commit.expectedBalance,
          price,
          signature,
          charge: commit.charge,
          chargedBalance,
          route: this.channel.route,
          method: this.channel.method,
          gatewayId: this.channel.gatewayId,
          acceptedAt: this.channel.clock().toISOString(),
          ...(this.snapshot?.signer === undefined ? {} : { signer: this.snapshot.signer }),
        },
        { source: EVENT_SOURCE },
      ),
    );
    if (accepted) {
      this.channel.onAccepted?.(commit.balance);
      if (commit.charge > 0n) this.channel.onCharged?.(commit.charge);
    } else {
      this.snapshot = undefined;
    }
    return accepted;
  }

  async settle(settlement: StreamSettlement): Promise<StreamReceipt | undefined> {
    const { channelId } = this.channel;
    const receipt = (balance: bigint, chargedBalance: bigint): StreamReceipt => ({
      channelId,
      balance,
      chargedBalance,
      cost: settlement.cost,
      units: settlement.units,
    });
    if (settlement.charge === 0n) return receipt(settlement.balance, settlement.chargedBalance);
    let expected = settlement.expectedCharged;
    let balance = settlement.balance;
    for (let attempt = 1; attempt <= MAX_CHARGE_ATTEMPTS; attempt++) {
      const after = expected + settlement.charge;
      if (
        await this.channel.store.charge(
          channelId,
          expected,
          settlement.charge,
          this.chargedEvent(balance, after, settlement.charge),
        )
      ) {
        this.channel.onCharged?.(settlement.charge);
        return receipt(balance, after);
      }
      // Another request on the channel moved C (or S) meanwhile: the units are owed all the same, on top of it.
      const current = await this.channel.store.snapshot(channelId);
      if (current === undefined || current.chargedBalance + settlement.charge > current.acceptedBalance)
        return undefined;
      expected = current.chargedBalance;
      balance = current.acceptedBalance;
    }
    return undefined;
  }

  private eventParties() {
    const { channelId, sender, receiver, domain } = this.channel;
    return {
      channelId,
      sender,
      receiver,
      channelManager: domain.verifyingContract,
      chainId: Number(domain.chainId),
    };
  }

  private chargedEvent(balance: bigint, chargedBalance: bigint, charge: bigint) {
    return createBalanceProofCharged(
      {
        ...this.eventParties(),
        balance,
        charge,
        chargedBalance,
        route: this.channel.route,
        method: this.channel.method,
        gatewayId: this.channel.gatewayId,
        chargedAt: this.channel.clock().toISOString(),
      },
      { source: EVENT_SOURCE },
    );
  }
}
