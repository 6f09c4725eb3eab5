// Builders for the client's unit tests: anvil's public test keys, a fixed deployment, channel records,
// and an offline wallet (real ChannelOperations over a real state file in a temp dir, no chain).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  channelDomain,
  channelIdOf,
  privateKeyToAddress,
  type Address,
  type ChannelView,
  type Hex,
  type Hex32,
} from '@microraiden/protocol';
import { ChannelOperations } from '../channel-operations';
import type { ClientSession } from '../client-session';
import type { SenderChain } from '../chain/sender-chain';
import { SenderKey } from '../keys/sender-key';
import type { PaymentIdentity, PaymentWallet, PreparedPayment } from '../payment/payment-wallet';
import type { ChannelRecord } from '../state/channel-record';
import type { ChannelStateStore } from '../state/channel-state-store';
import { FileChannelStateStore } from '../state/file-state-store';
import type { SenderIdentity, SenderState } from '../state/sender-state-file';
import { TestGateway } from './test-gateway';

/** anvil account 0 (public test key). */
export const SENDER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const SENDER: Address = privateKeyToAddress(SENDER_KEY);
/** anvil account 1 (public test key). */
export const RECEIVER_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const RECEIVER: Address = privateKeyToAddress(RECEIVER_KEY);
export const CHAIN_ID = 31337n;
export const CHANNEL_MANAGER: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const TOKEN: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

export function anIdentity(overrides: Partial<SenderIdentity> = {}): SenderIdentity {
  return { chainId: CHAIN_ID, channelManager: CHANNEL_MANAGER, sender: SENDER, ...overrides };
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

export function aChannelRecord(overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    id: aChannelId(),
    sender: SENDER,
    receiver: RECEIVER,
    deposit: 100n,
    signedBalance: 0n,
    balanceSignature: null,
    acknowledgedBalance: null,
    chargedBalance: null,
    withdrawn: 0n,
    state: 'open',
    settleAt: null,
    closingBalance: null,
    openedBlock: 1,
    gatewayUrl: null,
    ...overrides,
  };
}

export function aSenderState(...channels: ChannelRecord[]): SenderState {
  return { identity: anIdentity(), channels: Object.fromEntries(channels.map((c) => [c.id, c])) };
}

/** A fresh temp directory and its cleanup. */
export async function aTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'microraiden-client-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A PaymentWallet with the real operations and state file but no chain; counts what it was asked. */
export class OfflineWallet implements PaymentWallet {
  readonly calls = { fundChannel: 0, preparePayment: 0, recordReceiverBalance: 0 };
  readonly ops: ChannelOperations;

  constructor(readonly store: ChannelStateStore) {
    const session: ClientSession = {
      identity: store.identity,
      token: TOKEN,
      domain: channelDomain(CHAIN_ID, CHANNEL_MANAGER),
      store,
      chain: new Proxy({} as SenderChain, {
        get: () => {
          throw new Error('no chain in unit tests');
        },
      }),
      fromBlock: 0,
    };
    this.ops = new ChannelOperations(async () => session, new SenderKey(SENDER_KEY), {
      fetch: () => Promise.reject(new Error('no network in unit tests')),
      usePermit: true,
      logChunkBlocks: 1000,
    });
  }

  static async withChannels(dir: string, ...channels: ChannelRecord[]): Promise<OfflineWallet> {
    const store = new FileChannelStateStore(FileChannelStateStore.fileFor(dir, anIdentity()), anIdentity());
    await store.update(() => ({ state: aSenderState(...channels), result: undefined }));
    return new OfflineWallet(store);
  }

  async paymentIdentity(): Promise<PaymentIdentity> {
    return { sender: SENDER, chainId: CHAIN_ID, channelManager: CHANNEL_MANAGER, token: TOKEN };
  }

  async fundChannel(request: { receiver: Address; amount: bigint; maxDeposit: bigint }): Promise<Hex32> {
    this.calls.fundChannel++;
    const record = await this.ops.fund(request.receiver, request.amount, {
      openDeposit: request.maxDeposit,
      maxDeposit: request.maxDeposit,
    });
    return record.id;
  }

  async preparePayment(request: {
    channelId: Hex32;
    price: bigint;
    maxIncrement: bigint;
  }): Promise<PreparedPayment> {
    this.calls.preparePayment++;
    return this.ops.preparePayment(request.channelId, request.price, request.maxIncrement);
  }

  async recordReceiverBalance(request: {
    channelId: Hex32;
    balance: bigint;
    chargedBalance?: bigint;
    gatewayUrl?: string;
  }): Promise<void> {
    this.calls.recordReceiverBalance++;
    await this.ops.acknowledge(
      request.channelId,
      request.balance,
      request.gatewayUrl,
      request.chargedBalance,
    );
  }
}

/** A TestGateway for the fixed deployment whose channel view is `view` (default: the fixture channel, open). */
export function aTestGateway(
  options: { price?: bigint; view?: (id: Hex32) => ChannelView | undefined } = {},
): TestGateway {
  const view =
    options.view ??
    ((id: Hex32) =>
      id === aChannelId()
        ? { sender: SENDER, receiver: RECEIVER, deposit: 100n, state: 'open' as const, confirmations: 1 }
        : undefined);
  return new TestGateway({
    receiverKey: RECEIVER_KEY,
    chainId: CHAIN_ID,
    channelManager: CHANNEL_MANAGER,
    token: TOKEN,
    price: options.price ?? 5n,
    channelView: async (id) => view(id),
  });
}
