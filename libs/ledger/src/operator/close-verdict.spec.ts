import { describe, expect, it } from 'vitest';
import { closeVerdictOf, type ClosedChannelFacts } from './close-verdict';

const closing = (overrides: Partial<ClosedChannelFacts>): ClosedChannelFacts => ({
  status: 'closing',
  deposit: 100n,
  balance: 40n,
  closeBalance: 40n,
  settledBalance: null,
  ...overrides,
});

describe('closeVerdictOf', () => {
  it('calls a close that claims the accepted balance fair', () => {
    expect(closeVerdictOf(closing({}))).toBe('fair');
    expect(closeVerdictOf(closing({ closeBalance: 50n }))).toBe('fair');
  });

  it('asks for a dispute while a lower claim is in its challenge period', () => {
    expect(closeVerdictOf(closing({ closeBalance: 10n }))).toBe('dispute-due');
  });

  it('judges against what the chain pays: a balance above the deposit claims only the deposit', () => {
    expect(closeVerdictOf(closing({ deposit: 30n, balance: 40n, closeBalance: 30n }))).toBe('fair');
  });

  it('tells a settlement above the claim (disputed) from one at a too-low claim (lost)', () => {
    expect(closeVerdictOf(closing({ status: 'settled', closeBalance: 10n, settledBalance: 40n }))).toBe(
      'disputed',
    );
    expect(closeVerdictOf(closing({ status: 'settled', closeBalance: 10n, settledBalance: 10n }))).toBe(
      'lost',
    );
    expect(closeVerdictOf(closing({ status: 'settled', closeBalance: 40n, settledBalance: 40n }))).toBe(
      'fair',
    );
  });
});
