import { Wallet } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  channelDomain,
  recoverBalanceProofSigner,
  type Address,
  type Hex,
  type Hex32,
} from '@microraiden/protocol';
import {
  eip1193Signer,
  ethersSigner,
  isClientError,
  localStorageStateStore,
  memoryStateStore,
  SenderClient,
  viemSigner,
  type Eip1193Provider,
  type KeyValueStorage,
  type SenderSigner,
  type StateStoreFactory,
} from '../src';
import type { TestGateway } from '../src/test/test-gateway';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const PRICE = 1_000n;
const limits = { maxPricePerRequest: PRICE, maxDeposit: 10n * PRICE };

// Wallets other than a raw key, each paying a real (test) gateway on anvil: they sign the balance proofs,
// and all but a bare viem Account send the open transaction (with an EIP-2612 permit signed by the wallet).
describe('SenderClient with wallet signers on anvil', () => {
  let fx: ClientFixture;
  let gateway: TestGateway;
  let base: string;
  const clients: SenderClient[] = [];

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    await fx.mint(fx.sender.address, 10n ** 9n);
    await fx.mint(fx.otherSender.address, 10n ** 9n);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fx.dispose();
  });
  beforeEach(async () => {
    gateway = fx.gateway(PRICE);
    base = await gateway.listen();
  });
  afterEach(() => gateway.stop());

  const clientOf = (signer: SenderSigner, stateStore: StateStoreFactory = memoryStateStore()) => {
    const client = new SenderClient(signer, {
      rpcUrl: inject('rpcUrl'),
      deployment: fx.deployment,
      stateStore,
      pollingIntervalMs: 50,
    });
    clients.push(client);
    return client;
  };

  /** Pays twice and checks the gateway holds proofs by `sender` that recover. */
  async function paysTwice(client: SenderClient, sender: string): Promise<Hex32> {
    const first = await client.fetch(`${base}/api/weather`, undefined, limits);
    expect(first.response.status).toBe(200);
    const second = await client.fetch(`${base}/api/weather`, undefined, limits);
    expect(second.paid).toMatchObject({ amount: PRICE, balance: 2n * PRICE });
    const channelId = second.paid!.channelId;
    const [onChainSender] = await fx.manager.getChannel(channelId);
    expect(onChainSender).toBe(sender);
    const proof = (await client.channel(channelId)).balanceProof()!;
    const signer = recoverBalanceProofSigner(
      channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager),
      { channelId, receiver: fx.receiver.address as Address, balance: 2n * PRICE },
      proof.signature,
    );
    expect(signer).toEqual({ ok: true, value: sender });
    return channelId;
  }

  it('an EIP-1193 provider (anvil’s unlocked account): eth_signTypedData_v4 and eth_sendTransaction', async () => {
    const calls: string[] = [];
    const provider: Eip1193Provider = {
      request: ({ method, params }) => {
        calls.push(method);
        return fx.provider.send(method, (params ?? []) as unknown[]);
      },
    };
    await paysTwice(clientOf(eip1193Signer(provider, fx.sender.address)), fx.sender.address);
    // The permit and both proofs were signed by the wallet, the open sent by it.
    expect(calls.filter((m) => m === 'eth_signTypedData_v4')).toHaveLength(3);
    expect(calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(1);
  });

  it('an ethers Signer, with its channels in (a fake) localStorage', async () => {
    const items = new Map<string, string>();
    const storage: KeyValueStorage = {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => void items.set(key, value),
    };
    const signer = ethersSigner(new Wallet(fx.otherSender.privateKey));
    const channelId = await paysTwice(
      clientOf(signer, localStorageStateStore({ storage })),
      fx.otherSender.address,
    );
    const [stored] = [...items.values()];
    expect(JSON.parse(stored as string).channels[channelId]).toMatchObject({
      signedBalance: String(2n * PRICE),
    });
  });

  it('a viem WalletClient opens and pays; a bare viem Account pays on it and cannot open one', async () => {
    const account = privateKeyToAccount(fx.senderKey as Hex);
    const wallet = createWalletClient({ account, transport: http(inject('rpcUrl')) });
    const shared = memoryStateStore();
    const channelId = await paysTwice(clientOf(viemSigner(wallet), shared), fx.sender.address);

    const signOnly = clientOf(viemSigner(account), shared);
    const third = await signOnly.fetch(`${base}/api/weather`, undefined, limits);
    expect(third.paid).toMatchObject({ channelId, balance: 3n * PRICE });

    const fresh = clientOf(viemSigner(account));
    const error = await fresh.fetch(`${base}/api/weather`, undefined, limits).catch((e: unknown) => e);
    expect(isClientError(error, 'SIGNER_CANNOT_SEND')).toBe(true);
  });
});
