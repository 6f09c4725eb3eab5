import {
  channelDomain,
  encodePayment,
  encodeX402Payment,
  privateKeyToAddress,
  signBalanceProof,
  x402Requirements,
  type Hex32,
} from '@microraiden/protocol';
import { Paywall } from '../core/paywall';
import type { RouteTable } from '../core/route-table';
import { InMemoryChannelStore } from './in-memory-channel-store';

// anvil's public test keys: never funds of value.
const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const RECEIVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

/**
 * A Paywall over an in-memory store holding one open channel (deposit 1000), and `pay(balance)` giving the
 * signed payment headers for that channel (`payX402`: as PAYMENT-SIGNATURE, priced at 1) — for tests of the adapters
 * (middleware, Nest interceptor).
 */
export function aTestPaywall(options: { channelId: Hex32; routes: RouteTable; gatewayId: string }) {
  const sender = privateKeyToAddress(SENDER_KEY);
  const receiver = privateKeyToAddress(RECEIVER_KEY);
  const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const token = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
  const { channelId } = options;
  const store = new InMemoryChannelStore();
  store.put({ channelId, sender, receiver, deposit: 1000n });
  const paywall = new Paywall({
    identity: {
      receiver,
      domain,
      token,
      gatewayPath: '/api/1',
    },
    routes: options.routes,
    store,
    gatewayId: options.gatewayId,
  });
  const pay = (balance: bigint): Record<string, string> => {
    const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
    return encodePayment({ sender, channelId, balance, signature });
  };
  const payX402 = (balance: bigint): Record<string, string> => {
    const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
    const challenge = {
      gatewayPath: '/api/1',
      receiver,
      channelManager: domain.verifyingContract,
      token,
      price: 1n,
      chainId: domain.chainId,
    } as const;
    return encodeX402Payment(x402Requirements(challenge), { sender, channelId, balance, signature });
  };
  return { paywall, store, pay, payX402 };
}
