import { encodeAbiParameters, keccak256 as viemKeccak, stringToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { balanceProofCloseSignedId } from './balance-proof-close-signed';
import { decodeEvent, encodeEvent } from './event-codec';
import { EventEncodeError } from './event-errors';
import { isKnownEventType, schemaFor } from './microraiden-event';
import { aBalanceProofAccepted, aBalanceProofCloseSigned, aChannelId } from './testing/event-builders';
import { partitionKeyOf, TOPICS, topicFor } from './topics';

type Json = Record<string, unknown> & { data: Record<string, unknown> };

const wireOf = (event: ReturnType<typeof aBalanceProofCloseSigned>) =>
  JSON.parse(encodeEvent(event).toString('utf8')) as Json;
const bytes = (json: unknown) => Buffer.from(JSON.stringify(json), 'utf8');

/** Wire JSON of a valid closing signature with `data` fields replaced by raw wire values. */
function closeSignedWith(fields: Record<string, unknown>): Buffer {
  const wire = wireOf(aBalanceProofCloseSigned());
  return bytes({ ...wire, data: { ...wire.data, ...fields } });
}

function rejectionOf(input: Buffer): string {
  const result = decodeEvent(input);
  if (result.ok) throw new Error(`expected a rejection, decoded ${result.event.type}`);
  return result.error.code;
}

describe('balance-proof.close-signed v1', () => {
  it('is in the catalogue, on the balance-proofs topic, keyed by its channel id', () => {
    const channelId = aChannelId('close-signed');
    const event = aBalanceProofCloseSigned({ channelId });
    expect(isKnownEventType('balance-proof.close-signed')).toBe(true);
    expect(schemaFor('balance-proof.close-signed', 1)).toBeDefined();
    expect(schemaFor('balance-proof.close-signed', 2)).toBeUndefined();
    expect(topicFor(event)).toBe('microraiden.balance-proofs.v1');
    expect(TOPICS.balanceProofs.eventTypes).toContain('balance-proof.close-signed');
    expect(partitionKeyOf(event)).toBe(channelId);
  });

  it('round-trips with the balance as a base-10 string and occurredAt = signedAt', () => {
    const event = aBalanceProofCloseSigned({
      balance: 2n ** 256n - 1n,
      signedAt: '2025-03-04T05:06:07.890Z',
    });
    const wire = wireOf(event);
    expect(wire.data.balance).toBe((2n ** 256n - 1n).toString());
    expect(wire.occurredAt).toBe('2025-03-04T05:06:07.890Z');
    expect(wire.type).toBe('balance-proof.close-signed');
    expect(wire.version).toBe(1);
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
  });

  it('computes the id as keccak256(abi.encode(tag, chainId, channelManager, channelId, balance))', () => {
    const event = aBalanceProofCloseSigned({ balance: 12345n });
    const { chainId, channelManager, channelId, balance } = event.data;
    // Computed with another library so an encoding slip in ours cannot cancel itself out.
    const expected = viemKeccak(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'uint256' },
          { type: 'address' },
          { type: 'bytes32' },
          { type: 'uint256' },
        ],
        [
          viemKeccak(stringToHex('microraiden.balance-proof.close-signed')),
          BigInt(chainId),
          channelManager,
          channelId,
          balance,
        ],
      ),
    );
    expect(event.id).toBe(expected);
    expect(balanceProofCloseSignedId(event.data)).toBe(expected);
  });

  it('gives a re-signature at the same balance the same id, and differs from the accepted proof', () => {
    const first = aBalanceProofCloseSigned({ balance: 500n, gatewayId: 'g1' });
    const again = aBalanceProofCloseSigned({
      balance: 500n,
      gatewayId: 'g2',
      signedAt: '2025-06-01T00:00:00.000Z',
    });
    expect(again.id).toBe(first.id);
    expect(aBalanceProofCloseSigned({ balance: 501n }).id).not.toBe(first.id);
    expect(aBalanceProofCloseSigned({ balance: 500n, channelId: aChannelId(2) }).id).not.toBe(first.id);
    expect(aBalanceProofAccepted({ balance: 500n }).id).not.toBe(first.id);
  });

  it('rejects an id that is not the deterministic one, on decode and on encode', () => {
    const wire = wireOf(aBalanceProofCloseSigned({ balance: 300n }));
    const other = wireOf(aBalanceProofCloseSigned({ balance: 400n }));
    expect(rejectionOf(bytes({ ...wire, id: other.id }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...wire, data: { ...wire.data, balance: '400' } }))).toBe(
      'EVENT_SCHEMA_MISMATCH',
    );
    const event = aBalanceProofCloseSigned();
    expect(() => encodeEvent({ ...event, id: aChannelId('not the id') })).toThrow(/deterministic id/);
  });

  it.each([
    ['a JSON number balance', { balance: 300 }],
    ['a negative balance', { balance: '-1' }],
    ['a balance with a leading zero', { balance: '0300' }],
    ['a 64-byte closing signature', { closingSignature: `0x${'cd'.repeat(64)}` }],
    ['an upper-case closing signature', { closingSignature: `0x${'CD'.repeat(64)}1C` }],
    ['no closing signature', { closingSignature: undefined }],
    ['a lower-case receiver address', { receiver: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' }],
    ['an empty gatewayId', { gatewayId: '' }],
    ['a signedAt with an offset', { signedAt: '2025-01-01T01:00:00+01:00' }],
    ['chainId 0', { chainId: 0 }],
  ])('rejects %s', (_, fields) => {
    expect(rejectionOf(closeSignedWith(fields))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('refuses to encode an invalid closing signature', () => {
    const event = aBalanceProofCloseSigned();
    expect(() => encodeEvent({ ...event, data: { ...event.data, closingSignature: '0x1234' } })).toThrow(
      EventEncodeError,
    );
  });
});
