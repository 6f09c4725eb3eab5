import { encodeAbiParameters, keccak256 as viemKeccak } from 'viem';
import { describe, expect, it } from 'vitest';
import { MicroraidenError } from '@microraiden/errors';
import { chainEventId } from './channel-events';
import { decodeEvent, encodeEvent } from './event-codec';
import { EventDecodeError, EventEncodeError } from './event-errors';
import type { MicroraidenEvent } from './microraiden-event';
import {
  aBalanceProofAccepted,
  aBalanceProofCharged,
  aBalanceProofCloseSigned,
  aChannelCloseRequested,
  aChannelCreated,
  aChannelId,
  aChannelSettled,
  aChannelToppedUp,
  aChannelWithdrawn,
  aRetraction,
} from './testing/event-builders';

type Json = Record<string, unknown> & { data: Record<string, unknown> };

/** The wire JSON of an event, to tamper with. */
function wireOf(event: MicroraidenEvent): Json {
  return JSON.parse(encodeEvent(event).toString('utf8')) as Json;
}

function bytes(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Decode and return the error code, failing the test if decoding succeeded. */
function rejectionOf(input: Buffer): string {
  const result = decodeEvent(input);
  if (result.ok) throw new Error(`expected a rejection, decoded ${result.event.type}`);
  expect(result.error).toBeInstanceOf(EventDecodeError);
  expect(result.error).toBeInstanceOf(MicroraidenError);
  return result.error.code;
}

/** Wire JSON of a valid balance proof with `data` fields replaced by raw wire values. */
function proofWith(fields: Record<string, unknown>): Buffer {
  const wire = wireOf(aBalanceProofAccepted());
  return bytes({ ...wire, data: { ...wire.data, ...fields } });
}

describe('encodeEvent / decodeEvent', () => {
  const everyType: Array<[string, () => MicroraidenEvent]> = [
    ['balance-proof.accepted', () => aBalanceProofAccepted({ balance: 10n ** 30n })],
    ['balance-proof.charged', () => aBalanceProofCharged({ balance: 10n ** 30n })],
    ['balance-proof.close-signed', () => aBalanceProofCloseSigned({ balance: 10n ** 30n })],
    ['channel.created', () => aChannelCreated()],
    ['channel.topped-up', () => aChannelToppedUp()],
    ['channel.close-requested', () => aChannelCloseRequested({ settleAt: 2n ** 64n - 1n })],
    ['channel.settled', () => aChannelSettled()],
    ['channel.withdrawn', () => aChannelWithdrawn()],
    ['channel.event-retracted', () => aRetraction(aChannelToppedUp())],
  ];

  it.each(everyType)('round-trips %s', (type, build) => {
    const event = build();
    expect(event.type).toBe(type);
    const decoded = decodeEvent(encodeEvent(event));
    expect(decoded).toEqual({ ok: true, event });
  });

  it('writes amounts as base-10 strings and keeps uint256 precision', () => {
    const max = 2n ** 256n - 1n;
    const event = aChannelCreated({ deposit: max });
    expect(wireOf(event).data.deposit).toBe(max.toString());
    const decoded = decodeEvent(encodeEvent(event));
    expect(decoded.ok && decoded.event.type === 'channel.created' && decoded.event.data.deposit).toBe(max);
  });

  it('normalises addresses to their checksum and hex to lowercase on encode', () => {
    const event = aBalanceProofAccepted({
      sender: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
      channelId: aChannelId().toUpperCase().replace('0X', '0x') as `0x${string}`,
    });
    const wire = wireOf(event);
    expect(wire.data.sender).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(wire.data.channelId).toBe(aChannelId());
  });

  it('accepts any valid address spelling in TypeScript but not a wrong checksum', () => {
    const lower = aBalanceProofAccepted({ receiver: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });
    expect(wireOf(lower).data.receiver).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    const wrong = {
      ...lower,
      data: { ...lower.data, receiver: '0x70997970c51812DC3A010C7d01b50e0d17dc79C8' as const },
    };
    expect(() => encodeEvent(wrong)).toThrow(EventEncodeError);
  });

  it('refuses to encode an invalid event', () => {
    expect(() => encodeEvent(aChannelCreated({ deposit: -1n }))).toThrow(EventEncodeError);
    expect(() => encodeEvent(aBalanceProofAccepted({ increment: 1n }))).toThrow(/increment/);
    const proof = aBalanceProofAccepted();
    expect(() => encodeEvent({ ...proof, data: { ...proof.data, sender: '0x1234' } })).toThrow(
      EventEncodeError,
    );
    expect(() => encodeEvent({ ...proof, id: aChannelId('not the id') })).toThrow(/deterministic id/);
    expect(() => encodeEvent({ ...aChannelCreated(), version: 2 } as unknown as MicroraidenEvent)).toThrow(
      /unknown event channel.created v2/,
    );
  });

  it('drops unknown fields (tolerant reader) instead of rejecting them', () => {
    const wire = wireOf(aChannelCreated());
    const decoded = decodeEvent(bytes({ ...wire, extra: 1, data: { ...wire.data, futureField: 'x' } }));
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && 'futureField' in decoded.event.data).toBe(false);
  });
});

describe('decodeEvent rejections', () => {
  it('rejects bytes that are not JSON or not an envelope as EVENT_MALFORMED', () => {
    expect(rejectionOf(Buffer.from('not json'))).toBe('EVENT_MALFORMED');
    expect(rejectionOf(Buffer.from([0xff, 0xfe, 0x00]))).toBe('EVENT_MALFORMED');
    expect(rejectionOf(bytes([1, 2]))).toBe('EVENT_MALFORMED');
    expect(rejectionOf(bytes({ version: 1, data: {} }))).toBe('EVENT_MALFORMED');
    expect(rejectionOf(bytes({ ...wireOf(aChannelCreated()), version: '1' }))).toBe('EVENT_MALFORMED');
  });

  it('rejects an unknown type and an unknown version of a known type distinctly', () => {
    expect(rejectionOf(bytes({ ...wireOf(aChannelCreated()), type: 'channel.exploded' }))).toBe(
      'EVENT_UNKNOWN_TYPE',
    );
    expect(rejectionOf(bytes({ ...wireOf(aChannelCreated()), type: 'constructor' }))).toBe(
      'EVENT_UNKNOWN_TYPE',
    );
    expect(rejectionOf(bytes({ ...wireOf(aChannelCreated()), version: 2 }))).toBe('EVENT_UNKNOWN_VERSION');
    expect(rejectionOf(bytes({ ...wireOf(aBalanceProofAccepted()), version: 0 }))).toBe(
      'EVENT_UNKNOWN_VERSION',
    );
  });

  it('rejects data of another type under a known type', () => {
    const proof = wireOf(aBalanceProofAccepted());
    const created = wireOf(aChannelCreated());
    expect(rejectionOf(bytes({ ...proof, data: created.data }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...created, type: 'channel.topped-up' }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it.each([
    ['a float JSON number', 1.5],
    ['an integer JSON number', 300],
    ['a decimal string', '300.0'],
    ['a negative string', '-300'],
    ['a leading zero', '0300'],
    ['an exponent', '3e2'],
    ['whitespace', ' 300'],
    ['hex', '0x12c'],
    ['an empty string', ''],
    ['more than uint256', (2n ** 256n).toString()],
  ])('rejects an amount given as %s', (_, balance) => {
    expect(rejectionOf(proofWith({ balance }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('rejects a settleAt above uint64', () => {
    const wire = wireOf(aChannelCloseRequested());
    expect(rejectionOf(bytes({ ...wire, data: { ...wire.data, settleAt: (2n ** 64n).toString() } }))).toBe(
      'EVENT_SCHEMA_MISMATCH',
    );
  });

  it.each([
    ['lower case (no checksum)', '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'],
    ['a wrong checksum', '0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266'],
    ['19 bytes', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb922'],
    ['no 0x', 'f39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
    ['a number', 1],
  ])('rejects an address with %s', (_, sender) => {
    expect(rejectionOf(proofWith({ sender }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it.each([
    ['63 hex digits', `0x${'a'.repeat(63)}`],
    ['65 hex digits', `0x${'a'.repeat(65)}`],
    ['upper case', `0x${'A'.repeat(64)}`],
    ['no 0x', 'a'.repeat(64)],
    ['non-hex', `0x${'g'.repeat(64)}`],
  ])('rejects a channel id with %s', (_, channelId) => {
    expect(rejectionOf(proofWith({ channelId }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('rejects a signature that is not 65 bytes, without echoing it', () => {
    const signature = `0x${'cd'.repeat(64)}`;
    const result = decodeEvent(proofWith({ signature }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('EVENT_SCHEMA_MISMATCH');
    expect(result.error.message).toContain('data.signature');
    expect(result.error.message).not.toContain('cdcd');
    expect(JSON.stringify(result.error.details)).not.toContain('cdcd');
  });

  it('rejects an increment that is not balance - previousBalance, and a non-increasing balance', () => {
    expect(rejectionOf(proofWith({ increment: '99' }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(proofWith({ balance: '200', increment: '0' }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it.each([
    ['chainId 0', { chainId: 0 }],
    ['a float chainId', { chainId: 1.5 }],
    ['a chainId string', { chainId: '31337' }],
    ['a lower-case method', { method: 'get' }],
    ['a route without a leading slash', { route: 'api' }],
    ['an acceptedAt with an offset', { acceptedAt: '2025-01-01T01:00:00+01:00' }],
    ['an acceptedAt that is not a date', { acceptedAt: 'yesterday' }],
  ])('rejects %s', (_, fields) => {
    expect(rejectionOf(proofWith(fields))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('rejects a bad envelope: occurredAt, source, non-deterministic id', () => {
    const wire = wireOf(aChannelCreated());
    expect(rejectionOf(bytes({ ...wire, occurredAt: 1735689600000 }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...wire, source: '' }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...wire, id: aChannelId('random') }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...wire, id: '6f1c2a4e-3c1b-4b6e-9d7a-2f0c5e8b9a10' }))).toBe(
      'EVENT_SCHEMA_MISMATCH',
    );
    // Moving the log changes its identity, so an id copied from elsewhere no longer matches.
    expect(rejectionOf(bytes({ ...wire, data: { ...wire.data, logIndex: 99 } }))).toBe(
      'EVENT_SCHEMA_MISMATCH',
    );
  });

  it('rejects a balance proof whose id does not match its channel and balance', () => {
    const wire = wireOf(aBalanceProofAccepted({ balance: 300n }));
    const other = wireOf(aBalanceProofAccepted({ balance: 400n }));
    expect(rejectionOf(bytes({ ...wire, id: other.id }))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('rejects a retraction whose retractedEventId does not match its position', () => {
    const wire = wireOf(aRetraction());
    const data = { ...wire.data, retractedEventId: aChannelId('other') };
    expect(rejectionOf(bytes({ ...wire, data }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(
      rejectionOf(bytes({ ...wire, data: { ...wire.data, retractedType: 'channel.event-retracted' } })),
    ).toBe('EVENT_SCHEMA_MISMATCH');
  });
});

describe('deterministic ids', () => {
  it('computes the chain event id as keccak256(abi.encode(chainId, blockHash, txHash, logIndex))', () => {
    const event = aChannelCreated();
    const { chainId, blockHash, transactionHash, logIndex } = event.data;
    // Computed with another library so an encoding slip in ours cannot cancel itself out.
    const expected = viemKeccak(
      encodeAbiParameters(
        [{ type: 'uint256' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }],
        [BigInt(chainId), blockHash, transactionHash, BigInt(logIndex)],
      ),
    );
    expect(event.id).toBe(expected);
  });

  it('gives the same log the same id whatever the event, and a re-mined log a new one', () => {
    const position = {
      chainId: 1,
      blockHash: aChannelId('block'),
      transactionHash: aChannelId('tx'),
      logIndex: 3,
    };
    expect(aChannelCreated(position).id).toBe(aChannelCreated({ ...position, deposit: 5n }).id);
    expect(aChannelCreated(position).id).toBe(chainEventId(position));
    expect(aChannelCreated({ ...position, blockHash: aChannelId('other block') }).id).not.toBe(
      chainEventId(position),
    );
  });

  it('gives a balance proof an id from (chain, contract, channel, balance) only', () => {
    const a = aBalanceProofAccepted({
      balance: 500n,
      gatewayId: 'g1',
      acceptedAt: '2025-01-01T00:00:00.000Z',
    });
    const b = aBalanceProofAccepted({
      balance: 500n,
      gatewayId: 'g2',
      acceptedAt: '2025-02-01T00:00:00.000Z',
    });
    expect(a.id).toBe(b.id);
    expect(aBalanceProofAccepted({ balance: 501n }).id).not.toBe(a.id);
    expect(aBalanceProofAccepted({ balance: 500n, channelId: aChannelId(2) }).id).not.toBe(a.id);
  });

  it('gives a retraction its own id, different from the retracted event', () => {
    const created = aChannelCreated();
    const retraction = aRetraction(created);
    expect(retraction.data.retractedEventId).toBe(created.id);
    expect(retraction.id).not.toBe(created.id);
    expect(aRetraction(created).id).toBe(retraction.id);
  });
});
