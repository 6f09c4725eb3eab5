import { describe, expect, it } from 'vitest';
import { aChannelRecord } from '../test/builders';
import { nextPaymentBalance } from './next-payment-balance';

const sig = `0x${'22'.repeat(65)}` as const;

describe('nextPaymentBalance', () => {
  it('signs the price on top of the acknowledged balance', () => {
    const r = aChannelRecord({ signedBalance: 10n, balanceSignature: sig, acknowledgedBalance: 10n });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'sign', balance: 15n, base: 10n });
  });

  it('assumes every signed proof was accepted when nothing was acknowledged', () => {
    const r = aChannelRecord({ signedBalance: 7n, balanceSignature: sig });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'sign', balance: 12n, base: 7n });
  });

  it('re-sends an unconfirmed proof that pays the price instead of signing on top of it', () => {
    const r = aChannelRecord({ signedBalance: 15n, balanceSignature: sig, acknowledgedBalance: 10n });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'reuse', balance: 15n, base: 10n });
  });

  it('signs up to base + price when the unconfirmed proof pays less than the (new) price', () => {
    const r = aChannelRecord({ signedBalance: 13n, balanceSignature: sig, acknowledgedBalance: 10n });
    expect(nextPaymentBalance(r, 5n, 10n)).toEqual({ kind: 'sign', balance: 15n, base: 10n });
  });

  it('does not re-send an unconfirmed proof that would pay more than the limit, and never signs lower', () => {
    const r = aChannelRecord({ signedBalance: 30n, balanceSignature: sig, acknowledgedBalance: 10n });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'sign', balance: 35n, base: 10n });
  });

  it('builds on a receiver balance above anything signed here (state rebuilt from chain)', () => {
    const r = aChannelRecord({ signedBalance: 5n, balanceSignature: sig, acknowledgedBalance: 40n });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'sign', balance: 45n, base: 40n });
  });

  it('reports a balance past the deposit as insufficient', () => {
    const r = aChannelRecord({
      deposit: 14n,
      signedBalance: 10n,
      balanceSignature: sig,
      acknowledgedBalance: 10n,
    });
    expect(nextPaymentBalance(r, 5n, 5n)).toEqual({ kind: 'insufficient', balance: 15n, base: 10n });
  });
});
