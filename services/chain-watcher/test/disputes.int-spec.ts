import { ZeroAddress, parseEther, toBeHex, type TransactionResponse } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatcherFixture, type TestChannel } from './support/watcher-fixture';

describe('chain-watcher disputes cheating closes', () => {
  let f: WatcherFixture;

  beforeAll(async () => {
    f = await WatcherFixture.start({
      CONFIRMATIONS: '2',
      MIN_RECEIVER_ETH: '1',
      TX_REPLACE_AFTER_MS: '1000',
    });
    await f.startApp();
  });
  afterAll(() => f?.stop());

  const settled = async (channel: TestChannel) =>
    (await f.manager.getChannel(channel.channelId))[0] === ZeroAddress;
  const proofStored = (channel: TestChannel, balance: bigint) =>
    f.until(`proof ${balance} stored`, async () => (await f.storedProof(channel.channelId)) === balance);

  it('answers a close with a stale balance with receiverClose: the receiver gets the full latest balance', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 1_000n);
    // Proofs as the gateway accepts them, one of them delivered twice and late: only raises count.
    await f.publishProofs([
      { channel, balance: 100n },
      { channel, balance: 300n, previousBalance: 100n },
      { channel, balance: 700n, previousBalance: 300n },
      { channel, balance: 300n, previousBalance: 100n },
    ]);
    await proofStored(channel, 700n);

    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 100n)).wait();
    await f.mine(2);
    await f.until('channel settled by the dispute', () => settled(channel));

    const [receiverTokens, senderTokens] = await Promise.all([
      f.token.balanceOf(f.receiver.address),
      f.token.balanceOf(sender.address),
    ]);
    expect(receiverTokens).toBe(700n);
    expect(senderTokens).toBe(10_000n - 700n);
    await f.until(
      'task won',
      async () => (await f.taskStatuses()).get(channel.channelId.toLowerCase()) === 'won',
    );
    await f.until(
      'won metric',
      async () => (await f.metric('microraiden_chain_watcher_disputes_total', 'outcome="won"')) === 1,
    );
    expect(await f.metric('microraiden_chain_watcher_disputes_total', 'outcome="submitted"')).toBe(1);
  });

  it('never stores a proof the sender did not sign, and keeps consuming after it', async () => {
    const sender = await f.fundedSender();
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([
      { channel, balance: 900n, signedBalance: 90n },
      { channel, balance: 120n },
    ]);
    await f.until('the genuine proof stored', async () => (await f.storedProof(channel.channelId)) === 120n);
  });

  it('leaves a fair close alone', async () => {
    const sender = await f.fundedSender();
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([{ channel, balance: 400n }]);
    await proofStored(channel, 400n);
    const receiverNonce = await f.provider.getTransactionCount(f.receiver.address);

    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 400n)).wait();
    await f.mine(2);
    await f.until('task seen', async () => (await f.taskStatuses()).has(channel.channelId.toLowerCase()));
    await new Promise((r) => setTimeout(r, 1_000));

    expect((await f.taskStatuses()).get(channel.channelId.toLowerCase())).toBe('pending');
    expect(await f.provider.getTransactionCount(f.receiver.address)).toBe(receiverNonce);
    const onChain = await f.manager.getChannel(channel.channelId);
    expect(onChain[4]).toBe(400n); // still closing with the sender's (fair) balance
    expect(onChain[5]).not.toBe(0n);
  });

  it('still disputes when restarted mid-challenge', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 2_000n);
    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 50n)).wait();
    await f.mine(2);
    await f.until(
      'close request seen',
      async () => (await f.taskStatuses()).get(channel.channelId.toLowerCase()) === 'pending',
    );

    await f.stopApp();
    // The proof arrives while the watcher is down; the close is already below the new checkpoint.
    await f.publishProofs([{ channel, balance: 1_500n }]);
    await f.mine(3);
    await f.startApp();

    await f.until('channel settled by the dispute', () => settled(channel));
    expect(await f.token.balanceOf(sender.address)).toBe(10_000n - 1_500n);
    await f.until(
      'task won',
      async () => (await f.taskStatuses()).get(channel.channelId.toLowerCase()) === 'won',
    );
  });

  it('replaces a stuck dispute with higher fees (same nonce) until one is mined', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([{ channel, balance: 900n }]);
    await proofStored(channel, 900n);
    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 10n)).wait();

    await f.provider.send('evm_setAutomine', [false]);
    let hashes: string[] = [];
    let firstVersion: TransactionResponse | null = null;
    try {
      await f.mine(2);
      const txOf = async () => {
        const { rows } = await f.pool.query<{ tx: { hashes: string[] } | null }>(
          'SELECT tx FROM cw_dispute_tasks WHERE channel_id = $1',
          [channel.channelId.toLowerCase()],
        );
        return rows[0]?.tx?.hashes ?? [];
      };
      await f.until('dispute sent', async () => (hashes = await txOf()).length >= 1, 20_000);
      // Read the first version while it is pending: once replaced, the node forgets it.
      firstVersion = await f.provider.getTransaction(hashes[0]!);
      await f.until('dispute replaced', async () => (hashes = await txOf()).length >= 2, 20_000);
      expect(
        await f.metric('microraiden_chain_watcher_disputes_total', 'outcome="replaced"'),
      ).toBeGreaterThanOrEqual(1);
      await f.provider.send('evm_mine', []);
    } finally {
      await f.provider.send('evm_setAutomine', [true]);
    }
    await f.until('channel settled by the dispute', () => settled(channel));
    const receipts = await Promise.all(hashes.map((hash) => f.provider.getTransactionReceipt(hash)));
    const minedIndex = receipts.findIndex(Boolean);
    expect(minedIndex).toBeGreaterThan(0);
    const mined = (await f.provider.getTransaction(hashes[minedIndex]!))!;
    expect(mined.nonce).toBe(firstVersion!.nonce);
    expect(mined.maxFeePerGas! > firstVersion!.maxFeePerGas!).toBe(true);
    expect(mined.maxPriorityFeePerGas! > firstVersion!.maxPriorityFeePerGas!).toBe(true);
    expect(await f.token.balanceOf(sender.address)).toBe(10_000n - 900n);
  });

  it('re-reads its nonce when the receiver key was used elsewhere', async () => {
    const sender = await f.fundedSender(10_000n);
    const channel = await f.openChannel(sender, 1_000n);
    await f.publishProofs([{ channel, balance: 250n }]);
    await proofStored(channel, 250n);
    // The gateway (same key) spends a nonce the watcher does not know about.
    await (await f.receiver.sendTransaction({ to: f.receiver.address, value: 1n })).wait();

    await (await f.manager.connect(sender).uncooperativeClose(channel.channelId, 0n)).wait();
    await f.mine(2);
    await f.until('channel settled by the dispute', () => settled(channel));
    expect(await f.token.balanceOf(sender.address)).toBe(10_000n - 250n);
  });

  it('is not ready, and raises the alarm metric, when the receiver cannot pay for disputes', async () => {
    const ready = async () => (await fetch(`${f.url}/health/ready`)).status;
    expect(await ready()).toBe(200);
    expect(await f.metric('microraiden_chain_watcher_receiver_balance_low')).toBe(0);

    await f.provider.send('anvil_setBalance', [f.receiver.address, toBeHex(parseEther('0.5'))]);
    const res = await fetch(`${f.url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: Record<string, { status: string; message?: string }> };
    expect(body.error['receiver-eth']?.status).toBe('down');
    expect(body.error['receiver-eth']?.message).toMatch(/below MIN_RECEIVER_ETH/);
    expect(await f.metric('microraiden_chain_watcher_receiver_balance_low')).toBe(1);
    expect(await f.metric('microraiden_chain_watcher_receiver_balance_eth')).toBe(0.5);

    await f.provider.send('anvil_setBalance', [f.receiver.address, toBeHex(parseEther('2'))]);
    await f.until(
      'alarm cleared by the watcher itself',
      async () => (await f.metric('microraiden_chain_watcher_receiver_balance_low')) === 0,
    );
    expect(await ready()).toBe(200);
  });
});
