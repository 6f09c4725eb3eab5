import { encodeAbiParameters, keccak256 as viemKeccak, stringToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { balanceProofChargedId, type BalanceProofChargedV1 } from './balance-proof-charged';
import { decodeEvent, encodeEvent } from './event-codec';
import { EventEncodeError } from './event-errors';
import { isKnownEventType, schemaFor } from './microraiden-event';
import { aBalanceProofAccepted, aBalanceProofCharged, aChannelId } from './testing/event-builders';
import { partitionKeyOf, TOPICS, topicFor } from './topics';

type Json = Record<string, unknown> & { data: Record<string, unknown> };

const wireOf = (event: BalanceProofChargedV1) => JSON.parse(encodeEvent(event).toString('utf8')) as Json;
const bytes = (json: unknown) => Buffer.from(JSON.stringify(json), 'utf8');

/** Wire JSON of a valid charge with `data` fields replaced by raw wire values (the id re-derived when asked). */
function chargedWith(fields: Record<string, unknown>): Buffer {
  const wire = wireOf(aBalanceProofCharged());
  return bytes({ ...wire, data: { ...wire.data, ...fields } });
}

function rejectionOf(input: Buffer): string {
  const result = decodeEvent(input);
  if (result.ok) throw new Error(`expected a rejection, decoded ${result.event.type}`);
  return result.error.code;
}

/** mulberry32, seeded so a failure replays. */
function rng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)] as T;
  const amount = (): bigint =>
    pick([0n, 1n, 2n, BigInt(int(1_000_000)), 2n ** 255n + BigInt(int(1000)), 2n ** 256n - 1n]);
  return { int, pick, amount };
}

describe('balance-proof.charged v1', () => {
  it('is in the catalogue, on the balance-proofs topic, keyed by its channel id', () => {
    const channelId = aChannelId('charged');
    const event = aBalanceProofCharged({ channelId });
    expect(isKnownEventType('balance-proof.charged')).toBe(true);
    expect(schemaFor('balance-proof.charged', 1)).toBeDefined();
    expect(schemaFor('balance-proof.charged', 2)).toBeUndefined();
    expect(topicFor(event)).toBe('microraiden.balance-proofs.v1');
    expect(TOPICS.balanceProofs.eventTypes).toContain('balance-proof.charged');
    expect(partitionKeyOf(event)).toBe(channelId);
  });

  it('round-trips with amounts as base-10 strings and occurredAt = chargedAt', () => {
    const event = aBalanceProofCharged({
      balance: 2n ** 256n - 1n,
      chargedBalance: 2n ** 256n - 1n,
      charge: 1n,
      chargedAt: '2025-03-04T05:06:07.890Z',
    });
    const wire = wireOf(event);
    expect([wire.data.balance, wire.data.chargedBalance, wire.data.charge]).toEqual([
      (2n ** 256n - 1n).toString(),
      (2n ** 256n - 1n).toString(),
      '1',
    ]);
    expect(wire.occurredAt).toBe('2025-03-04T05:06:07.890Z');
    expect([wire.type, wire.version]).toEqual(['balance-proof.charged', 1]);
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
  });

  it('computes the id as keccak256(abi.encode(tag, chainId, channelManager, channelId, chargedBalance))', () => {
    const event = aBalanceProofCharged({ chargedBalance: 12345n, balance: 20000n });
    const { chainId, channelManager, channelId, chargedBalance } = event.data;
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
          viemKeccak(stringToHex('microraiden.balance-proof.charged')),
          BigInt(chainId),
          channelManager,
          channelId,
          chargedBalance,
        ],
      ),
    );
    expect(event.id).toBe(expected);
    expect(balanceProofChargedId(event.data)).toBe(expected);
  });

  it('gives a retried commit (same charged balance after) the same id, and no other fact that id', () => {
    const first = aBalanceProofCharged({ chargedBalance: 250n, gatewayId: 'g1' });
    const retried = aBalanceProofCharged({
      chargedBalance: 250n,
      gatewayId: 'g2',
      chargedAt: '2025-06-01T00:00:00.000Z',
    });
    expect(retried.id).toBe(first.id);
    expect(aBalanceProofCharged({ chargedBalance: 251n }).id).not.toBe(first.id);
    expect(aBalanceProofCharged({ channelId: aChannelId(2) }).id).not.toBe(first.id);
    // An acceptance at a signed balance equal to this charged balance is another fact.
    expect(aBalanceProofAccepted({ balance: 250n }).id).not.toBe(first.id);
  });

  it('rejects an id that is not the deterministic one, on decode and on encode', () => {
    const wire = wireOf(aBalanceProofCharged());
    const other = wireOf(aBalanceProofCharged({ chargedBalance: 260n, charge: 60n }));
    expect(rejectionOf(bytes({ ...wire, id: other.id }))).toBe('EVENT_SCHEMA_MISMATCH');
    expect(rejectionOf(bytes({ ...wire, data: { ...wire.data, chargedBalance: '260' } }))).toBe(
      'EVENT_SCHEMA_MISMATCH',
    );
    const event = aBalanceProofCharged();
    expect(() => encodeEvent({ ...event, id: aChannelId('not the id') })).toThrow(/deterministic id/);
  });

  it.each<[string, Parameters<typeof aBalanceProofCharged>[0], RegExp]>([
    ['a charge of 0', { charge: 0n }, /charge must be at least 1/],
    [
      'a charged balance above the balance',
      { chargedBalance: 301n },
      /chargedBalance must not exceed balance/,
    ],
    ['a charge above the charged balance', { charge: 251n }, /charge must not exceed chargedBalance/],
    ['a negative charge', { charge: -1n }, /charge/],
  ])('refuses to encode %s', (_, overrides, message) => {
    expect(() => encodeEvent(aBalanceProofCharged(overrides))).toThrow(EventEncodeError);
    expect(() => encodeEvent(aBalanceProofCharged(overrides))).toThrow(message);
  });

  it.each([
    ['a JSON number charge', { charge: 50 }],
    ['a charge with a leading zero', { charge: '050' }],
    ['no charge', { charge: undefined }],
    ['no charged balance', { chargedBalance: undefined }],
    ['a route without a leading slash', { route: 'api' }],
    ['a lower-case method', { method: 'get' }],
    ['a chargedAt with an offset', { chargedAt: '2025-01-01T01:00:00+01:00' }],
    ['chainId 0', { chainId: 0 }],
  ])('rejects %s', (_, fields) => {
    expect(rejectionOf(chargedWith(fields))).toBe('EVENT_SCHEMA_MISMATCH');
  });

  it('decodes only charges that keep 1 <= charge <= chargedBalance <= balance, over 3000 random ones', () => {
    const r = rng(0xc4a26ed);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const [balance, chargedBalance, charge] = [r.amount(), r.amount(), r.amount()];
      const valid = charge >= 1n && charge <= chargedBalance && chargedBalance <= balance;
      const base = wireOf(aBalanceProofCharged({ balance: 2n ** 256n - 1n, chargedBalance: 1n, charge: 1n }));
      const data = {
        ...base.data,
        balance: balance.toString(),
        chargedBalance: chargedBalance.toString(),
        charge: charge.toString(),
      };
      // Re-derived id, so the money rules (not the id check) decide.
      const id = balanceProofChargedId({ ...aBalanceProofCharged().data, chargedBalance });
      const decoded = decodeEvent(bytes({ ...base, id, data }));
      expect(decoded.ok, `case ${i}: ${balance} ${chargedBalance} ${charge}`).toBe(valid);
      if (decoded.ok) {
        accepted++;
        expect(decoded.event.type === 'balance-proof.charged' && decoded.event.data.charge).toBe(charge);
      }
    }
    // Both sides exercised, or the agreement proves little.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2700);
    // ~1.5 s on a quiet core; the default 5 s fails on the shared, loaded machine.
  }, 30_000);
});
