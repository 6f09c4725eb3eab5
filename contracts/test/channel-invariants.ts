import { Interface } from 'ethers';
import { microTransferChannelsAbi } from '@microraiden/contracts';
import type { CallOutcome, ChainView, OnChainChannel } from './channel-driver';
import { bestClaim, highestAuthorised, type ModelChannel, type ModelState } from './channel-model';
import { pickProof, type Transition } from './channel-transitions';

/**
 * The properties checked after every step of a run. Two kinds:
 * - agreement: the chain did what the model of the documented semantics says (same revert, same channel
 *   fields and states, same token balances);
 * - safety: funds-safety rules computed from the chain and the receipt alone, whatever the model says:
 *   escrow == live deposits − withdrawn, a settlement pays out exactly the deposit, the receiver gets no
 *   more than the sender authorised and, when it closes with its best proof, no less than that proof allows.
 */

/** One executed step: the model and the chain before and after it. */
export interface Step {
  before: ModelState;
  transition: Transition;
  outcome: CallOutcome;
  chainBefore: ChainView;
  chainAfter: ChainView;
}

const managerAbi = new Interface(microTransferChannelsAbi);
const DELETED: OnChainChannel = {
  sender: '0x0000000000000000000000000000000000000000',
  receiver: '0x0000000000000000000000000000000000000000',
  deposit: 0n,
  withdrawn: 0n,
  closingBalance: 0n,
  settleAt: 0n,
  signer: '0x0000000000000000000000000000000000000000',
};

/** Every rule `step` broke, as readable sentences (empty when all hold). */
export function invariantViolations(step: Step): string[] {
  return [...agreementViolations(step), ...escrowViolations(step), ...settlementViolations(step)];
}

function agreementViolations({ transition, outcome, chainAfter }: Step): string[] {
  const found: string[] = [];
  const expected = transition.revert;
  const actual = outcome.revert && { name: outcome.revert.name, args: outcome.revert.args };
  if (JSON.stringify(expected, bigints) !== JSON.stringify(actual, bigints)) {
    found.push(`expected ${describeRevert(expected)}, chain: ${describeRevert(actual)}`);
  }
  for (const channel of transition.next.channels) {
    const want = channel.settled ? DELETED : documented(channel);
    const got = chainAfter.channels[channel.id];
    if (JSON.stringify(got, bigints) !== JSON.stringify(want, bigints)) {
      found.push(
        `channel ${short(channel.id)}: model ${JSON.stringify(want, bigints)}, chain ${JSON.stringify(got, bigints)}`,
      );
    }
  }
  for (const [address, want] of Object.entries(transition.next.tokens)) {
    if (chainAfter.tokens[address] !== want) {
      found.push(`tokens of ${short(address)}: model ${want}, chain ${chainAfter.tokens[address]}`);
    }
  }
  return found;
}

function escrowViolations({ transition, chainAfter }: Step): string[] {
  const found: string[] = [];
  const { manager } = transition.next.config;
  const live = Object.values(chainAfter.channels).reduce((sum, c) => sum + c.deposit - c.withdrawn, 0n);
  if (chainAfter.tokens[manager] !== live) {
    found.push(`manager holds ${chainAfter.tokens[manager]} but live deposits − withdrawn = ${live}`);
  }
  for (const channel of transition.next.channels) {
    const onChain = chainAfter.channels[channel.id];
    if (!onChain || channel.settled) continue;
    const signed = channel.signed.reduce((max, b) => (b > max ? b : max), 0n);
    if (onChain.withdrawn > onChain.deposit || onChain.withdrawn > signed) {
      found.push(
        `channel ${short(channel.id)}: withdrawn ${onChain.withdrawn} exceeds deposit ${onChain.deposit} or highest signed ${signed}`,
      );
    }
  }
  return found;
}

/** The ChannelSettled events of the step's receipt: what each settlement paid. */
function settlements(
  outcome: CallOutcome,
): { channelId: string; receiverPaid: bigint; senderRefund: bigint }[] {
  return (outcome.receipt?.logs ?? [])
    .map((log) => managerAbi.parseLog(log))
    .filter((parsed) => parsed?.name === 'ChannelSettled')
    .map((parsed) => ({
      channelId: parsed!.args[0] as string,
      receiverPaid: parsed!.args[4] as bigint,
      senderRefund: parsed!.args[5] as bigint,
    }));
}

function settlementViolations(step: Step): string[] {
  const { before, transition, outcome, chainBefore, chainAfter } = step;
  const found: string[] = [];
  for (const { channelId, receiverPaid, senderRefund } of settlements(outcome)) {
    const was = chainBefore.channels[channelId];
    const channel = transition.next.channels.find((c) => c.id === channelId);
    const modelBefore = before.channels.find((c) => c.id === channelId);
    if (!was || !channel || !modelBefore) {
      found.push(`settled unknown channel ${short(channelId)}`);
      continue;
    }
    const id = short(channelId);
    if (receiverPaid + senderRefund + was.withdrawn !== was.deposit) {
      found.push(
        `${id}: paid ${receiverPaid} + refunded ${senderRefund} + withdrawn ${was.withdrawn} != deposit ${was.deposit}`,
      );
    }
    const delta = (address: string) =>
      (chainAfter.tokens[address] ?? 0n) - (chainBefore.tokens[address] ?? 0n);
    if (delta(was.receiver) !== receiverPaid || delta(was.sender) !== senderRefund) {
      found.push(`${id}: token deltas ${delta(was.receiver)}/${delta(was.sender)} differ from the event`);
    }
    const receiverTotal = was.withdrawn + receiverPaid;
    if (receiverTotal > highestAuthorised(channel)) {
      found.push(
        `${id}: receiver got ${receiverTotal}, more than the sender ever authorised (${highestAuthorised(channel)})`,
      );
    }
    found.push(...bestProofViolations(id, modelBefore, transition, receiverTotal));
  }
  return found;
}

/** A receiver closing with its best proof gets at least what that proof allows. */
function bestProofViolations(
  id: string,
  channel: ModelChannel,
  transition: Transition,
  receiverTotal: bigint,
): string[] {
  const { call } = transition;
  if (call.fn !== 'receiverClose' || call.balance !== pickProof(channel, { kind: 'best' })) return [];
  const owed = bestClaim(channel);
  return receiverTotal < owed
    ? [`${id}: receiver closed with its best proof and got ${receiverTotal} < ${owed}`]
    : [];
}

function documented(channel: ModelChannel): OnChainChannel {
  const { sender, receiver, deposit, withdrawn, closingBalance, settleAt } = channel;
  const signer = channel.signer ?? DELETED.signer;
  return { sender, receiver, deposit, withdrawn, closingBalance, settleAt, signer };
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function describeRevert(revert: { name: string; args: unknown[] } | undefined): string {
  return revert ? `${revert.name}(${JSON.stringify(revert.args, bigints)})` : 'success';
}

function short(hex: string): string {
  return hex.slice(0, 10);
}
