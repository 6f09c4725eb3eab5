import { getAddress, isAddress } from 'viem';
import { knownBalanceProofAcceptedId, type BalanceProofAcceptedV1 } from './balance-proof-events';
import { EventEncodeError } from './event-errors';

// The gateway encodes one of these per paid request, inside the acceptance transaction. The generic zod codec
// spends ~20x a signature verification on it, so this encoder checks the same rules by hand and writes the same
// bytes (a property test holds it to the schema's encoder); consumers still decode with the schema.

const MAX_UINT256 = (1n << 256n) - 1n;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const METHOD = /^[A-Z]{1,16}$/;

/** Wire bytes of a `balance-proof.accepted` v1, byte for byte what encodeEvent's schema writes; throws EVENT_INVALID. */
export function encodeBalanceProofAccepted(event: BalanceProofAcceptedV1): Buffer {
  const issues: string[] = [];
  const check = (ok: boolean, path: string, message: string): void => {
    if (!ok) issues.push(`${path}: ${message}`);
  };
  const { data } = event;
  const address = (value: unknown, path: string): string => {
    const ok = typeof value === 'string' && isAddress(value);
    check(ok, path, 'expected a 20-byte address');
    return ok ? getAddress(value) : '';
  };
  const amount = (value: unknown, path: string): string => {
    check(
      typeof value === 'bigint' && value >= 0n && value <= MAX_UINT256,
      path,
      'expected a uint256 bigint',
    );
    return String(value);
  };
  const matches = (value: unknown, pattern: RegExp, path: string, message: string): string => {
    check(typeof value === 'string' && pattern.test(value), path, message);
    return String(value);
  };
  const instant = (value: unknown, path: string): string => {
    check(
      typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value)),
      path,
      'expected an ISO 8601 UTC instant',
    );
    return String(value);
  };

  const wire = {
    id: matches(event.id, BYTES32, 'id', 'expected a 32-byte hex value').toLowerCase(),
    type: event.type,
    version: event.version,
    occurredAt: instant(event.occurredAt, 'occurredAt'),
    source: matches(event.source, SOURCE, 'source', 'expected a lowercase service name'),
    data: {
      channelId: matches(
        data.channelId,
        BYTES32,
        'data.channelId',
        'expected a 32-byte hex value',
      ).toLowerCase(),
      sender: address(data.sender, 'data.sender'),
      receiver: address(data.receiver, 'data.receiver'),
      channelManager: address(data.channelManager, 'data.channelManager'),
      chainId: data.chainId,
      balance: amount(data.balance, 'data.balance'),
      previousBalance: amount(data.previousBalance, 'data.previousBalance'),
      increment: amount(data.increment, 'data.increment'),
      price: amount(data.price, 'data.price'),
      signature: matches(
        data.signature,
        SIGNATURE,
        'data.signature',
        'expected a 65-byte signature',
      ).toLowerCase(),
      route: data.route,
      method: matches(data.method, METHOD, 'data.method', 'expected an upper-case HTTP method'),
      gatewayId: data.gatewayId,
      acceptedAt: instant(data.acceptedAt, 'data.acceptedAt'),
    },
  };
  check(
    event.type === 'balance-proof.accepted' && event.version === 1,
    'type',
    'expected balance-proof.accepted v1',
  );
  check(
    Number.isSafeInteger(data.chainId) && data.chainId > 0,
    'data.chainId',
    'expected a positive safe integer',
  );
  check(
    typeof data.route === 'string' && data.route.startsWith('/') && data.route.length <= 2048,
    'data.route',
    'expected a path of at most 2048 characters',
  );
  check(
    typeof data.gatewayId === 'string' && data.gatewayId.length >= 1 && data.gatewayId.length <= 128,
    'data.gatewayId',
    'expected 1 to 128 characters',
  );
  if (issues.length === 0) {
    // The money rules and the id, as the schema checks them: a producer bug must not reach the ledger's revenue.
    if (data.balance <= data.previousBalance)
      issues.push('data.balance: balance must exceed previousBalance');
    else if (data.increment !== data.balance - data.previousBalance)
      issues.push('data.increment: increment must equal balance - previousBalance');
    else if (wire.id !== knownBalanceProofAcceptedId(data))
      issues.push('id: id is not the deterministic id of this balance proof');
  }
  if (issues.length > 0)
    throw new EventEncodeError(
      'EVENT_INVALID',
      `invalid ${event.type} v${event.version}: ${issues.join('; ')}`,
      {
        type: String(event.type),
        version: Number(event.version),
        eventId: typeof event.id === 'string' ? event.id : null,
      },
    );
  return Buffer.from(JSON.stringify(wire), 'utf8');
}
