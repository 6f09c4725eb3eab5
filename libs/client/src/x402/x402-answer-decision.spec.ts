import { describe, expect, it } from 'vitest';
import { aChannelId } from '../test/builders';
import { decideX402Answer, type X402AnswerFacts } from './x402-answer-decision';

const facts = (overrides: Partial<X402AnswerFacts>): X402AnswerFacts => ({
  channelId: aChannelId(),
  sentBalance: 10n,
  code: undefined,
  claimedBalance: undefined,
  verifiedBalance: undefined,
  ...overrides,
});

describe('decideX402Answer', () => {
  it('acknowledges a charged receipt without a retry', () => {
    expect(decideX402Answer(facts({ claimedBalance: 10n }))).toEqual({
      kind: 'acknowledge',
      balance: 10n,
      chargedBalance: 10n,
      retry: false,
    });
  });

  it('acknowledges the charged balance a metered receipt names, never above the balance it believes', () => {
    const metered = facts({ claimedBalance: 10n, claimedChargedBalance: 4n });
    expect(decideX402Answer(metered)).toMatchObject({ balance: 10n, chargedBalance: 4n });
    // A verified corrective balance stands alone: a claim about another balance says nothing about it.
    const corrective = facts({
      code: 'INCREMENT_BELOW_PRICE',
      claimedBalance: 8n,
      claimedChargedBalance: 3n,
      verifiedBalance: 30n,
    });
    expect(decideX402Answer(corrective)).toMatchObject({ balance: 30n, chargedBalance: 30n, retry: true });
    expect(
      decideX402Answer(facts({ claimedBalance: 10n, claimedChargedBalance: 11n, verifiedBalance: 10n })),
    ).toMatchObject({ balance: 10n, chargedBalance: 10n });
  });

  it('re-syncs on a corrective answer whose balance the sender is bound to', () => {
    expect(decideX402Answer(facts({ code: 'BALANCE_STALE', claimedBalance: 8n }))).toEqual({
      kind: 'acknowledge',
      balance: 8n,
      chargedBalance: 8n,
      retry: true,
    });
    expect(
      decideX402Answer(facts({ code: 'BALANCE_STALE', claimedBalance: 30n, verifiedBalance: 30n })),
    ).toEqual({
      kind: 'acknowledge',
      balance: 30n,
      chargedBalance: 30n,
      retry: true,
    });
  });

  it('never believes a claim above what it signed without the sender’s signature', () => {
    expect(decideX402Answer(facts({ code: 'BALANCE_STALE', claimedBalance: 30n }))).toEqual({
      kind: 'nothing',
    });
  });

  it('waits for a channel the gateway has not seen yet', () => {
    expect(decideX402Answer(facts({ code: 'CHANNEL_NOT_FOUND' }))).toEqual({ kind: 'wait' });
  });
});
