import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkBalanceProofAccepted, encodeBalanceProofAccepted } from './balance-proof-accepted-encoder';
import { balanceProofAcceptedV1Schema, type BalanceProofAcceptedV1 } from './balance-proof-events';
import { EventEncodeError } from './event-errors';
import { aBalanceProofAccepted } from './testing/event-builders';

// What encodeEvent wrote for this event type before the hand-written encoder: the schema's own codec.
function schemaBytes(event: BalanceProofAcceptedV1): Buffer | string {
  const wire = z.safeEncode(balanceProofAcceptedV1Schema, event);
  return wire.success ? Buffer.from(JSON.stringify(wire.data), 'utf8') : 'invalid';
}

function handBytes(event: BalanceProofAcceptedV1): Buffer | string {
  try {
    return encodeBalanceProofAccepted(event);
  } catch (err) {
    if (err instanceof EventEncodeError) return 'invalid';
    throw err;
  }
}

const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as `0x${string}`;
const amount = () => BigInt(hex(1 + ((randomBytes(1)[0] as number) % 32)));

describe('encodeBalanceProofAccepted', () => {
  it('writes the same bytes as the schema for 500 random valid events (any address and hex case in)', () => {
    for (let i = 0; i < 500; i++) {
      const previousBalance = amount() % (1n << 200n);
      const balance = previousBalance + 1n + amount();
      // A quarter fixed-price (no charge fields), the rest metered: C anywhere in [0, balance], charge in [0, C].
      const chargedBalance = i % 4 === 0 ? undefined : amount() % (balance + 1n);
      const event = aBalanceProofAccepted({
        channelId: (i % 2 ? hex(32).toUpperCase().replace('0X', '0x') : hex(32)) as `0x${string}`,
        sender: hex(20),
        receiver: hex(20),
        channelManager: hex(20),
        chainId: 1 + ((randomBytes(4).readUInt32BE() * 7919) % Number.MAX_SAFE_INTEGER),
        previousBalance,
        balance,
        ...(chargedBalance === undefined
          ? {}
          : { chargedBalance, charge: i % 8 === 1 ? 0n : amount() % (chargedBalance + 1n) }),
        price: amount(),
        ...(i % 3 === 0 ? { signer: hex(20) } : {}),
        signature: hex(65),
        route: `/r/${i}`,
        method: ['GET', 'POST', 'DELETE'][i % 3] as string,
        gatewayId: `gw-${i}`,
        acceptedAt: new Date(1_700_000_000_000 + i * 1_000_003).toISOString(),
      });
      expect(handBytes(event)).toEqual(schemaBytes(event));
    }
    // 500 fresh addresses (no checksum cache hits) take ~1 s on a quiet core; 5 s is too tight on a loaded machine.
  }, 30_000);

  it.each<[string, (e: BalanceProofAcceptedV1) => BalanceProofAcceptedV1]>([
    [
      'an increment that is not balance - previousBalance',
      (e) => ({ ...e, data: { ...e.data, increment: 1n } }),
    ],
    [
      'a balance not above the previous one',
      (e) => ({ ...e, data: { ...e.data, balance: e.data.previousBalance } }),
    ],
    ['an id that is not the deterministic one', (e) => ({ ...e, id: hex(32) })],
    [
      'a charged balance above the balance',
      (e) => ({ ...e, data: { ...e.data, chargedBalance: e.data.balance + 1n } }),
    ],
    [
      'a charge above the charged balance',
      (e) => ({ ...e, data: { ...e.data, charge: 11n, chargedBalance: 10n } }),
    ],
    [
      'a charged balance below the increment it defaults the charge to',
      (e) => ({ ...e, data: { ...e.data, chargedBalance: e.data.increment - 1n } }),
    ],
    ['a negative charge', (e) => ({ ...e, data: { ...e.data, charge: -1n } })],
    ['a malformed sender', (e) => ({ ...e, data: { ...e.data, sender: '0x1234' } })],
    ['a negative price', (e) => ({ ...e, data: { ...e.data, price: -1n } })],
    ['an amount above uint256', (e) => ({ ...e, data: { ...e.data, price: 1n << 256n } })],
    ['a short signature', (e) => ({ ...e, data: { ...e.data, signature: hex(64) } })],
    ['a lower-case method', (e) => ({ ...e, data: { ...e.data, method: 'get' } })],
    ['a route without a leading slash', (e) => ({ ...e, data: { ...e.data, route: 'api' } })],
    ['an empty gateway id', (e) => ({ ...e, data: { ...e.data, gatewayId: '' } })],
    ['a chain id of 0', (e) => ({ ...e, data: { ...e.data, chainId: 0 } })],
    [
      'a local time instead of UTC',
      (e) => ({ ...e, data: { ...e.data, acceptedAt: '2025-01-01T00:00:00+01:00' } }),
    ],
    ['an impossible date', (e) => ({ ...e, occurredAt: '2025-13-45T00:00:00.000Z' })],
    ['an upper-case source', (e) => ({ ...e, source: 'Gateway' })],
  ])('refuses %s, as the schema does', (_what, spoil) => {
    const event = spoil(aBalanceProofAccepted());
    expect(schemaBytes(event)).toBe('invalid');
    expect(() => encodeBalanceProofAccepted(event)).toThrow(EventEncodeError);
  });

  it('names every broken field, and checks the money rules only once every field has its type', () => {
    const event = aBalanceProofAccepted();
    expect(checkBalanceProofAccepted(event).issues).toEqual([]);
    const spoiled = { ...event, data: { ...event.data, sender: '0x1234', method: 'get', balance: 0n } };
    expect(checkBalanceProofAccepted(spoiled as BalanceProofAcceptedV1).issues).toEqual([
      'data.sender: expected a 20-byte address',
      'data.method: expected an upper-case HTTP method',
    ]);
    const unpaid = { ...event, data: { ...event.data, balance: event.data.previousBalance } };
    expect(checkBalanceProofAccepted(unpaid).issues).toEqual([
      'data.balance: balance must exceed previousBalance',
    ]);
  });

  it('writes the charge fields only when given, after acceptedAt, as base-10 strings', () => {
    const fixed = checkBalanceProofAccepted(aBalanceProofAccepted()).wire.data as object;
    expect(Object.keys(fixed)).not.toContain('charge');
    expect(Object.keys(fixed)).not.toContain('chargedBalance');
    const metered = aBalanceProofAccepted({ balance: 300n, charge: 0n, chargedBalance: 250n });
    const wire = checkBalanceProofAccepted(metered).wire.data as Record<string, unknown>;
    expect(Object.keys(wire).slice(-3)).toEqual(['acceptedAt', 'charge', 'chargedBalance']);
    expect([wire.charge, wire.chargedBalance]).toEqual(['0', '250']);
  });

  it('writes addresses in their checksum form whatever case they came in', () => {
    const event = aBalanceProofAccepted();
    const lower = {
      ...event,
      data: { ...event.data, sender: event.data.sender.toLowerCase() as `0x${string}` },
    };
    const { wire } = checkBalanceProofAccepted(lower);
    expect((wire.data as { sender: string }).sender).toBe(event.data.sender);
  });
});
