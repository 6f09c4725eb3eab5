import { describe, expect, it } from 'vitest';
import { shouldWithdraw } from './withdraw-decision';

const open = { deposit: 1_000n, withdrawn: 200n, closingBalance: 0n, settleAt: 0n };
const proof = (balance: bigint) => ({ balance, signature: '0x' });

describe('shouldWithdraw', () => {
  it('withdraws once the unwithdrawn part reaches the threshold', () => {
    expect(shouldWithdraw(open, proof(699n), 500n)).toBe(false);
    expect(shouldWithdraw(open, proof(700n), 500n)).toBe(true);
  });

  it('never withdraws from a closing channel', () => {
    expect(shouldWithdraw({ ...open, settleAt: 5n }, proof(900n), 1n)).toBe(false);
  });

  it('counts a proof above the deposit as worth the deposit (what the contract pays)', () => {
    expect(shouldWithdraw(open, proof(5_000n), 800n)).toBe(true);
    expect(shouldWithdraw(open, proof(5_000n), 801n)).toBe(false);
    expect(shouldWithdraw({ ...open, withdrawn: 1_000n }, proof(5_000n), 0n)).toBe(false);
  });

  it('never withdraws nothing, even with a zero threshold', () => {
    expect(shouldWithdraw(open, proof(200n), 0n)).toBe(false);
    expect(shouldWithdraw(open, proof(201n), 0n)).toBe(true);
  });
});
