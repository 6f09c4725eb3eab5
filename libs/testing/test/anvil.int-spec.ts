import { inject, describe, expect, it } from 'vitest';
import { JsonRpcProvider } from 'ethers';
import { ANVIL_CHAIN_ID } from '@microraiden/testing';

describe('integration infrastructure', () => {
  it('provides a real anvil chain', async () => {
    const provider = new JsonRpcProvider(inject('rpcUrl'), undefined, { cacheTimeout: -1 });
    const network = await provider.getNetwork();
    expect(network.chainId).toBe(BigInt(ANVIL_CHAIN_ID));
    provider.destroy();
  });
});
