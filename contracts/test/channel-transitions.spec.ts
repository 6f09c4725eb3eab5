import { describe, expect, it } from 'vitest';
import { initialModel, type ModelState } from './channel-model';
import type { Operation } from './channel-operations';
import { transition, type Transition } from './channel-transitions';

const sender = '0x1000000000000000000000000000000000000001';
const otherSender = '0x1000000000000000000000000000000000000002';
const receiver = '0x2000000000000000000000000000000000000001';
const sessionKey = '0x4000000000000000000000000000000000000001';
const manager = '0x3000000000000000000000000000000000000001';
const START = 1_000n;
const PERIOD = 3_600n;

function world(): ModelState {
  const config = {
    chainId: 31337n,
    manager,
    challengePeriod: PERIOD,
    senders: [sender, otherSender],
    receivers: [receiver, '0x2000000000000000000000000000000000000002'],
    signers: [sessionKey, '0x4000000000000000000000000000000000000002'],
  };
  return initialModel(config, START, {
    [sender]: 10_000n,
    [otherSender]: 10_000n,
    [receiver]: 0n,
    [manager]: 0n,
  });
}

const first = { index: 0, settledToo: false };

/** Applies `ops` in order (each must apply) and returns every transition. */
function run(ops: Operation[]): Transition[] {
  const steps: Transition[] = [];
  let state = world();
  for (const op of ops) {
    const step = transition(state, op);
    if (!step) throw new Error(`${op.kind} did not apply`);
    steps.push(step);
    state = step.next;
  }
  return steps;
}

const open: Operation = {
  kind: 'create',
  sender: 0,
  receiver: 0,
  deposit: 1_000n,
  via: 'approve',
  withSigner: false,
};
const sign = (permille: number, bySigner = false): Operation => ({
  kind: 'sign',
  channel: first,
  permille,
  bySigner,
});
const cheat: Operation = { kind: 'uncooperativeClose', channel: first, permille: 100, byReceiver: false };

describe('channel model transitions', () => {
  it('a cheating close disputed before settleAt pays the receiver its best proof', () => {
    const steps = run([
      open,
      sign(300),
      sign(700),
      sign(500),
      cheat,
      { kind: 'warpToSettleAt', channel: first, offset: -1n },
      { kind: 'dispute', channel: first },
    ]);
    const dispute = steps.at(-1)!;
    expect(dispute.call).toMatchObject({ fn: 'receiverClose', balance: 700n });
    expect(dispute.revert).toBeUndefined();
    expect(dispute.settlement?.payout).toEqual({ balance: 700n, receiverPaid: 700n, senderRefund: 300n });
    expect(dispute.next.tokens[receiver]).toBe(700n);
    expect(dispute.next.tokens[manager]).toBe(0n);
  });

  it('at exactly settleAt the dispute is over and settle pays the claim', () => {
    const base: Operation[] = [
      open,
      sign(700),
      cheat,
      { kind: 'warpToSettleAt', channel: first, offset: 0n },
    ];
    const late = run([...base, { kind: 'dispute', channel: first }]).at(-1)!;
    expect(late.revert).toEqual({ name: 'ChallengePeriodOver', args: [START + 1n + PERIOD] });
    const settled = run([...base, { kind: 'settle', channel: first }]).at(-1)!;
    expect(settled.settlement?.payout).toEqual({ balance: 100n, receiverPaid: 100n, senderRefund: 900n });
  });

  it('a withdrawal is never clawed back by a lower close', () => {
    const steps = run([
      open,
      sign(600),
      { kind: 'withdraw', channel: first, proof: { kind: 'best' } },
      cheat,
      { kind: 'warpToSettleAt', channel: first, offset: 0n },
      { kind: 'settle', channel: first },
    ]);
    expect(steps[3]!.next.channels[0]).toMatchObject({ withdrawn: 600n, closingBalance: 600n });
    expect(steps.at(-1)!.settlement?.payout).toEqual({ balance: 600n, receiverPaid: 0n, senderRefund: 400n });
  });

  it("a proof above the deposit is worth the deposit; only the sender's own claim must fit it", () => {
    const withdrawn = run([
      open,
      sign(1_200),
      { kind: 'withdraw', channel: first, proof: { kind: 'latest' } },
    ]).at(-1)!;
    expect(withdrawn.revert).toBeUndefined();
    expect(withdrawn.next.channels[0]).toMatchObject({ withdrawn: 1_000n });
    expect(withdrawn.next.tokens[receiver]).toBe(1_000n);
    const closed = run([
      open,
      sign(1_500),
      { kind: 'receiverClose', channel: first, proof: { kind: 'best' }, bySender: false },
    ]);
    expect(closed.at(-1)!.settlement?.payout).toEqual({
      balance: 1_000n,
      receiverPaid: 1_000n,
      senderRefund: 0n,
    });
    const claim = run([open, { ...cheat, permille: 1_100 }]).at(-1)!;
    expect(claim.revert).toEqual({ name: 'BalanceExceedsDeposit', args: [1_100n, 1_000n] });
  });

  it('a channel opened with a signer lets its session key sign proofs that count like the sender’s', () => {
    const steps = run([
      { ...open, withSigner: true },
      sign(300, true),
      { kind: 'receiverClose', channel: first, proof: { kind: 'best' }, bySender: false },
    ]);
    expect(steps[0]!.call).toMatchObject({ fn: 'createChannel', signer: sessionKey });
    expect(steps[1]!.call).toMatchObject({ fn: 'signBalanceProof', signer: sessionKey, balance: 300n });
    expect(steps.at(-1)!.settlement?.payout).toEqual({
      balance: 300n,
      receiverPaid: 300n,
      senderRefund: 700n,
    });
  });

  it('token callbacks cannot name a signer, and without one the sender signs', () => {
    const steps = run([{ ...open, via: 'erc223', withSigner: true }, sign(300, true)]);
    expect(steps[0]!.call).toMatchObject({ fn: 'createChannel', signer: undefined });
    expect(steps[1]!.call).toMatchObject({ fn: 'signBalanceProof', signer: sender });
  });
});
