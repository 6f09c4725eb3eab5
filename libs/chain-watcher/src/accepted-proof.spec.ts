import { createBalanceProofAccepted } from '@microraiden/events';
import { channelDomain, privateKeyToAddress, signBalanceProof } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { proofToKeep } from './accepted-proof';
import { hashOf, TEST_MANAGER, TEST_RECEIVER } from './testing/channel-log-builder';

const senderKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const sender = privateKeyToAddress(senderKey);
const channelId = hashOf('channel');
const scope = { chainId: 31337, channelManager: TEST_MANAGER, receiver: TEST_RECEIVER };

function accepted(
  balance: bigint,
  overrides: { signature?: string; receiver?: string; chainId?: number } = {},
) {
  const receiver = (overrides.receiver ?? TEST_RECEIVER) as `0x${string}`;
  const signature =
    overrides.signature ??
    signBalanceProof(senderKey, channelDomain(31337n, TEST_MANAGER), { channelId, receiver, balance });
  return createBalanceProofAccepted(
    {
      channelId,
      sender,
      receiver,
      channelManager: TEST_MANAGER,
      chainId: overrides.chainId ?? 31337,
      balance,
      previousBalance: 0n,
      increment: balance,
      price: balance,
      signature: signature as `0x${string}`,
      route: '/paid',
      method: 'GET',
      gatewayId: 'gw-1',
      acceptedAt: '2026-01-01T00:00:00.000Z',
    },
    { source: 'gateway' },
  );
}

describe('proofToKeep', () => {
  it("keeps a session key's proof when the event names the channel's balance signer, and refuses it otherwise", () => {
    const sessionKey = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
    const signature = signBalanceProof(sessionKey, channelDomain(31337n, TEST_MANAGER), {
      channelId,
      receiver: TEST_RECEIVER as `0x${string}`,
      balance: 300n,
    });
    const unnamed = accepted(300n, { signature });
    expect(() => proofToKeep(unnamed, scope)).toThrow(/balance proof rejected/);
    const named = createBalanceProofAccepted(
      { ...unnamed.data, signer: privateKeyToAddress(sessionKey) },
      { source: 'gateway' },
    );
    expect(proofToKeep(named, scope)).toMatchObject({ channelId, balance: 300n, signature });
  });

  it('keeps a proof the sender signed for our receiver', () => {
    const event = accepted(700n);
    expect(proofToKeep(event, scope)).toEqual({
      channelId,
      balance: 700n,
      signature: event.data.signature,
      eventId: event.id,
    });
  });

  it('keeps a proof sent with a flipped v in the form ecrecover accepts, so the dispute cannot fail on it', () => {
    const signed = accepted(700n).data.signature;
    const flippedV = signed.endsWith('1b') ? '1c' : '1b';
    const event = accepted(700n, { signature: `${signed.slice(0, 130)}${flippedV}` });
    expect(proofToKeep(event, scope)?.signature).toBe(signed);
  });

  it('ignores proofs for another receiver or chain', () => {
    expect(
      proofToKeep(accepted(1n, { receiver: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' }), scope),
    ).toBeUndefined();
    expect(proofToKeep(accepted(1n, { chainId: 1 }), scope)).toBeUndefined();
  });

  it('rejects a proof the sender did not sign for this balance', () => {
    const forOther = accepted(5n).data.signature;
    expect(() => proofToKeep(accepted(6n, { signature: forOther }), scope)).toThrow(
      expect.objectContaining({ code: 'PROOF_SIGNATURE_INVALID' }),
    );
  });
});
