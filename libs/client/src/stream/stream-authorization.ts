import { z } from 'zod';

/** What the gateway asks for in `rdn-authorize` (docs/protocol.md, "Streamed prices"). */
export interface AuthorizeRequest {
  /** S: the signed balance the gateway holds. */
  readonly balance: bigint;
  /** C if everything delivered so far were charged. */
  readonly chargedBalance: bigint;
  /** Units delivered so far. */
  readonly delivered: number;
  /** The lowest balance that pays for one more step. */
  readonly needed: bigint;
}

/** The next top-up of a stream. */
export type TopUpStep =
  /** Sign `balance` (= needed), which signs `increment` more than the gateway holds. */
  | { readonly kind: 'sign'; readonly balance: bigint; readonly increment: bigint }
  /** Signing it would exceed the budget (or the request is malformed): send no more top-ups. */
  | { readonly kind: 'stop'; readonly reason: 'budget' | 'malformed' };

/**
 * Whether to answer an `rdn-authorize` within a budget: the budget bounds what this stream signs in total on top
 * of what the gateway held when it started (`spent`), whatever the gateway claims it holds now.
 */
export function decideTopUp(request: AuthorizeRequest, spent: bigint, budget: bigint): TopUpStep {
  const increment = request.needed - request.balance;
  if (increment <= 0n || request.chargedBalance > request.balance)
    return { kind: 'stop', reason: 'malformed' };
  if (spent + increment > budget) return { kind: 'stop', reason: 'budget' };
  return { kind: 'sign', balance: request.needed, increment };
}

// The two SSE events' JSON, validated once here; amounts are canonical base-10 strings (docs/protocol.md 2).
const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/)
  .transform((text) => BigInt(text));
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const authorizeRequestSchema = z.object({
  balance: amount,
  chargedBalance: amount,
  delivered: count,
  needed: amount,
});

const streamReceiptSchema = z.object({
  channelId: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .transform((id) => id.toLowerCase()),
  balance: amount,
  chargedBalance: amount,
  cost: amount,
  units: count,
});

function parseJsonAs<T>(schema: z.ZodType<T>, data: string): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Parses the JSON data of `rdn-authorize`; undefined when malformed. */
export function parseAuthorizeRequest(data: string): AuthorizeRequest | undefined {
  return parseJsonAs(authorizeRequestSchema, data);
}

/** The stream's end as the gateway reports it in `rdn-receipt`. */
export interface StreamReceipt {
  readonly channelId: string;
  /** S after the stream. */
  readonly balance: bigint;
  /** C after the stream's final charge. */
  readonly chargedBalance: bigint;
  /** What this stream was charged: units * unit price. */
  readonly cost: bigint;
  readonly units: number;
}

/** Parses the JSON data of `rdn-receipt`; undefined when malformed. */
export function parseStreamReceipt(data: string): StreamReceipt | undefined {
  return parseJsonAs(streamReceiptSchema, data);
}
