import { describe, expect, it } from 'vitest';
import { decideChainGuard, refusalMessage, type ChainIdentity } from './chain-identity';

const identity: ChainIdentity = {
  kafkaClusterId: 'cluster-a',
  chainId: '31337',
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  deployBlockHash: `0x${'ab'.repeat(32)}`,
};

describe('decideChainGuard', () => {
  it('records on first run and passes the same chain and cluster (address case aside)', () => {
    expect(decideChainGuard(undefined, identity)).toEqual({ action: 'record' });
    const lower = { ...identity, channelManager: identity.channelManager.toLowerCase() };
    expect(decideChainGuard(identity, lower)).toEqual({ action: 'match' });
  });

  it('refuses a recreated chain or Kafka cluster, naming what changed', () => {
    const recreated = { ...identity, deployBlockHash: `0x${'cd'.repeat(32)}` };
    expect(decideChainGuard(identity, recreated)).toEqual({ action: 'refuse', changed: ['deployBlockHash'] });
    expect(decideChainGuard(identity, { ...identity, kafkaClusterId: 'b' })).toEqual({
      action: 'refuse',
      changed: ['kafkaClusterId'],
    });
    const message = refusalMessage(['channelManager', 'deployBlockHash'], '2026-12-03 10:00');
    expect(message).toMatch(
      /another chain \(recorded 2026-12-03 10:00; changed: channelManager, deployBlockHash\)/,
    );
    expect(message).toMatch(/docker compose down -v/);
  });
});
