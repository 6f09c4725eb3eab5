import { keccakOfText } from '../keccak-words';
import {
  createBalanceProofAccepted,
  type BalanceProofAcceptedData,
  type BalanceProofAcceptedV1,
} from '../balance-proof-events';
import {
  createBalanceProofCharged,
  type BalanceProofChargedData,
  type BalanceProofChargedV1,
} from '../balance-proof-charged';
import {
  createBalanceProofCloseSigned,
  type BalanceProofCloseSignedData,
  type BalanceProofCloseSignedV1,
} from '../balance-proof-close-signed';
import {
  createChannelEvent,
  createRetraction,
  type ChannelLogEvent,
  type ChannelLogEventData,
  type ChannelLogEventType,
  type ChannelEventRetractedV1,
} from '../channel-events';
import type { Address, Hex } from '../wire-fields';

// Test fixtures only: valid, deterministic defaults; every builder takes overrides.

/** Deterministic 32-byte id for tests, e.g. `aChannelId('alice-1')`. */
export function aChannelId(seed: string | number = 'channel'): Hex {
  return keccakOfText(`channel:${seed}`);
}

/** Default sender of the builders: anvil account 0. */
export const TEST_SENDER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
/** Default receiver of the builders: anvil account 1. */
export const TEST_RECEIVER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
/** Default channel manager of the builders: the first contract account 0 deploys on a fresh anvil. */
export const TEST_CHANNEL_MANAGER: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const TEST_CHAIN_ID = 31337;
const TEST_SIGNATURE = `0x${'ab'.repeat(64)}1b` as Hex;
const TEST_INSTANT = '2025-01-01T00:00:00.000Z';

type Meta = { source?: string; occurredAt?: string };

/**
 * A valid `balance-proof.accepted` v1 with overrides applied; `increment` follows `balance - previousBalance` unless
 * overridden, and the id is recomputed from the final data.
 */
export function aBalanceProofAccepted(
  overrides: Partial<BalanceProofAcceptedData> = {},
  meta: Meta = {},
): BalanceProofAcceptedV1 {
  const balance = overrides.balance ?? 300n;
  const previousBalance = overrides.previousBalance ?? (balance > 100n ? balance - 100n : 0n);
  const data: BalanceProofAcceptedData = {
    channelId: aChannelId(),
    sender: TEST_SENDER,
    receiver: TEST_RECEIVER,
    channelManager: TEST_CHANNEL_MANAGER,
    chainId: TEST_CHAIN_ID,
    price: 100n,
    signature: TEST_SIGNATURE,
    route: '/api/weather',
    method: 'GET',
    gatewayId: 'gateway-test',
    acceptedAt: TEST_INSTANT,
    ...overrides,
    balance,
    previousBalance,
    increment: overrides.increment ?? balance - previousBalance,
  };
  return createBalanceProofAccepted(data, { source: meta.source ?? 'gateway', occurredAt: meta.occurredAt });
}

/** A valid `balance-proof.close-signed` v1 (closing balance 300) with overrides applied; the id follows the data. */
export function aBalanceProofCloseSigned(
  overrides: Partial<BalanceProofCloseSignedData> = {},
  meta: Meta = {},
): BalanceProofCloseSignedV1 {
  return createBalanceProofCloseSigned(
    {
      channelId: aChannelId(),
      sender: TEST_SENDER,
      receiver: TEST_RECEIVER,
      channelManager: TEST_CHANNEL_MANAGER,
      chainId: TEST_CHAIN_ID,
      balance: 300n,
      closingSignature: `0x${'cd'.repeat(64)}1c`,
      gatewayId: 'gateway-test',
      signedAt: TEST_INSTANT,
      ...overrides,
    },
    { source: meta.source ?? 'gateway', occurredAt: meta.occurredAt },
  );
}

/**
 * A valid `balance-proof.charged` v1 (50 charged, C 250 of S 300) with overrides applied; the id follows the data.
 */
export function aBalanceProofCharged(
  overrides: Partial<BalanceProofChargedData> = {},
  meta: Meta = {},
): BalanceProofChargedV1 {
  return createBalanceProofCharged(
    {
      channelId: aChannelId(),
      sender: TEST_SENDER,
      receiver: TEST_RECEIVER,
      channelManager: TEST_CHANNEL_MANAGER,
      chainId: TEST_CHAIN_ID,
      balance: 300n,
      charge: 50n,
      chargedBalance: 250n,
      route: '/api/stream',
      method: 'GET',
      gatewayId: 'gateway-test',
      chargedAt: TEST_INSTANT,
      ...overrides,
    },
    { source: meta.source ?? 'gateway', occurredAt: meta.occurredAt },
  );
}

let logCounter = 0;

/** A fresh chain position per call (distinct log, hence distinct event id); override fields to pin one. */
function aChainPosition() {
  logCounter += 1;
  return {
    chainId: TEST_CHAIN_ID,
    channelManager: TEST_CHANNEL_MANAGER,
    blockNumber: 100 + logCounter,
    blockHash: keccakOfText(`block:${logCounter}`),
    transactionHash: keccakOfText(`tx:${logCounter}`),
    logIndex: logCounter % 7,
  };
}

function aChannelLogEvent<T extends ChannelLogEventType>(
  type: T,
  fields: Omit<
    ChannelLogEventData<T>,
    'channelId' | 'sender' | 'receiver' | keyof ReturnType<typeof aChainPosition>
  >,
  overrides: Partial<ChannelLogEventData<T>>,
  meta: Meta,
) {
  const data = {
    channelId: aChannelId(),
    sender: TEST_SENDER,
    receiver: TEST_RECEIVER,
    ...fields,
    ...aChainPosition(),
    ...overrides,
  } as unknown as ChannelLogEventData<T>;
  return createChannelEvent(type, data, {
    source: meta.source ?? 'chain-watcher',
    occurredAt: meta.occurredAt ?? TEST_INSTANT,
  });
}

/** A valid `channel.created` v1 (deposit 1000) at a fresh chain position. */
export function aChannelCreated(
  overrides: Partial<ChannelLogEventData<'channel.created'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent('channel.created', { deposit: 1000n }, overrides, meta);
}

/** A valid `channel.topped-up` v1 (+500, total 1500) at a fresh chain position. */
export function aChannelToppedUp(
  overrides: Partial<ChannelLogEventData<'channel.topped-up'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent('channel.topped-up', { added: 500n, deposit: 1500n }, overrides, meta);
}

/** A valid `channel.close-requested` v1 (balance 300) at a fresh chain position. */
export function aChannelCloseRequested(
  overrides: Partial<ChannelLogEventData<'channel.close-requested'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent(
    'channel.close-requested',
    { balance: 300n, settleAt: 1_735_693_200n },
    overrides,
    meta,
  );
}

/** A valid `channel.settled` v1 (balance 300 of deposit 1000, nothing withdrawn) at a fresh chain position. */
export function aChannelSettled(
  overrides: Partial<ChannelLogEventData<'channel.settled'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent(
    'channel.settled',
    { balance: 300n, receiverPaid: 300n, senderRefund: 700n },
    overrides,
    meta,
  );
}

/** A valid `channel.withdrawn` v1 (200 withdrawn) at a fresh chain position. */
export function aChannelWithdrawn(
  overrides: Partial<ChannelLogEventData<'channel.withdrawn'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent('channel.withdrawn', { amount: 200n, withdrawn: 200n }, overrides, meta);
}

/** A valid `channel.signer-set` v1 (a fixed session key) at a fresh chain position. */
export function aChannelSignerSet(
  overrides: Partial<ChannelLogEventData<'channel.signer-set'>> = {},
  meta: Meta = {},
) {
  return aChannelLogEvent(
    'channel.signer-set',
    { signer: '0x5E55105E55105E55105E55105E55105E55105E55' },
    overrides,
    meta,
  );
}

/** The retraction of `event` (default: a fresh `channel.created`). */
export function aRetraction(
  event: ChannelLogEvent = aChannelCreated(),
  meta: Meta = {},
): ChannelEventRetractedV1 {
  return createRetraction(event, {
    source: meta.source ?? 'chain-watcher',
    occurredAt: meta.occurredAt ?? TEST_INSTANT,
  });
}
