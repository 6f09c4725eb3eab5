// Builders for the protocol's unit tests: well-known anvil keys, a fixed deployment, and a seeded
// random source so a failing property test can be replayed from the seed it prints.
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { BalanceProof } from '../balance-proof';
import type { Challenge } from '../challenge-headers';
import { channelIdOf } from '../channel-id';
import { channelDomain, type ChannelDomain } from '../eip712-domain';
import { bytesToHex, type Address, type Hex, type Hex32 } from '../hex';
import type { Payment } from '../payment-headers';
import { ProtocolError } from '../protocol-error';
import { signBalanceProof, privateKeyToAddress } from '../sign-proof';
import type { ChannelView, GatewayIdentity, VerifyPaymentInput } from '../verify-payment';

/** anvil account 0 (public test key): the sender in fixtures. */
export const SENDER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const SENDER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
/** anvil account 1 (public test key): the receiver in fixtures. */
export const RECEIVER_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const RECEIVER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
/** anvil account 2: a stranger. */
export const STRANGER_KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
/** The address anvil gives the first contract account 0 deploys. */
export const CHANNEL_MANAGER: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const TOKEN: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
export const CHAIN_ID = 31337n;
export const PRICE = 1_000_000_000_000_000n;

export function aDomain(): ChannelDomain {
  return channelDomain(CHAIN_ID, CHANNEL_MANAGER);
}

export function aChannelId(nonce = 0n): Hex32 {
  return channelIdOf({
    chainId: CHAIN_ID,
    channelManager: CHANNEL_MANAGER,
    sender: SENDER,
    receiver: RECEIVER,
    nonce,
  });
}

export function aBalanceProof(overrides: Partial<BalanceProof> = {}): BalanceProof {
  return { channelId: aChannelId(), receiver: RECEIVER, balance: 3n * PRICE, ...overrides };
}

export function aChallenge(overrides: Partial<Challenge> = {}): Challenge {
  return {
    gatewayPath: '/api/1',
    receiver: RECEIVER,
    channelManager: CHANNEL_MANAGER,
    token: TOKEN,
    price: PRICE,
    chainId: CHAIN_ID,
    ...overrides,
  };
}

/** A payment signed by `key` (the sender by default) for `balance` on the fixture channel. */
export function aPayment(
  options: { balance?: bigint; key?: Hex; channelId?: Hex32; receiver?: Address } & Partial<Payment> = {},
): Payment {
  const {
    key = SENDER_KEY,
    balance = 3n * PRICE,
    channelId = aChannelId(),
    receiver = RECEIVER,
    ...rest
  } = options;
  const signature = signBalanceProof(key, aDomain(), { channelId, receiver, balance });
  return { sender: privateKeyToAddress(key), channelId, balance, signature, ...rest };
}

export function aChannelView(overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    sender: SENDER,
    receiver: RECEIVER,
    deposit: 10n * PRICE,
    state: 'open',
    confirmations: 5,
    ...overrides,
  };
}

export function aGateway(): GatewayIdentity {
  return { receiver: RECEIVER, domain: aDomain() };
}

export function aVerifyInput(overrides: Partial<VerifyPaymentInput> = {}): VerifyPaymentInput {
  return {
    payment: aPayment(),
    gateway: aGateway(),
    channel: aChannelView(),
    requiredConfirmations: 5,
    lastAcceptedBalance: 2n * PRICE,
    price: PRICE,
    ...overrides,
  };
}

/** A deterministic byte stream: keccak(seed ‖ counter). */
export function seededRandom(seed: string): {
  bytes(n: number): Uint8Array;
  uint(maxBits: number): bigint;
  int(below: number): number;
  hex(n: number): Hex;
} {
  let counter = 0;
  let block = new Uint8Array(0);
  let offset = 0;
  const seedBytes = new TextEncoder().encode(seed);
  const input = new Uint8Array(seedBytes.length + 4);
  input.set(seedBytes, 0);
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (offset === block.length) {
        new DataView(input.buffer).setUint32(seedBytes.length, counter++);
        block = keccak_256(input);
        offset = 0;
      }
      out[i] = block[offset++] as number;
    }
    return out;
  };
  const uint = (maxBits: number): bigint => {
    const bits = 1 + ((bytes(1)[0] as number) % maxBits); // vary magnitude, not only huge values
    const raw = BigInt(bytesToHex(bytes(32)));
    return raw & ((1n << BigInt(bits)) - 1n);
  };
  const int = (below: number): number => new DataView(bytes(4).buffer).getUint32(0) % below;
  return { bytes, uint, int, hex: (n: number) => bytesToHex(bytes(n)) };
}

/** A seed for property tests: PROTOCOL_TEST_SEED to replay, else fresh per run. */
export function propertySeed(): string {
  return process.env.PROTOCOL_TEST_SEED ?? bytesToHex(crypto.getRandomValues(new Uint8Array(8)));
}

/** Runs `fn` and returns the ProtocolError code it threw; fails the test if it threw anything else or nothing. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw new Error(`expected a ProtocolError, got ${String(err)}`);
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}
