import { JsonRpcProvider, parseEther, Wallet } from 'ethers';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ANVIL_CHAIN_ID } from '@microraiden/testing';

const ACCOUNT_0_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

describe('integration chain (anvil)', () => {
  const provider = new JsonRpcProvider(inject('rpcUrl'), undefined, { cacheTimeout: -1 });
  afterAll(() => provider.destroy());

  it('provides a real anvil chain', async () => {
    const network = await provider.getNetwork();
    expect(network.chainId).toBe(BigInt(ANVIL_CHAIN_ID));
    expect(process.env.RPC_URL).toBe(inject('rpcUrl'));
  });

  it('mines a block on demand', async () => {
    const before = await provider.getBlockNumber();
    await provider.send('evm_mine', []);
    expect(await provider.getBlockNumber()).toBe(before + 1);
  });

  it('executes a funded transfer in a new block', async () => {
    const sender = new Wallet(ACCOUNT_0_KEY, provider);
    const recipient = Wallet.createRandom().address;
    const tx = await sender.sendTransaction({ to: recipient, value: parseEther('1.5') });
    const receipt = await tx.wait();
    expect(receipt?.status).toBe(1);
    expect(await provider.getBalance(recipient)).toBe(parseEther('1.5'));
  });
});
