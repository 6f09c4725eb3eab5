import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toChecksumAddress, type Address } from '@microraiden/protocol';
import { createSessionKey, Eip1193Chain, type Eip1193Provider, type WalletStep } from '../src/browser';
import { anvilAccount, deployClientFixture, type ClientFixture } from './support/client-fixture';

const DEPOSIT = 5_000n;

// The wallet-only chain the browser paywall opens and finds channels with, against real contracts on anvil:
// the provider is anvil's own JSON-RPC with its unlocked accounts (eth_signTypedData_v4, eth_sendTransaction).
describe('Eip1193Chain on anvil', () => {
  let fx: ClientFixture;
  let sender: Address;
  let receiver: Address;
  const calls: string[] = [];
  let refusePermits = false;
  const provider: Eip1193Provider = {
    request: ({ method, params }) => {
      calls.push(method);
      const data = (params?.[0] as { data?: string } | undefined)?.data ?? '';
      // A token without EIP-2612, as the wallet sees it: DOMAIN_SEPARATOR() reverts.
      if (refusePermits && method === 'eth_call' && data.startsWith('0x3644e515')) {
        return Promise.reject(new Error('execution reverted'));
      }
      return fx.provider.send(method, (params ?? []) as unknown[]);
    },
  };
  let chain: Eip1193Chain;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    // Account 8: no other client test opens channels with it, so the logs hold only this test's.
    sender = anvilAccount(8, fx.provider).address as Address;
    receiver = fx.receiver.address as Address;
    await fx.mint(sender, 10n * DEPOSIT);
    chain = new Eip1193Chain(provider, {
      chainId: BigInt(fx.deployment.chainId),
      channelManager: fx.deployment.channelManager as Address,
      token: fx.deployment.token as Address,
      pollingIntervalMs: 50,
    });
  });
  afterAll(() => fx?.dispose());

  it('reads the account, the chain, the token units and balance', async () => {
    // The wallet's first account, checksummed whatever case the wallet answers in.
    const [first] = (await fx.provider.send('eth_accounts', [])) as string[];
    expect(await chain.account(true)).toBe(toChecksumAddress(first!));
    expect(await chain.chainId()).toBe(BigInt(fx.deployment.chainId));
    expect(await chain.tokenUnits()).toEqual({ decimals: 18, symbol: 'MTK' });
    expect(await chain.tokenBalance(sender)).toBe(10n * DEPOSIT);
  });

  it('trusts the permit domain only when it hashes to the token DOMAIN_SEPARATOR()', async () => {
    expect(await chain.permitDomain(sender)).toEqual({
      name: 'MicroToken',
      version: '1',
      chainId: BigInt(fx.deployment.chainId),
      verifyingContract: fx.deployment.token,
    });
    const wrongChain = new Eip1193Chain(provider, { ...chain.options, chainId: 1n });
    // ERC-5267 says the token's own chain; only the fallback would use the configured one.
    expect((await wrongChain.permitDomain(sender))?.chainId).toBe(BigInt(fx.deployment.chainId));
  });

  it('opens a channel with one permit signature and one transaction, then finds it in the logs', async () => {
    calls.length = 0;
    const steps: WalletStep[] = [];
    const opened = await chain.openChannel(sender, receiver, DEPOSIT, (step) => steps.push(step));
    expect(opened).toMatchObject({ deposit: DEPOSIT, withPermit: true });
    expect(calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(1);
    expect(steps.map((s) => s.stage)).toEqual(['sign-permit', 'confirm', 'sent', 'mined']);
    const [onChainSender, onChainReceiver, deposit] = await fx.manager.getChannel(opened.channelId);
    expect([onChainSender, onChainReceiver, deposit]).toEqual([sender, receiver, DEPOSIT]);
    const want = { sender: sender.toLowerCase(), receiver, minDeposit: DEPOSIT };
    expect(await chain.getChannel(opened.channelId)).toMatchObject({ sender, receiver, settleAt: 0n });
    expect(await chain.findChannel(want)).toMatchObject({ channelId: opened.channelId });
    expect(await chain.usableChannel(opened.channelId, { ...want, minDeposit: DEPOSIT + 1n })).toBe(
      undefined,
    );
    expect(await chain.usableChannel(opened.channelId, { ...want, receiver: sender })).toBe(undefined);
    expect(await chain.getChannel(`0x${'00'.repeat(31)}01`)).toBe(undefined);
  });

  it('opens with approve + createChannel where the token has no permit; the newest channel is found', async () => {
    refusePermits = true;
    try {
      calls.length = 0;
      const steps: WalletStep[] = [];
      const opened = await chain.openChannel(sender, receiver, DEPOSIT, (step) => steps.push(step));
      expect(opened.withPermit).toBe(false);
      expect(calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(2);
      expect(calls).not.toContain('eth_signTypedData_v4');
      expect(steps.filter((s) => s.stage === 'confirm')).toEqual([
        { stage: 'confirm', action: 'approve' },
        { stage: 'confirm', action: 'open channel' },
      ]);
      const found = await chain.findChannel({ sender, receiver, minDeposit: 1n });
      expect(found?.channelId).toBe(opened.channelId);
    } finally {
      refusePermits = false;
    }
  });

  it('names a session key as the balance signer: createChannelWithPermitAndSigner, else createChannelWithSigner', async () => {
    calls.length = 0;
    const key = createSessionKey().address;
    const opened = await chain.openChannel(sender, receiver, DEPOSIT, undefined, key);
    expect(opened).toMatchObject({ deposit: DEPOSIT, withPermit: true, signer: key });
    expect(calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(1);
    expect(await chain.balanceSignerOf(opened.channelId)).toBe(key);
    expect(await fx.manager.balanceSignerOf(opened.channelId)).toBe(key);
    // The created channel is still found by its ChannelCreated log.
    expect((await chain.findChannel({ sender, receiver, minDeposit: 1n }))?.channelId).toBe(opened.channelId);
    refusePermits = true;
    try {
      calls.length = 0;
      const other = createSessionKey().address;
      const approved = await chain.openChannel(sender, receiver, DEPOSIT, undefined, other);
      expect(approved).toMatchObject({ withPermit: false, signer: other });
      expect(calls.filter((m) => m === 'eth_sendTransaction')).toHaveLength(2);
      expect(await chain.balanceSignerOf(approved.channelId)).toBe(other);
    } finally {
      refusePermits = false;
    }
    // Channels opened without one have none.
    const plain = await chain.openChannel(sender, receiver, DEPOSIT);
    expect(await chain.balanceSignerOf(plain.channelId)).toBeUndefined();
  });
});
