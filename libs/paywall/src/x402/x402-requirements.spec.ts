import { channelDomain, x402Requirements, type Address } from '@microraiden/protocol';
import type { PaymentRequirements } from '@x402/core/types';
import { describe, expect, it } from 'vitest';
import type { PaywallIdentity } from '../core/paywall';
import { channelPrice, channelRequirements, X402ConfigurationError } from './x402-requirements';

const identity: PaywallIdentity = {
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  domain: channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3'),
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  gatewayPath: '/api/1',
};
const base: PaymentRequirements = {
  scheme: 'microraiden-channel',
  network: 'eip155:31337',
  asset: identity.token,
  amount: '1000',
  payTo: identity.receiver.toLowerCase(),
  maxTimeoutSeconds: 30,
  extra: {},
};

describe('x402 route configuration for microraiden-channel', () => {
  it('prices in base units of the channel token', () => {
    expect(channelPrice(identity, '1000', 'eip155:31337')).toEqual({ amount: '1000', asset: identity.token });
    expect(channelPrice(identity, 7, 'eip155:31337')).toEqual({ amount: '7', asset: identity.token });
    expect(
      channelPrice(identity, { amount: '5', asset: identity.token.toLowerCase() }, 'eip155:31337'),
    ).toEqual({
      amount: '5',
      asset: identity.token,
    });
  });

  it.each([
    ['a dollar amount', '$0.01', 'eip155:31337'],
    ['zero', '0', 'eip155:31337'],
    ['a fraction', 1.5, 'eip155:31337'],
    ['another token', { amount: '5', asset: identity.receiver }, 'eip155:31337'],
    ['another chain', '1000', 'eip155:1'],
  ])('refuses %s', (_name, price, network) => {
    expect(() => channelPrice(identity, price as never, network as `${string}:${string}`)).toThrow(
      X402ConfigurationError,
    );
  });

  it('renders exactly the requirement the gateway sends, with the timeout and token info', () => {
    const token = { symbol: 'MTK', decimals: 18 };
    expect(channelRequirements(identity, base, token)).toEqual(
      x402Requirements(
        {
          gatewayPath: '/api/1',
          receiver: identity.receiver,
          channelManager: identity.domain.verifyingContract,
          token: identity.token,
          price: 1000n,
          chainId: 31337n,
        },
        { maxTimeoutSeconds: 30, token },
      ),
    );
  });

  it('refuses a payTo other than the receiver', () => {
    const other: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
    expect(() => channelRequirements(identity, { ...base, payTo: other }, undefined)).toThrow(/payTo/);
  });
});
