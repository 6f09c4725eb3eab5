import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encryptKeystoreJsonSync } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContractRevertedError } from '@microraiden/contracts';
import {
  channelDomain,
  recoverBalanceProofSigner,
  signBalanceProof,
  signClosingProof,
  type Address,
} from '@microraiden/protocol';
import {
  Client,
  createSessionKey,
  isClientError,
  signBalanceProofWithSessionKey,
  type TransactionProgress,
} from '../src';
import { deployClientFixture, type ClientFixture } from './support/client-fixture';

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('Client and Channel on anvil', () => {
  let fx: ClientFixture;
  let sender: Address;
  let receiver: Address;

  beforeAll(async () => {
    fx = await deployClientFixture(inject('rpcUrl'));
    sender = fx.sender.address as Address;
    receiver = fx.receiver.address as Address;
    await fx.mint(sender, 1_000n);
  });
  afterAll(() => fx.dispose());

  const balances = async () => ({
    sender: await fx.balanceOf(sender),
    receiver: await fx.balanceOf(receiver),
  });

  it('runs the seed lifecycle: open 10, pay 7, top up 5, pay 5, close cooperatively', async () => {
    const client = await fx.client();
    const start = await balances();

    const channel = await client.getSuitableChannel(receiver, 10n);
    expect([channel.deposit, channel.balance, channel.state, channel.sender]).toEqual([
      10n,
      0n,
      'open',
      sender,
    ]);
    expect(await balances()).toEqual({ sender: start.sender - 10n, receiver: start.receiver });

    const seven = await channel.createTransfer(7n);
    expect([seven.balance, channel.balance, channel.remaining]).toEqual([7n, 7n, 3n]);
    const domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
    const signer = recoverBalanceProofSigner(
      domain,
      { channelId: channel.id, receiver, balance: 7n },
      seven.signature,
    );
    expect(signer.ok && signer.value).toBe(sender);

    await channel.topup(5n);
    expect(channel.deposit).toBe(15n);
    expect(await balances()).toEqual({ sender: start.sender - 15n, receiver: start.receiver });

    const twelve = await channel.createTransfer(5n);
    expect([twelve.balance, channel.balance, channel.balanceProof()?.signature]).toEqual([
      12n,
      12n,
      twelve.signature,
    ]);

    // "Make sure to let them know": the receiver gets the proof out of band, then signs the close.
    const gateway = fx.gateway(1n);
    const url = await gateway.listen();
    try {
      await gateway.acceptProof({ sender, channelId: channel.id, balance: 12n, signature: twelve.signature });
      const outcome = await channel.close({ receiverUrl: url });
      expect(outcome).toMatchObject({
        kind: 'cooperative',
        balance: 12n,
        receiverPaid: 12n,
        senderRefund: 3n,
      });
    } finally {
      await gateway.stop();
    }
    expect(channel.state).toBe('settled');
    expect(await balances()).toEqual({ sender: start.sender - 12n, receiver: start.receiver + 12n });
    expect((await fx.manager.getChannel(channel.id))[0]).toBe('0x0000000000000000000000000000000000000000');
  });

  it('closes cooperatively with a closing signature obtained out of band', async () => {
    const client = await fx.client();
    const channel = await client.openChannel(receiver, 10n);
    await channel.createTransfer(4n);
    const domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
    const closingSignature = signClosingProof(fx.receiverKey, domain, {
      channelId: channel.id,
      sender,
      balance: 4n,
    });
    const before = await client.tokenBalance();
    expect(before).toBe(await fx.balanceOf(sender));
    const settled = await channel.closeCooperatively(closingSignature);
    expect(settled).toMatchObject({ balance: 4n, receiverPaid: 4n, senderRefund: 6n });
    expect([channel.state, await client.tokenBalance()]).toEqual(['settled', before + 6n]);
  });

  it('reuses an open channel with enough left and opens a new one when none has', async () => {
    const client = await fx.client();
    const first = await client.getSuitableChannel(receiver, 10n);
    await first.createTransfer(4n);
    expect((await client.getSuitableChannel(receiver, 6n)).id).toBe(first.id);
    const second = await client.getSuitableChannel(receiver, 7n);
    expect(second.id).not.toBe(first.id);
    expect((await client.channels({ receiver })).map((c) => c.id)).toEqual([first.id, second.id]);
    expect(await client.channels({ receiver: fx.deployment.token })).toEqual([]);
    // With maxDeposit the first channel is topped up instead of opening a third.
    const topped = await client.getSuitableChannel(receiver, 20n, { maxDeposit: 30n });
    expect(topped.deposit).toBe(30n);
    expect(await client.channels({ receiver })).toHaveLength(2);
  });

  it('closes uncooperatively when the receiver is unreachable or refuses, then settles after the challenge period', async () => {
    const client = await fx.client();
    const gateway = fx.gateway(1n);
    gateway.refuseClose = true;
    const url = await gateway.listen();
    try {
      for (const receiverUrl of ['http://127.0.0.1:1', url]) {
        const start = await balances();
        const channel = await client.openChannel(receiver, 10n);
        await channel.createTransfer(7n);
        const outcome = await channel.close({ receiverUrl });
        expect(outcome.kind).toBe('challenge');
        expect(outcome.kind === 'challenge' && outcome.reason).toMatch(
          receiverUrl === url ? /refused.*GATEWAY_UNAVAILABLE/ : /unreachable/,
        );
        expect([channel.state, outcome.balance]).toEqual(['closing', 7n]);
        expect(channel.settleAt).toBe(outcome.kind === 'challenge' ? outcome.settleAt : -1n);

        expect(await channel.isSettleable()).toBe(false);
        const early = await errorOf(channel.settle());
        expect(isClientError(early, 'CHALLENGE_PERIOD_NOT_OVER')).toBe(true);
        expect((early as Error).message).toMatch(/ends in (59m \d+s|1h)/);
        expect(await channel.secondsUntilSettleable()).toBeGreaterThan(3500n);

        await fx.increaseTime(3600);
        expect(await channel.isSettleable()).toBe(true);
        const settled = await channel.settle();
        expect(settled).toMatchObject({ balance: 7n, receiverPaid: 7n, senderRefund: 3n });
        expect(channel.state).toBe('settled');
        expect(await balances()).toEqual({ sender: start.sender - 7n, receiver: start.receiver + 7n });
      }
    } finally {
      await gateway.stop();
    }
  });

  it('funds with one permit transaction when the token supports EIP-2612, else approve + call', async () => {
    const nonce = () => fx.provider.getTransactionCount(sender, 'latest');
    const actions = (events: TransactionProgress[]) => [
      ...new Set(events.filter((e) => e.stage === 'sent').map((e) => e.action)),
    ];

    const withPermit = await fx.client();
    const permitEvents: TransactionProgress[] = [];
    let before = await nonce();
    const channel = await withPermit.openChannel(receiver, 10n, { onProgress: (e) => permitEvents.push(e) });
    expect([await nonce(), actions(permitEvents)]).toEqual([before + 1, ['createChannelWithPermit']]);
    before = await nonce();
    await channel.topup(5n, { onProgress: (e) => permitEvents.push(e) });
    expect(await nonce()).toBe(before + 1);
    expect(actions(permitEvents)).toEqual(['createChannelWithPermit', 'topUpWithPermit']);
    expect(await fx.token.allowance(sender, fx.deployment.channelManager)).toBe(0n);

    const withoutPermit = await fx.client({ usePermit: false });
    const approveEvents: TransactionProgress[] = [];
    before = await nonce();
    const other = await withoutPermit.openChannel(receiver, 10n, {
      onProgress: (e) => approveEvents.push(e),
    });
    await other.topup(5n, { onProgress: (e) => approveEvents.push(e) });
    expect(await nonce()).toBe(before + 4);
    expect(actions(approveEvents)).toEqual(['approve', 'createChannel', 'topUp']);
    expect(other.deposit).toBe(15n);
  });

  it('opens with a session signer: createChannelWithPermitAndSigner, else approve + createChannelWithSigner', async () => {
    const actions = (events: TransactionProgress[]) => [
      ...new Set(events.filter((e) => e.stage === 'sent').map((e) => e.action)),
    ];
    const domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
    for (const usePermit of [true, false]) {
      const key = createSessionKey();
      const client = await fx.client({ usePermit });
      const events: TransactionProgress[] = [];
      const channel = await client.openChannel(receiver, 10n, {
        signer: key.address,
        onProgress: (e) => events.push(e),
      });
      expect(actions(events)).toEqual(
        usePermit ? ['createChannelWithPermitAndSigner'] : ['approve', 'createChannelWithSigner'],
      );
      expect(await fx.manager.balanceSignerOf(channel.id)).toBe(key.address);
      expect(channel).toMatchObject({ deposit: 10n, state: 'open' });
      // The key's proof is one the contract takes as the sender's: the receiver withdraws with it.
      const proof = { channelId: channel.id, receiver, balance: 4n };
      const signature = await signBalanceProofWithSessionKey(key, domain, proof);
      await (await fx.manager.connect(fx.receiver).withdraw(channel.id, 4n, signature)).wait();
      const [, , , withdrawn] = await fx.manager.getChannel(channel.id);
      expect(withdrawn).toBe(4n);
    }
    const client = await fx.client();
    for (const bad of [sender, receiver, `0x${'00'.repeat(20)}`, '0x1234']) {
      expect(
        isClientError(await errorOf(client.openChannel(receiver, 1n, { signer: bad })), 'INVALID_ADDRESS'),
      ).toBe(true);
    }
  });

  it('waits for the configured confirmations and reports each one', async () => {
    const client = await fx.client({ confirmations: 3 });
    const events: TransactionProgress[] = [];
    const channel = await client.openChannel(receiver, 10n, {
      onProgress: (event) => {
        events.push(event);
        // anvil mines only on demand: mine a block each time the client reports a new depth.
        if (event.stage === 'confirming') void fx.provider.send('evm_mine', []);
      },
    });
    expect(
      events.map((e) => (e.stage === 'confirming' ? `confirming ${e.confirmations}/${e.required}` : e.stage)),
    ).toEqual(['sent', 'confirming 1/3', 'confirming 2/3', 'confirmed']);
    const receipt = await fx.provider.getTransactionReceipt((events[0] as { txHash: string }).txHash);
    expect(channel.openedBlock).toBe(receipt?.blockNumber);
  });

  it('rebuilds its state from chain events with sync() after the state file is deleted', async () => {
    const client = await fx.client();
    const open = await client.openChannel(receiver, 10n);
    await open.topup(10n);
    const proof = await open.createTransfer(9n);
    // The receiver cashes in 5 of the 9 on chain with a proof the sender gave it earlier.
    const domain = channelDomain(BigInt(fx.deployment.chainId), fx.deployment.channelManager);
    const sig5 = signBalanceProof(fx.senderKey, domain, { channelId: open.id, receiver, balance: 5n });
    await (await fx.manager.connect(fx.receiver).withdraw(open.id, 5n, sig5)).wait();

    const closing = await client.openChannel(receiver, 10n);
    await closing.createTransfer(6n);
    await closing.uncooperativeClose();
    const settled = await client.openChannel(receiver, 10n);
    const gateway = fx.gateway(1n);
    const url = await gateway.listen();
    try {
      await settled.close({ receiverUrl: url });
    } finally {
      await gateway.stop();
    }

    // A sync that keeps the file keeps the local balance above what the chain knows (9 > withdrawn 5).
    await client.sync();
    expect((await client.channel(open.id)).balance).toBe(9n);
    expect((await client.channel(open.id)).balanceProof()?.signature).toBe(proof.signature);

    await rm(await client.stateFile());
    expect(await client.channels()).toEqual([]);
    const restored = new Map((await client.sync()).map((c) => [c.id, c]));
    expect(restored.get(open.id)?.toJSON()).toMatchObject({
      state: 'open',
      deposit: '20',
      balance: '5',
      acknowledgedBalance: '5',
    });
    expect(restored.get(closing.id)?.toJSON()).toMatchObject({
      state: 'closing',
      balance: '6',
      settleAt: String(closing.settleAt),
    });
    expect(restored.get(settled.id)?.state).toBe('settled');
    // Payments continue from the restored balance.
    expect((await restored.get(open.id)?.createTransfer(1n))?.balance).toBe(6n);
  });

  it('refuses what the contract would reject with typed errors, and decodes reverts', async () => {
    const client = await fx.client();
    const channel = await client.openChannel(receiver, 10n);
    await channel.createTransfer(8n);
    const over = await errorOf(channel.createTransfer(3n));
    expect(isClientError(over, 'INSUFFICIENT_DEPOSIT')).toBe(true);
    expect(channel.balance).toBe(8n);
    expect((await client.channel(channel.id)).balance).toBe(8n);

    expect(isClientError(await errorOf(channel.settle()), 'CHANNEL_NOT_CLOSING')).toBe(true);
    expect(
      isClientError(await errorOf(client.openChannel(receiver, 10n ** 30n)), 'INSUFFICIENT_TOKENS'),
    ).toBe(true);
    expect(isClientError(await errorOf(client.openChannel(sender, 1n)), 'INVALID_ADDRESS')).toBe(true);
    expect(isClientError(await errorOf(client.openChannel('0x1234', 1n)), 'INVALID_ADDRESS')).toBe(true);
    expect(isClientError(await errorOf(client.openChannel(receiver, 0n)), 'INVALID_AMOUNT')).toBe(true);
    expect(
      isClientError(
        await errorOf(channel.closeCooperatively(`0x${'1'.repeat(130)}`)),
        'INVALID_CLOSING_SIGNATURE',
      ),
    ).toBe(true);
    expect(isClientError(await errorOf(client.channel(`0x${'ab'.repeat(32)}`)), 'CHANNEL_UNKNOWN')).toBe(
      true,
    );

    // Another process (its own state) closes the channel; this one's snapshot still says open.
    const elsewhere = await fx.client();
    await elsewhere.sync();
    await (await elsewhere.channel(channel.id)).uncooperativeClose();
    const reverted = await errorOf(channel.topup(1n));
    expect(reverted).toBeInstanceOf(ContractRevertedError);
    expect((reverted as ContractRevertedError).revert).toMatchObject({
      name: 'ChannelIsClosing',
      args: [channel.id],
    });
  });

  it('works from the channel manager address alone: token, chain id and events are read from the chain', async () => {
    const client = await fx.client({
      deployment: undefined,
      channelManager: fx.deployment.channelManager.toLowerCase(),
    });
    expect((await client.paymentIdentity()).token).toBe(fx.deployment.token);
    expect((await client.paymentIdentity()).chainId).toBe(BigInt(fx.deployment.chainId));
    const channel = await client.openChannel(receiver, 4n);
    await rm(await client.stateFile());
    const restored = await client.sync();
    expect(restored.map((c) => c.id)).toContain(channel.id);
  });

  it('refuses an RPC on another chain than the deployment', async () => {
    const client = await fx.client({ deployment: { ...fx.deployment, chainId: 1 } });
    expect(isClientError(await errorOf(client.openChannel(receiver, 1n)), 'CHAIN_MISMATCH')).toBe(true);
  });

  it('reports an RPC endpoint that does not answer as RPC_UNAVAILABLE', async () => {
    const client = await fx.client({ rpcUrl: 'http://127.0.0.1:1' });
    expect(isClientError(await errorOf(client.openChannel(receiver, 1n)), 'RPC_UNAVAILABLE')).toBe(true);
  });

  it('loads its key from a 0600 keystore and refuses a readable one', async () => {
    const dir = await fx.stateDir();
    const keystorePath = path.join(dir, 'sender.json');
    await writeFile(
      keystorePath,
      encryptKeystoreJsonSync({ address: sender, privateKey: fx.senderKey }, 'pw', {
        scrypt: { N: 1 << 10 },
      }),
    );
    await chmod(keystorePath, 0o600);
    const options = { rpcUrl: inject('rpcUrl'), deployment: fx.deployment, stateDir: dir };
    expect(new Client({ keystorePath, password: 'pw' }, options).address).toBe(sender);
    await chmod(keystorePath, 0o644);
    expect(() => new Client({ keystorePath, password: 'pw' }, options)).toThrow(/chmod 600/);
  });

  it('fails with CLIENT_CLOSED after close() and Symbol.asyncDispose', async () => {
    const client = await fx.client();
    await client[Symbol.asyncDispose]();
    expect(isClientError(await errorOf(client.channels()), 'CLIENT_CLOSED')).toBe(true);
  });

  it('keeps keys out of everything it shows', async () => {
    const client = await fx.client();
    const channel = await client.openChannel(receiver, 3n);
    const secret = fx.senderKey.slice(2);
    const { inspect } = await import('node:util');
    expect(inspect(client, { depth: 6, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(channel) + inspect(channel, { depth: 6 })).not.toContain(secret);
  });
});
