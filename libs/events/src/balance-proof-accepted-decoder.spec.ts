import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeBalanceProofAccepted, INSTANT } from './balance-proof-accepted-decoder';
import { encodeBalanceProofAccepted } from './balance-proof-accepted-encoder';
import {
  balanceProofAcceptedId,
  balanceProofAcceptedV1Schema,
  type BalanceProofAcceptedV1,
} from './balance-proof-events';
import { decodeEvent } from './event-codec';
import { aBalanceProofAccepted, TEST_SENDER } from './testing/event-builders';
import type { Hex } from './wire-fields';

type Wire = Record<string, unknown> & { data: Record<string, unknown> };

// Seeded so a failure replays; change SEED to explore other inputs.
const SEED = 0x5eed_b00c;

/** mulberry32: small, seedable, good enough to pick test inputs. */
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
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => '0123456789abcdef'[int(16)]).join('');
  const bigint = (bits: number): bigint => (bits === 0 ? 0n : BigInt(`0x${hex(Math.ceil(bits / 4))}`));
  return { next, int, pick, hex, bigint };
}

type Rng = ReturnType<typeof rng>;

/** A random valid event, as the gateway would build it (any address case in). */
function aRandomEvent(r: Rng): BalanceProofAcceptedV1 {
  const previousBalance = r.int(4) === 0 ? 0n : r.bigint(r.pick([8, 64, 200, 252]));
  const balance =
    r.int(10) === 0 ? (1n << 256n) - 1n : previousBalance + 1n + r.bigint(r.pick([0, 8, 64, 200]));
  const address = (): Hex => {
    const digits = r.hex(40);
    return r.int(2) ? getAddress(`0x${digits}`) : `0x${digits}`;
  };
  const instant = (): string => new Date(r.int(253_402_300_799_999)).toISOString();
  const capped = balance > (1n << 256n) - 1n ? (1n << 256n) - 1n : balance;
  return aBalanceProofAccepted(
    {
      ...randomCharge(r, capped, capped - previousBalance),
      // A channel with a balance signer (session key) names it; most have none.
      ...(r.int(3) === 0 ? { signer: address() } : {}),
      channelId: `0x${r.hex(64)}`,
      sender: address(),
      receiver: address(),
      channelManager: address(),
      chainId: r.pick([1, 31337, 1 + r.int(2 ** 31), Number.MAX_SAFE_INTEGER]),
      balance: balance > (1n << 256n) - 1n ? (1n << 256n) - 1n : balance,
      previousBalance,
      price: r.pick([0n, 1n, r.bigint(64), (1n << 256n) - 1n]),
      signature: `0x${r.hex(130)}`,
      route: r.pick(['/', '/api/weather', `/r/${r.hex(8)}?q=${r.int(100)}`, `/${'x'.repeat(2047)}`, '/ünï']),
      method: r.pick(['GET', 'POST', 'DELETE', 'A', 'ABCDEFGHIJKLMNOP']),
      gatewayId: r.pick(['g', `gw-${r.int(1000)}`, 'x'.repeat(128), 'Ünicode gw']),
      acceptedAt: instant(),
    },
    { source: r.pick(['gateway', 'a', 'gw.1_x-y', `s${'z'.repeat(63)}`]), occurredAt: instant() },
  );
}

/**
 * Valid optional charge fields for a proof of `balance` and `increment`: none (a fixed price, as old producers
 * write), both (metered: C <= balance, charge <= C, charge may be 0 on a stream's first acceptance), or one alone.
 */
function randomCharge(r: Rng, balance: bigint, increment: bigint) {
  const below = (max: bigint): bigint => (max === 0n ? 0n : r.bigint(256) % (max + 1n));
  switch (r.int(4)) {
    case 0:
      return {};
    case 1: {
      const chargedBalance = r.int(4) === 0 ? balance : below(balance);
      return { charge: r.int(5) === 0 ? 0n : below(chargedBalance), chargedBalance };
    }
    case 2:
      return { charge: below(balance) };
    default:
      return { chargedBalance: increment + below(balance - increment) };
  }
}

function wireOf(event: BalanceProofAcceptedV1): Wire {
  return JSON.parse(encodeBalanceProofAccepted(event).toString('utf8')) as Wire;
}

// Values of the wrong kind, and near-misses of the right kind, that any field may be replaced with.
const ODD_VALUES: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  1,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  '1',
  [],
  {},
  ['0x00'],
  1n,
];

const AMOUNT_VALUES = [
  '0',
  '1',
  '00',
  '01',
  '-1',
  '+1',
  '1.0',
  '1e3',
  ' 1',
  '1 ',
  '0x1',
  '١',
  ((1n << 256n) - 1n).toString(),
  (1n << 256n).toString(),
  '9'.repeat(78),
  '9'.repeat(79),
  '1'.repeat(77),
  300,
];

const INSTANT_VALUES = [
  '2025-01-01T00:00:00Z',
  '2025-01-01T00:00:00.1Z',
  '2025-01-01T00:00:00.123456789012Z',
  '2025-01-01T00:00:00.Z',
  '2025-01-01T00:00Z',
  '2025-01-01T00:00:00z',
  '2025-01-01t00:00:00Z',
  '2025-01-01 00:00:00Z',
  '2025-01-01T00:00:00+00:00',
  '2025-01-01T00:00:00.000+01:00',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2000-02-29T12:00:00Z',
  '1900-02-29T12:00:00Z',
  '2025-04-31T00:00:00Z',
  '2025-13-01T00:00:00Z',
  '2025-00-10T00:00:00Z',
  '2025-01-00T00:00:00Z',
  '2025-01-01T24:00:00Z',
  '2025-01-01T23:60:00Z',
  '2025-01-01T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '+010000-01-01T00:00:00.000Z',
  '2025-01-01',
  'yesterday',
  1735689600000,
];

type Mutation = (wire: Wire, r: Rng) => void;

const DATA_KEYS = [
  'channelId',
  'sender',
  'receiver',
  'channelManager',
  'chainId',
  'balance',
  'previousBalance',
  'increment',
  'price',
  'signature',
  'route',
  'method',
  'gatewayId',
  'acceptedAt',
  'charge',
  'chargedBalance',
  'signer',
] as const;
const ENVELOPE_KEYS = ['id', 'type', 'version', 'occurredAt', 'source', 'data'] as const;
const AMOUNT_KEYS = ['balance', 'previousBalance', 'increment', 'price', 'charge', 'chargedBalance'] as const;
const ADDRESS_KEYS = ['sender', 'receiver', 'channelManager', 'signer'] as const;

const flipCase = (value: string, at: number): string => {
  const c = value[at] ?? '';
  const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return value.slice(0, at) + flipped + value.slice(at + 1);
};

const MUTATIONS: readonly Mutation[] = [
  (w, r) => delete w.data[r.pick(DATA_KEYS)],
  (w, r) => delete w[r.pick(ENVELOPE_KEYS)],
  (w, r) => (w.data[r.pick(DATA_KEYS)] = r.pick(ODD_VALUES)),
  (w, r) => ((w as Record<string, unknown>)[r.pick(ENVELOPE_KEYS)] = r.pick(ODD_VALUES)),
  (w, r) => (w.data[r.pick(AMOUNT_KEYS)] = r.pick(AMOUNT_VALUES)),
  // Money rules: move one amount by a little, keeping it well-formed.
  (w, r) => {
    const key = r.pick(['balance', 'previousBalance', 'increment', 'charge', 'chargedBalance'] as const);
    const moved = BigInt((w.data[key] as string | undefined) ?? '0') + BigInt(r.pick([-1, 1, 100]));
    w.data[key] = (moved < 0n ? 0n : moved).toString();
  },
  (w) => {
    w.data.balance = w.data.previousBalance;
    w.data.increment = '0';
  },
  // The charged chain at its bounds: C = balance, C above it, a charge of all of C or one more.
  (w, r) => {
    const balance = BigInt(w.data.balance as string);
    const chargedBalance = balance + BigInt(r.pick([0, 0, 1]));
    w.data.chargedBalance = chargedBalance.toString();
    w.data.charge = (chargedBalance + BigInt(r.pick([0, 0, 1]))).toString();
  },
  (w, r) => {
    const key = r.pick(ADDRESS_KEYS.filter((k) => typeof w.data[k] === 'string'));
    const value = w.data[key] as string;
    w.data[key] = r.pick([
      value.toLowerCase(),
      `0x${value.slice(2).toUpperCase()}`,
      flipCase(value, 2 + r.int(40)),
      value.slice(0, 41),
      `${value}0`,
      value.slice(2),
      `0X${value.slice(2)}`,
      `0x${'1234567890'.repeat(4)}`,
      `0x${'0'.repeat(40)}`,
      `0x${'g'.repeat(40)}`,
    ]);
  },
  (w, r) => {
    const key = r.pick(['id', 'channelId', 'signature'] as const);
    const holder: Record<string, unknown> = key === 'id' ? w : w.data;
    const value = holder[key] as string;
    holder[key] = r.pick([
      value.toUpperCase(),
      `0x${value.slice(2).toUpperCase()}`,
      flipCase(value, 2 + r.int(value.length - 2)),
      value.slice(0, -1),
      `${value}a`,
      value.slice(2),
      `${value.slice(0, -1)}g`,
      `${value.slice(0, -1)}\n`,
    ]);
  },
  (w, r) => (w.id = `0x${r.hex(64)}`),
  (w, r) => {
    const key = r.pick(['occurredAt', 'acceptedAt'] as const);
    const holder: Record<string, unknown> = key === 'occurredAt' ? w : w.data;
    holder[key] = r.pick(INSTANT_VALUES);
  },
  (w, r) =>
    (w.data.chainId = r.pick([
      0,
      -0,
      -1,
      1.5,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1,
      2 ** 64,
      '1',
      1e3,
    ])),
  (w, r) =>
    (w.data.route = r.pick(['', '/', 'api', ' /api', `/${'x'.repeat(2048)}`, `/${'x'.repeat(2047)}`])),
  (w, r) => (w.data.method = r.pick(['', 'get', 'Get', 'GET ', 'ABCDEFGHIJKLMNOPQ', 'ÄB', 'PATCH'])),
  (w, r) => (w.data.gatewayId = r.pick(['', 'x'.repeat(128), 'x'.repeat(129), ' '])),
  (w, r) =>
    (w.source = r.pick([
      '',
      'Gateway',
      '-gw',
      '.gw',
      '_gw',
      'gw!',
      `g${'z'.repeat(63)}`,
      `g${'z'.repeat(64)}`,
      'g w',
    ])),
  (w, r) => (w.type = r.pick(['balance-proof.Accepted', 'channel.created', 'balance-proof.accepted '])),
  (w, r) => (w.version = r.pick([0, 2, '1', 1.0, 1.0000001, true])),
  (w, r) => ((w as Record<string, unknown>).data = r.pick<unknown>([null, [], 'data', {}, [w.data]])),
  // Unknown keys are dropped by the schema, including ones named like Object.prototype's members.
  (w, r) => {
    const holder: Record<string, unknown> = r.int(2) ? w : w.data;
    holder[r.pick(['extra', 'constructor', 'toString', 'hasOwnProperty', 'futureField'])] =
      r.pick(ODD_VALUES);
  },
  (w) => Object.defineProperty(w.data, '__proto__', { value: { chainId: 1 }, enumerable: true }),
];

/** Re-derive the id from the (mutated) data, so a mutation meets its own rule rather than the id check. */
function reseal(wire: Wire): void {
  try {
    const data = wire.data;
    wire.id = balanceProofAcceptedId({
      chainId: data.chainId as number,
      channelManager: data.channelManager as Hex,
      channelId: data.channelId as Hex,
      balance: BigInt(data.balance as string),
    });
  } catch {
    // Too broken to hash: the schema rejects it on its fields anyway.
  }
}

type Verdict = { ok: true; value: unknown } | { ok: false };

function bySchema(input: unknown): Verdict {
  try {
    const parsed = balanceProofAcceptedV1Schema.safeParse(input);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

function byHand(input: unknown): Verdict {
  const decoded = decodeBalanceProofAccepted(input);
  if (decoded.ok) return { ok: true, value: decoded.event };
  expect(decoded.issues.length).toBeGreaterThan(0);
  return { ok: false };
}

describe('decodeBalanceProofAccepted', () => {
  it('uses zod’s own datetime pattern', () => {
    expect(INSTANT.source).toBe(z.iso.datetime({ offset: false })._zod.def.pattern?.source);
  });

  it('agrees with the schema on random valid events, and returns the same value', () => {
    const r = rng(SEED);
    for (let i = 0; i < 300; i++) {
      const event = aRandomEvent(r);
      const wire = wireOf(event);
      const schema = bySchema(wire);
      expect(schema.ok, JSON.stringify(wire)).toBe(true);
      expect(byHand(wire)).toStrictEqual(schema);
      // And both give back what the producer built, addresses in their checksum form.
      const { sender, receiver, channelManager } = event.data;
      expect(schema.ok && schema.value).toStrictEqual({
        ...event,
        data: {
          ...event.data,
          sender: getAddress(sender),
          receiver: getAddress(receiver),
          channelManager: getAddress(channelManager),
          ...(event.data.signer === undefined ? {} : { signer: getAddress(event.data.signer) }),
        },
      });
    }
  });

  it('agrees with the schema on mutated events: same verdict, same value when accepted', () => {
    const r = rng(SEED + 1);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const wire = wireOf(aRandomEvent(r));
      const mutations = 1 + r.int(2);
      for (let m = 0; m < mutations; m++) {
        try {
          r.pick(MUTATIONS)(wire, r);
        } catch {
          // A second mutation may not fit what the first left (e.g. no data any more): the input stays as it is.
        }
      }
      if (r.int(2)) reseal(wire);
      // What a consumer really gets: bytes, through decodeEvent (bigints, NaN and undefined do not survive JSON).
      const json = JSON.stringify(wire, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
      const input: unknown = r.int(4) === 0 ? JSON.parse(json) : wire;
      const schema = bySchema(input);
      const shown = `case ${i}: ${JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
      expect(byHand(input), shown).toStrictEqual(schema);
      const viaCodec = decodeEvent(Buffer.from(json, 'utf8'));
      expect(viaCodec.ok ? { ok: true, value: viaCodec.event } : { ok: false }, shown).toStrictEqual(
        bySchema(JSON.parse(json)),
      );
      if (schema.ok) accepted++;
      else rejected++;
    }
    // The generator must exercise both sides, or agreement proves little.
    expect(accepted).toBeGreaterThan(400);
    expect(rejected).toBeGreaterThan(2000);
    // 4,000 cases take ~2 s on a quiet core; the default 5 s fails on a shared, loaded machine.
  }, 30_000);

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', []],
    ['a string', 'balance-proof.accepted'],
    ['an empty object', {}],
  ])('rejects %s at the root, as the schema does', (_, input) => {
    expect(bySchema(input).ok).toBe(false);
    expect(decodeBalanceProofAccepted(input).ok).toBe(false);
  });

  it('decodes the wire into bigints, checksummed addresses and the producer’s event', () => {
    const event = aBalanceProofAccepted({
      sender: TEST_SENDER.toLowerCase() as Hex,
      balance: (1n << 256n) - 1n,
      previousBalance: 5n,
    });
    const decoded = decodeBalanceProofAccepted(wireOf(event));
    expect(decoded).toStrictEqual({
      ok: true,
      event: { ...event, data: { ...event.data, sender: TEST_SENDER } },
    });
  });

  it('drops unknown keys, as the schema does', () => {
    const wire = wireOf(aBalanceProofAccepted());
    const decoded = decodeBalanceProofAccepted({
      ...wire,
      extra: 1,
      data: { ...wire.data, futureField: 'x' },
    });
    expect(decoded.ok && Object.keys(decoded.event)).toEqual([
      'id',
      'type',
      'version',
      'occurredAt',
      'source',
      'data',
    ]);
    expect(decoded.ok && 'futureField' in decoded.event.data).toBe(false);
  });

  it.each<[string, (w: Wire) => unknown, string]>([
    [
      'a lower-case sender',
      (w) => ({ ...w, data: { ...w.data, sender: TEST_SENDER.toLowerCase() } }),
      'data.sender',
    ],
    [
      'an amount above uint256',
      (w) => ({ ...w, data: { ...w.data, price: (1n << 256n).toString() } }),
      'data.price',
    ],
    [
      'an upper-case channel id',
      (w) => ({ ...w, data: { ...w.data, channelId: (w.data.channelId as string).toUpperCase() } }),
      'data.channelId',
    ],
    ['Feb 29 of a non-leap year', (w) => ({ ...w, occurredAt: '2023-02-29T00:00:00Z' }), 'occurredAt'],
    ['a tampered id', (w) => ({ ...w, id: `0x${'0'.repeat(64)}` }), 'id: id is not the deterministic id'],
    ['an increment off by one', (w) => ({ ...w, data: { ...w.data, increment: '101' } }), 'data.increment'],
    [
      'a charged balance above the balance',
      (w) => ({ ...w, data: { ...w.data, chargedBalance: '301' } }),
      'data.chargedBalance: chargedBalance must not exceed balance',
    ],
    [
      'a charge above the charged balance',
      (w) => ({ ...w, data: { ...w.data, charge: '51', chargedBalance: '50' } }),
      'data.charge: charge must not exceed chargedBalance',
    ],
    [
      'no charge (so the increment, 100) above the charged balance',
      (w) => ({ ...w, data: { ...w.data, chargedBalance: '99' } }),
      'data.charge: charge must not exceed chargedBalance',
    ],
    ['a charge as a JSON number', (w) => ({ ...w, data: { ...w.data, charge: 5 } }), 'data.charge'],
  ])('rejects %s and names the field', (_, spoil, expected) => {
    const input = spoil(wireOf(aBalanceProofAccepted()));
    expect(bySchema(input).ok).toBe(false);
    const decoded = decodeBalanceProofAccepted(input);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.issues.join('; ')).toContain(expected);
  });

  it('is what decodeEvent uses, with EVENT_SCHEMA_MISMATCH and the issues on failure', () => {
    const event = aBalanceProofAccepted();
    expect(decodeEvent(encodeBalanceProofAccepted(event))).toStrictEqual({
      ok: true,
      event: { ...event, data: { ...event.data } },
    });
    const wire = wireOf(event);
    const result = decodeEvent(
      Buffer.from(JSON.stringify({ ...wire, data: { ...wire.data, method: 'get' } })),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('EVENT_SCHEMA_MISMATCH');
    expect(result.error.message).toBe(
      'invalid balance-proof.accepted v1: data.method: expected an upper-case HTTP method',
    );
    expect(result.error.details).toMatchObject({ type: 'balance-proof.accepted', version: 1 });
  });
});
