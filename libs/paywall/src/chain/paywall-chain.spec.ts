import { channelDomain, type X402TokenInfo } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import type { PaywallIdentity } from '../core/paywall';
import { paywallChainOf, withTokenInfo, type PaywallChain } from './paywall-chain';
import type { RpcChainChannelReader } from './rpc-chain-channel-reader';

const identity: PaywallIdentity = {
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  domain: channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3'),
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  gatewayPath: '/api/1',
};

function chainAnswering(info: X402TokenInfo | undefined): PaywallChain & { asked: string[] } {
  const asked: string[] = [];
  const reader = {
    tokenInfo: (token: string) => {
      asked.push(token);
      return Promise.resolve(info);
    },
  } as unknown as RpcChainChannelReader;
  return { reader, asked };
}

describe('paywallChainOf', () => {
  const base = { chainId: 31337, channelManager: identity.domain.verifyingContract };

  it('builds nothing without URLs, warning with the names the caller gives', () => {
    const lines: string[] = [];
    const chain = paywallChainOf({
      ...base,
      log: (_, message) => lines.push(message),
      names: { rpcUrl: 'RPC_URL', chainWatcherUrl: 'CHAIN_WATCHER_URL' },
    });
    expect(chain).toEqual({});
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['CHAIN_WATCHER_URL', 'RPC_URL']);
  });

  it('builds the guard and the reads (with the confirmations asked for) from the URLs, warning about nothing', () => {
    const lines: string[] = [];
    const chain = paywallChainOf({
      ...base,
      rpcUrl: 'http://127.0.0.1:1',
      chainWatcherUrl: 'http://127.0.0.1:1',
      confirmations: 5,
      log: (_, message) => lines.push(message),
    });
    try {
      expect(chain.guard?.verdict().open).toBe(true); // within the grace period
      expect(chain.reads?.required).toBe(5);
      expect(lines).toEqual([]);
    } finally {
      chain.reader?.close();
    }
  });
});

describe('withTokenInfo', () => {
  it("adds the token's symbol and decimals read from the chain", async () => {
    const chain = chainAnswering({ symbol: 'MRT', decimals: 18 });
    await expect(withTokenInfo(identity, chain, () => undefined)).resolves.toEqual({
      ...identity,
      tokenInfo: { symbol: 'MRT', decimals: 18 },
    });
    expect(chain.asked).toEqual([identity.token]);
  });

  it('keeps the identity, with a warning, when the token does not answer', async () => {
    const lines: string[] = [];
    const result = await withTokenInfo(identity, chainAnswering(undefined), (level, message) =>
      lines.push(`${level} ${message}`),
    );
    expect(result).toBe(identity);
    expect(lines).toEqual([expect.stringMatching(/^warn the token did not answer symbol\(\)\/decimals\(\)/)]);
  });

  it('reads nothing without a reader', async () => {
    await expect(withTokenInfo(identity, {}, () => undefined)).resolves.toBe(identity);
  });
});
