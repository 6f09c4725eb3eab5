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

  describe('metered and streamed prices: max(S + 1, C + price)', () => {
    // S = 100 held by the receiver, of which it charged C = 40; the route's ceiling is 50.
    const metered = (overrides: Parameters<typeof aChannelRecord>[0] = {}) =>
      aChannelRecord({
        deposit: 1_000n,
        signedBalance: 100n,
        balanceSignature: sig,
        acknowledgedBalance: 100n,
        chargedBalance: 40n,
        ...overrides,
      });

    it('signs C + price when that is above S', () => {
      expect(nextPaymentBalance(metered(), 80n, 80n)).toEqual({ kind: 'sign', balance: 120n, base: 100n });
    });

    it('signs S + 1 when C + price does not exceed S (the authorisation left already covers the price)', () => {
      expect(nextPaymentBalance(metered(), 50n, 50n)).toEqual({ kind: 'sign', balance: 101n, base: 100n });
      expect(nextPaymentBalance(metered(), 60n, 60n)).toEqual({ kind: 'sign', balance: 101n, base: 100n });
    });

    it('reads an unknown charged balance, or one above S, as S (fixed prices: S + price)', () => {
      expect(nextPaymentBalance(metered({ chargedBalance: null }), 50n, 50n)).toMatchObject({
        balance: 150n,
      });
      expect(nextPaymentBalance(metered({ chargedBalance: 500n }), 50n, 50n)).toMatchObject({
        balance: 150n,
      });
    });

    it('re-sends an unconfirmed proof that covers C + price and authorises at most the limit over C', () => {
      const pending = metered({ signedBalance: 120n });
      expect(nextPaymentBalance(pending, 80n, 80n)).toEqual({ kind: 'reuse', balance: 120n, base: 100n });
      // Over the limit above C: a new proof instead, on top of the signed one (signed balances only grow).
      expect(nextPaymentBalance(pending, 80n, 79n)).toEqual({ kind: 'sign', balance: 200n, base: 100n });
    });
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
