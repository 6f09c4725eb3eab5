import fc from 'fast-check';

/**
 * The random operations the property tests run against `MicroTransferChannels`. Channels are referred to by
 * position among the live ones (sometimes among all, settled too; modulo their number), amounts in per mille of the channel's deposit at
 * the time, so any sequence stays meaningful however it was shrunk.
 */

/** How tokens reach the manager: approve + call, EIP-2612 permit, ERC-1363 transferAndCall, ERC-223 transfer. */
export type Via = 'approve' | 'permit' | 'erc1363' | 'erc223';

/** Which of the proofs the receiver holds it uses: its best one (what a watcher does), the latest, or any. */
export type ProofPick = { kind: 'best' } | { kind: 'latest' } | { kind: 'any'; index: number };

/** The `index`-th live channel (modulo their number) or, with `settledToo`, among all created so far. */
export interface ChannelRef {
  index: number;
  settledToo: boolean;
}

export type Operation =
  /** `withSigner`: name the sender's session key as balance signer (approve and permit only: the token
   * callbacks have no way to pass one, so the flag is ignored there). */
  | { kind: 'create'; sender: number; receiver: number; deposit: bigint; via: Via; withSigner: boolean }
  | { kind: 'topUp'; channel: ChannelRef; amount: bigint; via: Via; byOtherSender: boolean }
  /** The sender approves the manager for an unlimited amount again (a permit leaves the allowance at 0). */
  | { kind: 'approve'; sender: number }
  /** The sender signs a balance proof (off chain; its session key does when `bySigner` and the channel has
   * one) and the receiver keeps it. */
  | { kind: 'sign'; channel: ChannelRef; permille: number; bySigner: boolean }
  | { kind: 'withdraw'; channel: ChannelRef; proof: ProofPick }
  | {
      kind: 'cooperativeClose';
      channel: ChannelRef;
      proof: ProofPick;
      submitter: 'sender' | 'receiver' | 'stranger';
    }
  | { kind: 'uncooperativeClose'; channel: ChannelRef; permille: number; byReceiver: boolean }
  /** The receiver's close; during a challenge period this is the dispute. */
  | { kind: 'receiverClose'; channel: ChannelRef; proof: ProofPick; bySender: boolean }
  /** What a watcher does: the receiver closes a closing channel with its best proof. */
  | { kind: 'dispute'; channel: ChannelRef }
  | { kind: 'settle'; channel: ChannelRef }
  | { kind: 'warp'; seconds: bigint }
  /** Jump to just before, exactly at or just after a closing channel's `settleAt`. */
  | { kind: 'warpToSettleAt'; channel: ChannelRef; offset: bigint };

const via = fc.constantFrom<Via>('approve', 'approve', 'permit', 'erc1363', 'erc223');
const proofPick: fc.Arbitrary<ProofPick> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'best' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'latest' as const }) },
  { weight: 2, arbitrary: fc.nat({ max: 15 }).map((index) => ({ kind: 'any' as const, index })) },
);
/** Mostly within the deposit, sometimes above it (a proof for a top-up that never came), sometimes 0. */
const permille = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1001, max: 1500 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
/** Mostly valid amounts, sometimes 0 (ZeroAmount). */
const amount = fc.oneof(
  { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 1_000n }) },
  { weight: 1, arbitrary: fc.constant(0n) },
);
const party = fc.nat({ max: 1 });
/** True one time in ten: a caller who is not the party the function is for, a settled channel. */
const rarely = fc.integer({ min: 0, max: 9 }).map((n) => n === 0);
const channelRef: fc.Arbitrary<ChannelRef> = fc.record({ index: fc.nat({ max: 15 }), settledToo: rarely });

/** Opening a channel (also used to start every sequence with live channels). */
export const createArbitrary: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constant('create' as const),
  sender: party,
  receiver: party,
  deposit: amount,
  via,
  withSigner: fc.boolean(),
});

export const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: createArbitrary },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('topUp' as const),
      channel: channelRef,
      amount,
      via,
      byOtherSender: rarely,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('approve' as const), sender: party }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('sign' as const),
      channel: channelRef,
      permille,
      bySigner: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), channel: channelRef, proof: proofPick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cooperativeClose' as const),
      channel: channelRef,
      proof: proofPick,
      submitter: fc.constantFrom('sender' as const, 'receiver' as const, 'stranger' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('uncooperativeClose' as const),
      channel: channelRef,
      permille,
      byReceiver: rarely,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('receiverClose' as const),
      channel: channelRef,
      proof: proofPick,
      bySender: rarely,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dispute' as const), channel: channelRef }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('settle' as const), channel: channelRef }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('warp' as const),
      seconds: fc.bigInt({ min: 1n, max: 10_000n }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('warpToSettleAt' as const),
      channel: channelRef,
      offset: fc.constantFrom(-1n, 0n, 1n),
    }),
  },
);
