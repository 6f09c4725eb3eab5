import {
  claimable,
  isClosing,
  nextChannelId,
  payoutAt,
  withChannel,
  withTransfer,
  type ModelChannel,
  type ModelState,
  type Payout,
  UNLIMITED,
} from './channel-model';
import type { Operation, ProofPick, Via } from './channel-operations';

/**
 * What each operation should do according to IMicroTransferChannels: the call to make, the revert it must
 * end in (checks in the order the interface lists its requirements) or the state after it. Pure.
 */

/** What the runner sends (or, for `signBalanceProof`, signs off chain; for `warp`, does to the clock). */
export type Call =
  | { fn: 'createChannel'; via: Via; caller: string; receiver: string; deposit: bigint; signer?: string }
  | { fn: 'topUp'; via: Via; caller: string; channelId: string; amount: bigint }
  | { fn: 'approve'; caller: string }
  /** `signer` signs: the channel's sender or its balance signer. */
  | { fn: 'signBalanceProof'; signer: string; receiver: string; channelId: string; balance: bigint }
  | { fn: 'withdraw'; caller: string; channelId: string; balance: bigint }
  | {
      fn: 'cooperativeClose';
      caller: string;
      channelId: string;
      sender: string;
      receiver: string;
      balance: bigint;
    }
  | { fn: 'uncooperativeClose'; caller: string; channelId: string; balance: bigint }
  | { fn: 'receiverClose'; caller: string; channelId: string; balance: bigint }
  | { fn: 'settle'; caller: string; channelId: string }
  | { fn: 'warp'; to: bigint };

export interface ExpectedRevert {
  name: string;
  args: unknown[];
}

export interface Transition {
  call: Call;
  /** The error the transaction must revert with; the state then only moves on in time. */
  revert?: ExpectedRevert;
  next: ModelState;
  /** A notable case, for the run statistics (e.g. a receiverClose during the challenge period: a dispute). */
  label?: string;
  /** The channel this operation settles and what it must pay. */
  settlement?: { channel: number; payout: Payout; via: 'cooperativeClose' | 'receiverClose' | 'settle' };
}

/** The transition `operation` causes from `state`, or undefined when it does not apply (nothing to aim at). */
export function transition(state: ModelState, operation: Operation): Transition | undefined {
  switch (operation.kind) {
    case 'create':
      return create(state, operation);
    case 'approve': {
      const sender = state.config.senders[operation.sender % state.config.senders.length]!;
      const allowances = { ...state.allowances, [sender]: UNLIMITED };
      return { call: { fn: 'approve', caller: sender }, next: { ...mined(state), allowances } };
    }
    case 'warp':
      return {
        call: { fn: 'warp', to: state.now + operation.seconds },
        next: warped(state, operation.seconds),
      };
    default:
      return onChannel(state, operation);
  }
}

type ChannelOperation = Exclude<Operation, { kind: 'create' } | { kind: 'approve' } | { kind: 'warp' }>;

function onChannel(state: ModelState, operation: ChannelOperation): Transition | undefined {
  const eligible = (channel: ModelChannel) =>
    operation.kind === 'dispute' ? isClosing(channel) : operation.channel.settledToo || !channel.settled;
  const candidates = state.channels.flatMap((channel, index) =>
    eligible(channel) ? [{ channel, index }] : [],
  );
  if (candidates.length === 0) return undefined;
  const { channel, index } = candidates[operation.channel.index % candidates.length]!;
  switch (operation.kind) {
    case 'topUp':
      return topUp(state, index, channel, operation);
    case 'sign':
      return sign(state, index, channel, operation);
    case 'withdraw':
      return withdraw(state, index, channel, operation.proof);
    case 'cooperativeClose':
      return cooperativeClose(state, index, channel, operation);
    case 'uncooperativeClose':
      return uncooperativeClose(state, index, channel, operation);
    case 'receiverClose':
      return receiverClose(state, index, channel, operation);
    case 'dispute':
      return receiverClose(state, index, channel, { proof: { kind: 'best' }, bySender: false });
    case 'settle':
      return settle(state, index, channel);
    case 'warpToSettleAt':
      return warpToSettleAt(state, channel, operation.offset);
  }
}

/** The session key `sender` names as balance signer. */
function signerOf(state: ModelState, sender: string): string {
  const { senders, signers } = state.config;
  return signers[senders.indexOf(sender)]!;
}

/** The state after a mined transaction that reverted: only time moved. */
function mined(state: ModelState): ModelState {
  return { ...state, now: state.now + 1n };
}

function warped(state: ModelState, seconds: bigint): ModelState {
  return { ...state, now: state.now + seconds };
}

function reverted(call: Call, state: ModelState, name: string, ...args: unknown[]): Transition {
  return { call, revert: { name, args }, next: mined(state) };
}

function create(state: ModelState, op: Extract<Operation, { kind: 'create' }>): Transition {
  const { senders, receivers } = state.config;
  const sender = senders[op.sender % senders.length]!;
  const receiver = receivers[op.receiver % receivers.length]!;
  const canNameSigner = op.via === 'approve' || op.via === 'permit';
  const signer = op.withSigner && canNameSigner ? signerOf(state, sender) : undefined;
  const call: Call = {
    fn: 'createChannel',
    via: op.via,
    caller: sender,
    receiver,
    deposit: op.deposit,
    signer,
  };
  if (op.deposit === 0n) return reverted(call, state, 'ZeroAmount');
  const pulled = pull(state, op.via, sender, op.deposit);
  if ('revert' in pulled) return { call, revert: pulled.revert, next: mined(state) };
  const channel: ModelChannel = {
    id: nextChannelId(state, sender, receiver),
    sender,
    receiver,
    signer,
    deposit: op.deposit,
    withdrawn: 0n,
    closingBalance: 0n,
    settleAt: 0n,
    settled: false,
    signed: [],
    claimed: [],
  };
  const opened: ModelState = {
    ...mined(pulled.state),
    channels: [...state.channels, channel],
    nonces: { ...state.nonces, [sender]: (state.nonces[sender] ?? 0n) + 1n },
  };
  const label = signer ? 'with signer' : undefined;
  return { call, label, next: withTransfer(opened, sender, state.config.manager, op.deposit) };
}

function topUp(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  op: Extract<Operation, { kind: 'topUp' }>,
): Transition {
  const caller = op.byOtherSender ? otherSender(state, channel) : channel.sender;
  const call: Call = { fn: 'topUp', via: op.via, caller, channelId: channel.id, amount: op.amount };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  if (caller !== channel.sender) return reverted(call, state, 'NotSender', caller);
  if (isClosing(channel)) return reverted(call, state, 'ChannelIsClosing', channel.id);
  if (op.amount === 0n) return reverted(call, state, 'ZeroAmount');
  const pulled = pull(state, op.via, caller, op.amount);
  if ('revert' in pulled) return { call, revert: pulled.revert, next: mined(state) };
  const next = withChannel(mined(pulled.state), index, (c) => ({ ...c, deposit: c.deposit + op.amount }));
  return { call, next: withTransfer(next, caller, state.config.manager, op.amount) };
}

/**
 * The allowance side of the manager taking `amount` from `owner` (the token transfer itself is the caller's):
 * `transferFrom` needs an allowance, a permit sets it to `amount` and spends it, token callbacks need none.
 */
function pull(
  state: ModelState,
  via: Via,
  owner: string,
  amount: bigint,
): { state: ModelState } | { revert: ExpectedRevert } {
  const allowance = state.allowances[owner] ?? 0n;
  if (via === 'erc1363' || via === 'erc223') return { state };
  if (via === 'permit') return { state: { ...state, allowances: { ...state.allowances, [owner]: 0n } } };
  if (allowance < amount) {
    return {
      revert: { name: 'ERC20InsufficientAllowance', args: [state.config.manager, allowance, amount] },
    };
  }
  const left = allowance === UNLIMITED ? allowance : allowance - amount;
  return { state: { ...state, allowances: { ...state.allowances, [owner]: left } } };
}

function sign(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  op: Extract<Operation, { kind: 'sign' }>,
): Transition | undefined {
  if (channel.settled) return undefined;
  const balance = (channel.deposit * BigInt(op.permille)) / 1000n;
  const call: Call = {
    fn: 'signBalanceProof',
    signer: op.bySigner && channel.signer ? channel.signer : channel.sender,
    receiver: channel.receiver,
    channelId: channel.id,
    balance,
  };
  const label = call.signer === channel.sender ? undefined : 'by signer';
  return {
    call,
    label,
    next: withChannel(state, index, (c) => ({ ...c, signed: [...c.signed, balance] })),
  };
}

/** The balance of the proof `pick` selects among those the receiver holds, or undefined if it holds none. */
export function pickProof(channel: ModelChannel, pick: ProofPick): bigint | undefined {
  const { signed } = channel;
  if (signed.length === 0) return undefined;
  switch (pick.kind) {
    case 'latest':
      return signed[signed.length - 1];
    case 'any':
      return signed[pick.index % signed.length];
    case 'best':
      // The highest balance: no other proof is worth more on chain.
      return signed.reduce((max, balance) => (balance > max ? balance : max));
  }
}

function withdraw(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  pick: ProofPick,
): Transition | undefined {
  const balance = pickProof(channel, pick);
  if (balance === undefined) return undefined;
  const call: Call = { fn: 'withdraw', caller: channel.receiver, channelId: channel.id, balance };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  if (isClosing(channel)) return reverted(call, state, 'ChannelIsClosing', channel.id);
  const worth = claimable(balance, channel.deposit);
  if (worth <= channel.withdrawn)
    return reverted(call, state, 'BalanceNotAboveWithdrawn', worth, channel.withdrawn);
  const next = withChannel(mined(state), index, (c) => ({ ...c, withdrawn: worth }));
  return {
    call,
    next: withTransfer(next, state.config.manager, channel.receiver, worth - channel.withdrawn),
  };
}

function cooperativeClose(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  op: Extract<Operation, { kind: 'cooperativeClose' }>,
): Transition | undefined {
  const balance = pickProof(channel, op.proof);
  if (balance === undefined) return undefined;
  const caller =
    op.submitter === 'sender'
      ? channel.sender
      : op.submitter === 'receiver'
        ? channel.receiver
        : otherSender(state, channel);
  const { id: channelId, sender, receiver } = channel;
  const call: Call = { fn: 'cooperativeClose', caller, channelId, sender, receiver, balance };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  return settled(call, state, index, claimable(balance, channel.deposit), 'cooperativeClose');
}

function uncooperativeClose(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  op: Extract<Operation, { kind: 'uncooperativeClose' }>,
): Transition {
  const caller = op.byReceiver ? channel.receiver : channel.sender;
  const balance = (channel.deposit * BigInt(op.permille)) / 1000n;
  const call: Call = { fn: 'uncooperativeClose', caller, channelId: channel.id, balance };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  if (caller !== channel.sender) return reverted(call, state, 'NotSender', caller);
  if (isClosing(channel)) return reverted(call, state, 'ChannelIsClosing', channel.id);
  if (balance > channel.deposit)
    return reverted(call, state, 'BalanceExceedsDeposit', balance, channel.deposit);
  const closingBalance = balance < channel.withdrawn ? channel.withdrawn : balance;
  const settleAt = state.now + state.config.challengePeriod;
  const next = withChannel(mined(state), index, (c) => ({
    ...c,
    closingBalance,
    settleAt,
    claimed: [...c.claimed, balance],
  }));
  return { call, next };
}

function receiverClose(
  state: ModelState,
  index: number,
  channel: ModelChannel,
  op: { proof: ProofPick; bySender: boolean },
): Transition | undefined {
  const balance = pickProof(channel, op.proof);
  if (balance === undefined) return undefined;
  const caller = op.bySender ? channel.sender : channel.receiver;
  const call: Call = { fn: 'receiverClose', caller, channelId: channel.id, balance };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  if (caller !== channel.receiver) return reverted(call, state, 'NotReceiver', caller);
  if (isClosing(channel) && state.now >= channel.settleAt) {
    return reverted(call, state, 'ChallengePeriodOver', channel.settleAt);
  }
  const done = settled(call, state, index, claimable(balance, channel.deposit), 'receiverClose');
  return isClosing(channel) ? { ...done, label: 'dispute' } : done;
}

function settle(state: ModelState, index: number, channel: ModelChannel): Transition {
  const call: Call = { fn: 'settle', caller: otherSender(state, channel), channelId: channel.id };
  if (channel.settled) return reverted(call, state, 'ChannelNotFound', channel.id);
  if (!isClosing(channel)) return reverted(call, state, 'ChannelNotClosing', channel.id);
  if (state.now < channel.settleAt) return reverted(call, state, 'ChallengePeriodNotOver', channel.settleAt);
  return settled(call, state, index, channel.closingBalance, 'settle');
}

function settled(
  call: Call,
  state: ModelState,
  index: number,
  balance: bigint,
  via: 'cooperativeClose' | 'receiverClose' | 'settle',
): Transition {
  const channel = state.channels[index]!;
  const payout = payoutAt(channel, balance);
  const { manager } = state.config;
  let next = withChannel(mined(state), index, (c) => ({ ...c, settled: true }));
  next = withTransfer(next, manager, channel.receiver, payout.receiverPaid);
  next = withTransfer(next, manager, channel.sender, payout.senderRefund);
  return { call, next, settlement: { channel: index, payout, via } };
}

function warpToSettleAt(state: ModelState, channel: ModelChannel, offset: bigint): Transition | undefined {
  if (!isClosing(channel)) return undefined;
  const target = channel.settleAt + offset;
  if (target <= state.now) return undefined;
  return { call: { fn: 'warp', to: target }, next: { ...state, now: target } };
}

/** A funded party that is not `channel`'s sender: the other sender. */
function otherSender(state: ModelState, channel: ModelChannel): string {
  return state.config.senders.find((sender) => sender !== channel.sender)!;
}
