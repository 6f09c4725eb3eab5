import { describe, expect, it } from 'vitest';
import { decideDispute, type ClosingChannel } from './dispute-decision';

const channel: ClosingChannel = { deposit: 1_000n, withdrawn: 0n, closingBalance: 100n, settleAt: 10_000n };
const proof = (balance: bigint) => ({ balance, signature: `0x${'11'.repeat(65)}` });

describe('decideDispute', () => {
  it('disputes a close below the latest accepted proof, before the deadline', () => {
    expect(decideDispute({ channel, proof: proof(500n), now: 9_000n })).toEqual({
      kind: 'dispute',
      balance: 500n,
      signature: proof(500n).signature,
      gain: 400n,
    });
  });

  it('leaves a fair close alone (equal or lower proof) and waits without a proof', () => {
    expect(decideDispute({ channel, proof: proof(100n), now: 9_000n })).toEqual({
      kind: 'wait',
      reason: 'fair-close',
    });
    expect(decideDispute({ channel, proof: proof(50n), now: 9_000n })).toEqual({
      kind: 'wait',
      reason: 'fair-close',
    });
    expect(decideDispute({ channel, proof: undefined, now: 9_000n })).toEqual({
      kind: 'wait',
      reason: 'no-proof',
    });
  });

  it('disputes with a proof above the deposit (a reorged top-up), worth the deposit', () => {
    expect(decideDispute({ channel, proof: proof(1_200n), now: 0n })).toEqual({
      kind: 'dispute',
      balance: 1_200n,
      signature: proof(1_200n).signature,
      gain: 900n,
    });
    const closedAtZero = { ...channel, deposit: 500n, closingBalance: 0n };
    expect(decideDispute({ channel: closedAtZero, proof: proof(1_200n), now: 0n })).toMatchObject({
      kind: 'dispute',
      gain: 500n,
    });
    const closedAtDeposit = { ...channel, closingBalance: 1_000n };
    expect(decideDispute({ channel: closedAtDeposit, proof: proof(1_200n), now: 0n })).toEqual({
      kind: 'wait',
      reason: 'fair-close',
    });
  });

  it('compares with the on-chain closing balance, which the contract raised to withdrawn', () => {
    const afterWithdraw = { ...channel, withdrawn: 600n, closingBalance: 600n };
    expect(decideDispute({ channel: afterWithdraw, proof: proof(500n), now: 0n }).kind).toBe('wait');
    expect(decideDispute({ channel: afterWithdraw, proof: proof(700n), now: 0n })).toMatchObject({
      gain: 100n,
    });
  });

  it('expires at settleAt exactly (the contract refuses receiverClose from then on)', () => {
    expect(decideDispute({ channel, proof: proof(500n), now: 9_999n }).kind).toBe('dispute');
    expect(decideDispute({ channel, proof: proof(500n), now: 10_000n })).toEqual({
      kind: 'expired',
      cheated: true,
    });
    expect(decideDispute({ channel, proof: proof(100n), now: 10_000n })).toEqual({
      kind: 'expired',
      cheated: false,
    });
  });

  it('keeps a safety margin before the deadline', () => {
    expect(decideDispute({ channel, proof: proof(500n), now: 9_940n, marginSeconds: 60n }).kind).toBe(
      'expired',
    );
    expect(decideDispute({ channel, proof: proof(500n), now: 9_939n, marginSeconds: 60n }).kind).toBe(
      'dispute',
    );
  });
});
