import {
  chargedBalanceOf,
  type BalanceProofAcceptedV1,
  type BalanceProofChargedV1,
  type BalanceProofCloseSignedV1,
  ChannelEventRetractedV1,
  type ChannelLogEvent,
  type Hex,
  type MicroraidenEvent,
} from '@microraiden/events';
import { emptyChannel, type ChainFact, type ChannelProjection, type ProofState } from './channel-projection';
import type { IgnoreReason } from './ignore-reason';

/** Revenue one accepted proof or charge adds, by route, sender and UTC day. */
export interface RevenueEntry {
  route: string;
  method: string;
  sender: string;
  receiver: string;
  /** UTC day of acceptance (or charge), `YYYY-MM-DD`. */
  day: string;
  /** What was charged: what the channel's charged balance grew by. */
  amount: bigint;
  /** Proofs this entry counts: 1 for an accepted proof, 0 for a charge-only commit (no new signature). */
  proofs: 0 | 1;
}

/** What an event does to a channel; the database layer writes `state` and the audit row. */
export type Evolution =
  | {
      outcome: 'applied';
      state: ChannelProjection;
      /** Names this application of the event uniquely (a chain event re-applied after a retraction counts up). */
      generation: number;
      /** The amount the event moved (proof increment, deposit added, amount withdrawn, ...). */
      amount: bigint | null;
      /** The channel balance the event names, if any. */
      balance: bigint | null;
      revenue: RevenueEntry | null;
    }
  | { outcome: 'ignored'; reason: IgnoreReason; detail: string }
  /** Already applied: nothing changes and nothing is recorded. */
  | { outcome: 'duplicate' };

/**
 * The projection's transition function: what `event` does to the channel it names, given what is known about it
 * (`undefined` when nothing is). Pure; `now` only stamps `updatedAt`. Never throws for a well-formed event:
 * invariant violations come back as `ignored` with the reason.
 */
export function evolve(state: ChannelProjection | undefined, event: MicroraidenEvent, now: Date): Evolution {
  const channel = state ?? emptyChannel(event.data.channelId, now);
  switch (event.type) {
    case 'balance-proof.accepted':
      return acceptProof(channel, event, now);
    case 'balance-proof.charged':
      return recordCharge(channel, event, now);
    case 'balance-proof.close-signed':
      return recordCloseSigned(channel, event, now);
    case 'channel.created':
    case 'channel.topped-up':
    case 'channel.close-requested':
    case 'channel.settled':
    case 'channel.withdrawn':
    case 'channel.signer-set':
      return applyChainEvent(channel, event, now);
    case 'channel.event-retracted':
      return retract(channel, event, now);
    default: {
      const unknown: never = event;
      throw new TypeError(`unhandled event ${(unknown as { type: string }).type}`);
    }
  }
}

function acceptProof(channel: ChannelProjection, event: BalanceProofAcceptedV1, now: Date): Evolution {
  const data = event.data;
  const previous = channel.proof;
  if (previous?.eventId === event.id) return { outcome: 'duplicate' };
  if (previous && data.balance <= previous.balance)
    return {
      outcome: 'ignored',
      reason: 'BALANCE_NOT_INCREASING',
      detail: `balance ${data.balance} is not above the accepted ${previous.balance}`,
    };
  if (!sameParties(previous, data))
    return {
      outcome: 'ignored',
      reason: 'PROOF_PARTIES_MISMATCH',
      detail: 'sender, receiver, chain or channel manager differ from earlier proofs of this channel',
    };
  // Revenue is what the channel's charged balance grew by (the event's charge, or its increment when it names none),
  // so the revenue tables always add up to charged balances even if the gateway's own previousBalance disagrees
  // with what the ledger saw. A charged balance never goes down: a lower one (a producer bug) charges nothing.
  const charged = previous?.chargedBalance ?? 0n;
  const chargedBalance = maxOf(charged, chargedBalanceOf(data));
  const amount = chargedBalance - charged;
  return {
    outcome: 'applied',
    generation: 0,
    amount,
    balance: data.balance,
    revenue: {
      route: data.route,
      method: data.method,
      sender: data.sender,
      receiver: data.receiver,
      day: data.acceptedAt.slice(0, 10),
      amount,
      proofs: 1,
    },
    state: {
      ...channel,
      proof: {
        balance: data.balance,
        chargedBalance,
        signature: data.signature,
        eventId: event.id,
        count: (previous?.count ?? 0) + 1,
        lastAcceptedAt: data.acceptedAt,
        sender: data.sender,
        receiver: data.receiver,
        chainId: data.chainId,
        channelManager: data.channelManager,
      },
      updatedAt: now.toISOString(),
    },
  };
}

const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * A charge-only commit (a stream's units under an authorisation already accepted): moves the charged balance, never
 * the signed one. Dedupe is by id in the audit trail (planBatch); a charged balance not above the recorded one is
 * an older commit seen late, recorded as ignored.
 */
function recordCharge(channel: ChannelProjection, event: BalanceProofChargedV1, now: Date): Evolution {
  const data = event.data;
  const proof = channel.proof;
  if (proof === null)
    return {
      outcome: 'ignored',
      reason: 'CHARGE_WITHOUT_PROOF',
      detail: `charge to ${data.chargedBalance} on a channel with no accepted proof`,
    };
  if (!sameParties(proof, data))
    return {
      outcome: 'ignored',
      reason: 'PROOF_PARTIES_MISMATCH',
      detail: 'sender, receiver, chain or channel manager differ from earlier proofs of this channel',
    };
  if (data.chargedBalance <= proof.chargedBalance)
    return {
      outcome: 'ignored',
      reason: 'CHARGE_NOT_INCREASING',
      detail: `charged balance ${data.chargedBalance} is not above the charged ${proof.chargedBalance}`,
    };
  const amount = data.chargedBalance - proof.chargedBalance;
  return {
    outcome: 'applied',
    generation: 0,
    amount,
    balance: data.chargedBalance,
    revenue: {
      route: data.route,
      method: data.method,
      sender: data.sender,
      receiver: data.receiver,
      day: data.chargedAt.slice(0, 10),
      amount,
      proofs: 0,
    },
    state: {
      ...channel,
      proof: { ...proof, chargedBalance: data.chargedBalance },
      updatedAt: now.toISOString(),
    },
  };
}

/** Same sender, receiver, chain and contract as `earlier` (absent: nothing to disagree with). */
function sameParties(
  earlier: Pick<ProofState, 'sender' | 'receiver' | 'chainId' | 'channelManager'> | null,
  data: Pick<ProofState, 'sender' | 'receiver' | 'chainId' | 'channelManager'>,
): boolean {
  return (
    earlier === null ||
    (earlier.sender === data.sender &&
      earlier.receiver === data.receiver &&
      earlier.chainId === data.chainId &&
      earlier.channelManager === data.channelManager)
  );
}

/**
 * The receiver signed a closing proof. Keyed by the event id like a proof; only a higher balance replaces a
 * recorded one, so the record is the highest balance signed whatever the order re-signatures arrive in.
 */
function recordCloseSigned(
  channel: ChannelProjection,
  event: BalanceProofCloseSignedV1,
  now: Date,
): Evolution {
  const data = event.data;
  const previous = channel.closeSigned;
  if (previous?.eventId === event.id) return { outcome: 'duplicate' };
  if (!sameParties(channel.proof, data) || !sameParties(previous, data))
    return {
      outcome: 'ignored',
      reason: 'PROOF_PARTIES_MISMATCH',
      detail: 'sender, receiver, chain or channel manager differ from earlier events of this channel',
    };
  if (previous && data.balance <= previous.balance)
    return {
      outcome: 'ignored',
      reason: 'CLOSE_ALREADY_SIGNED',
      detail: `closing balance ${data.balance} is not above the signed ${previous.balance}`,
    };
  return {
    outcome: 'applied',
    generation: 0,
    amount: null,
    balance: data.balance,
    revenue: null,
    state: {
      ...channel,
      closeSigned: {
        balance: data.balance,
        closingSignature: data.closingSignature,
        eventId: event.id,
        signedAt: data.signedAt,
        sender: data.sender,
        receiver: data.receiver,
        chainId: data.chainId,
        channelManager: data.channelManager,
      },
      updatedAt: now.toISOString(),
    },
  };
}

function applyChainEvent(channel: ChannelProjection, event: ChannelLogEvent, now: Date): Evolution {
  const known = channel.chainFacts.find((fact) => fact.eventId === event.id);
  if (known?.applied) return { outcome: 'duplicate' };
  const created = channel.chainFacts.some((fact) => fact.applied && fact.type === 'channel.created');
  if (event.type === 'channel.created' && created)
    return {
      outcome: 'ignored',
      reason: 'CHANNEL_ALREADY_CREATED',
      detail: 'the channel already has a different applied channel.created',
    };
  if (event.type !== 'channel.created' && !created)
    return {
      outcome: 'ignored',
      reason: 'CHANNEL_UNKNOWN',
      detail: `${event.type} for a channel whose creation was never applied`,
    };
  const fact = known ? { ...known, applied: true } : factOf(event);
  const chainFacts = known
    ? channel.chainFacts.map((f) => (f.eventId === event.id ? fact : f))
    : [...channel.chainFacts, fact];
  return {
    outcome: 'applied',
    generation: fact.retractions,
    ...amountsOf(event),
    revenue: null,
    state: { ...channel, chainFacts, updatedAt: now.toISOString() },
  };
}

function retract(channel: ChannelProjection, event: ChannelEventRetractedV1, now: Date): Evolution {
  const target = channel.chainFacts.find((fact) => fact.eventId === event.data.retractedEventId);
  if (!target?.applied)
    return {
      outcome: 'ignored',
      reason: 'RETRACTED_EVENT_NOT_APPLIED',
      detail: `${event.data.retractedType} ${event.data.retractedEventId} is not applied`,
    };
  const retracted: ChainFact = { ...target, applied: false, retractions: target.retractions + 1 };
  return {
    outcome: 'applied',
    // The n-th retraction of a fact follows its n-th application; both share the generation.
    generation: target.retractions,
    amount: null,
    balance: null,
    revenue: null,
    state: {
      ...channel,
      chainFacts: channel.chainFacts.map((f) => (f.eventId === target.eventId ? retracted : f)),
      updatedAt: now.toISOString(),
    },
  };
}

function factOf(event: ChannelLogEvent): ChainFact {
  const { sender, receiver, chainId, channelManager, blockNumber, logIndex } = event.data;
  const amounts: Record<string, bigint> = {};
  for (const [key, value] of Object.entries(event.data)) if (typeof value === 'bigint') amounts[key] = value;
  return {
    eventId: event.id.toLowerCase() as Hex,
    type: event.type,
    blockNumber,
    logIndex,
    occurredAt: event.occurredAt,
    applied: true,
    retractions: 0,
    sender,
    receiver,
    chainId,
    channelManager,
    amounts,
  };
}

function amountsOf(event: ChannelLogEvent): { amount: bigint | null; balance: bigint | null } {
  switch (event.type) {
    case 'channel.created':
      return { amount: event.data.deposit, balance: null };
    case 'channel.topped-up':
      return { amount: event.data.added, balance: null };
    case 'channel.withdrawn':
      return { amount: event.data.amount, balance: null };
    case 'channel.close-requested':
      return { amount: null, balance: event.data.balance };
    case 'channel.settled':
      return { amount: event.data.receiverPaid, balance: event.data.balance };
    case 'channel.signer-set':
      // Who may sign proofs moves no tokens; kept as a chain fact so its retraction pairs with it.
      return { amount: null, balance: null };
    default: {
      const unknown: never = event;
      throw new TypeError(`unhandled chain event ${(unknown as { type: string }).type}`);
    }
  }
}
