import { z } from 'zod';
import { decodeBalanceProofAccepted } from './balance-proof-accepted-decoder';
import { encodeBalanceProofAccepted } from './balance-proof-accepted-encoder';
import { BALANCE_PROOF_ACCEPTED } from './balance-proof-events';
import { EventDecodeError, EventEncodeError, describeIssues } from './event-errors';
import { isKnownEventType, schemaFor, type MicroraidenEvent } from './microraiden-event';

/** Outcome of {@link decodeEvent}: consumers dead-letter the `error` case instead of throwing. */
export type DecodeResult = { ok: true; event: MicroraidenEvent } | { ok: false; error: EventDecodeError };

const envelopeHead = z.object({ type: z.string(), version: z.number().int() });

/** Serialise an event to its wire form (UTF-8 JSON, amounts as base-10 strings); throws EventEncodeError if invalid. */
export function encodeEvent(event: MicroraidenEvent): Buffer {
  // The gateway's per-request event has a hand-written encoder with the same rules and bytes.
  if (event.type === BALANCE_PROOF_ACCEPTED && event.version === 1) return encodeBalanceProofAccepted(event);
  const schema = schemaFor(event.type, event.version);
  if (!schema)
    throw new EventEncodeError('EVENT_INVALID', `unknown event ${event.type} v${event.version}`, {
      type: event.type,
      version: event.version,
    });
  let wire: ReturnType<typeof z.safeEncode<typeof schema>>;
  try {
    wire = z.safeEncode(schema, event);
  } catch (err) {
    throw new EventEncodeError(
      'EVENT_INVALID',
      `invalid ${event.type} v${event.version}`,
      {},
      { cause: err },
    );
  }
  if (!wire.success)
    throw new EventEncodeError(
      'EVENT_INVALID',
      `invalid ${event.type} v${event.version}: ${describeIssues(wire.error)}`,
      {
        type: event.type,
        version: event.version,
        eventId: typeof event.id === 'string' ? event.id : null,
      },
    );
  return Buffer.from(JSON.stringify(wire.data), 'utf8');
}

/** Parse and validate wire bytes into a typed event, or say precisely why not. Never throws. */
export function decodeEvent(bytes: Uint8Array): DecodeResult {
  let json: unknown;
  try {
    // A view over the same memory, not Buffer.from(bytes)'s copy: consumers decode every message they fetch.
    const text = Buffer.isBuffer(bytes)
      ? bytes.toString('utf8')
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    json = JSON.parse(text);
  } catch {
    return failure('EVENT_MALFORMED', 'payload is not JSON', { bytes: bytes.length });
  }
  // The ledger's per-request event has a hand-written decoder with the schema's verdicts and values. Checked before
  // the envelope head, which such an event always satisfies, so its hot path runs no zod at all.
  if (isBalanceProofAcceptedV1(json)) {
    const decoded = decodeBalanceProofAccepted(json);
    if (decoded.ok) return decoded;
    const issues = decoded.issues.join('; ');
    return failure('EVENT_SCHEMA_MISMATCH', `invalid ${BALANCE_PROOF_ACCEPTED} v1: ${issues}`, {
      type: BALANCE_PROOF_ACCEPTED,
      version: 1,
      issues,
    });
  }
  const head = envelopeHead.safeParse(json);
  if (!head.success)
    return failure('EVENT_MALFORMED', 'payload is not an event envelope (type and version missing)', {
      issues: describeIssues(head.error),
    });
  const { type, version } = head.data;
  const schema = schemaFor(type, version);
  if (!schema) {
    return isKnownEventType(type)
      ? failure('EVENT_UNKNOWN_VERSION', `unknown version ${version} of ${type}`, { type, version })
      : failure('EVENT_UNKNOWN_TYPE', `unknown event type ${truncate(type)}`, {
          type: truncate(type),
          version,
        });
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(json);
  } catch (err) {
    // Schemas are meant to report, not throw; if one ever does, the message is still just bad input.
    return failure('EVENT_SCHEMA_MISMATCH', `invalid ${type} v${version}: ${(err as Error).message}`, {
      type,
      version,
    });
  }
  if (!parsed.success)
    return failure('EVENT_SCHEMA_MISMATCH', `invalid ${type} v${version}: ${describeIssues(parsed.error)}`, {
      type,
      version,
      issues: describeIssues(parsed.error),
    });
  return { ok: true, event: parsed.data };
}

function isBalanceProofAcceptedV1(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    (json as { type?: unknown }).type === BALANCE_PROOF_ACCEPTED &&
    (json as { version?: unknown }).version === 1
  );
}

/** An attacker-controlled type string must not bloat logs and headers. */
function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

function failure(
  code: EventDecodeError['code'],
  message: string,
  details: Record<string, string | number>,
): DecodeResult {
  return { ok: false, error: new EventDecodeError(code, message, details) };
}
