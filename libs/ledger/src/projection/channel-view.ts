import type { Address, Hex } from '@microraiden/events';
import type { ChainFact, ChannelProjection, ChannelStatus } from './channel-projection';

/** The queryable columns of a channel, derived from its projection. */
export interface ChannelView {
  channelId: Hex;
  status: ChannelStatus;
  sender: Address | null;
  receiver: Address | null;
  chainId: number | null;
  channelManager: Address | null;
  deposit: bigint;
  withdrawn: bigint;
  /** Balance of the latest accepted proof (0 when none): S, what the receiver can claim on chain. */
  balance: bigint;
  /**
   * The channel's charged balance C (0 when none): the sum of what was charged, <= balance. Equal to `balance` on
   * fixed-price channels; below it by at most one ceiling (or stream step) on metered and streamed ones.
   */
  chargedBalance: bigint;
  signature: Hex | null;
  proofCount: number;
  lastProofAt: string | null;
  /** Balance the sender named in an uncooperative close request. */
  closeBalance: bigint | null;
  /** Balance at which the receiver signed a cooperative close (`balance-proof.close-signed`), and when. */
  closeSignedBalance: bigint | null;
  closeSignedAt: string | null;
  /** Unix seconds from which the channel can be settled. */
  settleAt: bigint | null;
  /** Block time of the settlement. */
  settledAt: string | null;
  settledBalance: bigint | null;
  receiverPaid: bigint | null;
  senderRefund: bigint | null;
  createdBlock: number | null;
  updatedAt: string;
}

const byChainPosition = (a: ChainFact, b: ChainFact) =>
  a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;

/** Derive the columns of a channel: chain facts in chain order (last one wins), then the latest proof. */
export function viewOf(channel: ChannelProjection): ChannelView {
  const facts = channel.chainFacts.filter((fact) => fact.applied).sort(byChainPosition);
  const view: ChannelView = {
    channelId: channel.channelId,
    status: 'pending',
    sender: channel.proof?.sender ?? channel.closeSigned?.sender ?? null,
    receiver: channel.proof?.receiver ?? channel.closeSigned?.receiver ?? null,
    chainId: channel.proof?.chainId ?? channel.closeSigned?.chainId ?? null,
    channelManager: channel.proof?.channelManager ?? channel.closeSigned?.channelManager ?? null,
    deposit: 0n,
    withdrawn: 0n,
    balance: channel.proof?.balance ?? 0n,
    chargedBalance: channel.proof?.chargedBalance ?? 0n,
    signature: channel.proof?.signature ?? null,
    proofCount: channel.proof?.count ?? 0,
    lastProofAt: channel.proof?.lastAcceptedAt ?? null,
    closeBalance: null,
    closeSignedBalance: channel.closeSigned?.balance ?? null,
    closeSignedAt: channel.closeSigned?.signedAt ?? null,
    settleAt: null,
    settledAt: null,
    settledBalance: null,
    receiverPaid: null,
    senderRefund: null,
    createdBlock: null,
    updatedAt: channel.updatedAt,
  };
  let created = false;
  let closing = false;
  let settled = false;
  for (const fact of facts) {
    // The chain is the authority on the parties; proofs only fill them in until the channel is seen.
    view.sender = fact.sender;
    view.receiver = fact.receiver;
    view.chainId = fact.chainId;
    view.channelManager = fact.channelManager;
    const amounts = fact.amounts;
    switch (fact.type) {
      case 'channel.created':
        created = true;
        view.createdBlock = fact.blockNumber;
        view.deposit = amounts.deposit ?? 0n;
        break;
      case 'channel.topped-up':
        view.deposit = amounts.deposit ?? view.deposit;
        break;
      case 'channel.withdrawn':
        view.withdrawn = amounts.withdrawn ?? view.withdrawn;
        break;
      case 'channel.close-requested':
        closing = true;
        view.closeBalance = amounts.balance ?? null;
        view.settleAt = amounts.settleAt ?? null;
        break;
      case 'channel.settled':
        settled = true;
        view.settledAt = fact.occurredAt;
        view.settledBalance = amounts.balance ?? null;
        view.receiverPaid = amounts.receiverPaid ?? null;
        view.senderRefund = amounts.senderRefund ?? null;
        break;
      case 'channel.signer-set':
        // A session key may sign the channel's proofs: the ledger's figures do not depend on who signed.
        break;
      default: {
        const unknown: never = fact.type;
        throw new TypeError(`unhandled chain fact ${String(unknown)}`);
      }
    }
  }
  view.status = settled ? 'settled' : closing ? 'closing' : created ? 'open' : 'pending';
  return view;
}
