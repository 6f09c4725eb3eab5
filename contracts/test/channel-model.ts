import { computeChannelId } from '@microraiden/contracts';

/**
 * A reference model of `MicroTransferChannels` as IMicroTransferChannels documents it, for the property
 * tests: the channels, who holds how many tokens, every balance the sender signed or claimed, and the time
 * of the next block. Pure data; transitions live in `channel-transitions.ts`.
 */

/** The fixed world of one property run: two senders, two receivers, one deployment. */
export interface ModelConfig {
  chainId: bigint;
  manager: string;
  challengePeriod: bigint;
  senders: readonly string[];
  receivers: readonly string[];
  /** The session key each sender (same index) names as balance signer when it opens a channel with one. */
  signers: readonly string[];
}

/** One channel as the contract should hold it, plus what the sender ever authorised on it. */
export interface ModelChannel {
  id: string;
  sender: string;
  receiver: string;
  /** The balance signer whose proofs count as the sender's (undefined: none). */
  signer?: string;
  deposit: bigint;
  withdrawn: bigint;
  closingBalance: bigint;
  /** 0 while open. */
  settleAt: bigint;
  settled: boolean;
  /** Every balance the sender (or its signer) signed a proof for, in signing order; the receiver holds them all. */
  signed: readonly bigint[];
  /** Every balance the sender claimed with uncooperativeClose (mined or not). */
  claimed: readonly bigint[];
}

export interface ModelState {
  config: ModelConfig;
  /** Timestamp the next transaction is mined at (every transaction is pinned; each one adds a second). */
  now: bigint;
  /** In creation order; settled channels stay, marked `settled`, so operations can still aim at them. */
  channels: readonly ModelChannel[];
  /** `channelNonce` per sender address. */
  nonces: Readonly<Record<string, bigint>>;
  /** Token balance per address: the senders, the receivers and the manager. */
  tokens: Readonly<Record<string, bigint>>;
  /** Each sender's token allowance for the manager (ERC-20 semantics: the maximum is never spent). */
  allowances: Readonly<Record<string, bigint>>;
}

/** An unlimited ERC-20 allowance. */
export const UNLIMITED = 2n ** 256n - 1n;

/** What a settlement pays, computed as the contract documents it. */
export interface Payout {
  /** The final cumulative balance: the settled balance, never below `withdrawn`. */
  balance: bigint;
  receiverPaid: bigint;
  senderRefund: bigint;
}

/** The world before the first operation: no channel, senders approved for an unlimited amount. */
export function initialModel(config: ModelConfig, now: bigint, tokens: Record<string, bigint>): ModelState {
  const nonces = Object.fromEntries(config.senders.map((sender) => [sender, 0n]));
  const allowances = Object.fromEntries(config.senders.map((sender) => [sender, UNLIMITED]));
  return { config, now, channels: [], nonces, tokens: { ...tokens }, allowances };
}

/**
 * What a signed `balance` is worth on chain: at most the deposit (IMicroTransferChannels: withdraw,
 * cooperativeClose and receiverClose use `min(balance, deposit)`, so a proof signed against a top-up that a
 * reorg dropped still takes everything the channel holds).
 */
export function claimable(balance: bigint, deposit: bigint): bigint {
  return balance < deposit ? balance : deposit;
}

/** Settling at `balance`: paid tokens are never clawed back, so a balance below `withdrawn` counts as it. */
export function payoutAt(channel: ModelChannel, balance: bigint): Payout {
  const final = balance < channel.withdrawn ? channel.withdrawn : balance;
  return { balance: final, receiverPaid: final - channel.withdrawn, senderRefund: channel.deposit - final };
}

/** The most the receiver can get with the proofs it holds: its best proof's worth, or what it already has. */
export function bestClaim(channel: ModelChannel): bigint {
  const best = channel.signed.reduce((max, balance) => {
    const worth = claimable(balance, channel.deposit);
    return worth > max ? worth : max;
  }, 0n);
  return best > channel.withdrawn ? best : channel.withdrawn;
}

/** The highest balance the sender ever authorised on `channel`: signed proofs and its own close claims. */
export function highestAuthorised(channel: ModelChannel): bigint {
  return [...channel.signed, ...channel.claimed].reduce(
    (max, balance) => (balance > max ? balance : max),
    0n,
  );
}

export function isClosing(channel: ModelChannel): boolean {
  return !channel.settled && channel.settleAt !== 0n;
}

/** The id the next channel from `sender` to `receiver` gets. */
export function nextChannelId(state: ModelState, sender: string, receiver: string): string {
  const { chainId, manager } = state.config;
  return computeChannelId({
    chainId,
    channelManager: manager,
    sender,
    receiver,
    nonce: state.nonces[sender] ?? 0n,
  });
}

/** `state` with channel `index` replaced by `update(channel)`. */
export function withChannel(
  state: ModelState,
  index: number,
  update: (channel: ModelChannel) => ModelChannel,
): ModelState {
  return { ...state, channels: state.channels.map((c, i) => (i === index ? update(c) : c)) };
}

/** `state` with `amount` tokens moved from `from` to `to`. */
export function withTransfer(state: ModelState, from: string, to: string, amount: bigint): ModelState {
  const tokens = { ...state.tokens };
  tokens[from] = (tokens[from] ?? 0n) - amount;
  tokens[to] = (tokens[to] ?? 0n) + amount;
  return { ...state, tokens };
}
