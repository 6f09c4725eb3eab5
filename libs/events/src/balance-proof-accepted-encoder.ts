import {
  balanceProofAcceptedMoneyIssue,
  knownBalanceProofAcceptedId,
  type BalanceProofAcceptedV1,
} from './balance-proof-events';
import { checksumOf, isEventAddress } from './event-address';
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

/** The wire form of a `balance-proof.accepted` v1 and every rule it breaks (`path: message`; none when valid). */
export interface BalanceProofAcceptedCheck {
  wire: Record<string, unknown>;
  issues: string[];
}

/** Field readers that write the wire form of a value and note an issue when it breaks its rule. */
function fieldReaders(issues: string[]) {
  const check = (ok: boolean, path: string, message: string): void => {
    if (!ok) issues.push(`${path}: ${message}`);
  };
  return {
    check,
    address(value: unknown, path: string): string {
      const ok = isEventAddress(value);
      check(ok, path, 'expected a 20-byte address');
      return ok ? (checksumOf(value) as string) : '';
    },
    amount(value: unknown, path: string): string {
      const ok = typeof value === 'bigint' && value >= 0n && value <= MAX_UINT256;
      check(ok, path, 'expected a uint256 bigint');
      return String(value);
    },
    matches(value: unknown, pattern: RegExp, path: string, message: string): string {
      check(typeof value === 'string' && pattern.test(value), path, message);
      return String(value);
    },
    instant(value: unknown, path: string): string {
      const ok = typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
      check(ok, path, 'expected an ISO 8601 UTC instant');
      return String(value);
    },
  };
}

type Readers = ReturnType<typeof fieldReaders>;

/** The wire object, in the schema's key order (the bytes must match the schema encoder's). */
function wireOf(event: BalanceProofAcceptedV1, read: Readers) {
  const { data } = event;
  const bytes32 = (value: unknown, path: string) =>
    read.matches(value, BYTES32, path, 'expected a 32-byte hex value').toLowerCase();
  return {
    id: bytes32(event.id, 'id'),
    type: event.type,
    version: event.version,
    occurredAt: read.instant(event.occurredAt, 'occurredAt'),
    source: read.matches(event.source, SOURCE, 'source', 'expected a lowercase service name'),
    data: {
      channelId: bytes32(data.channelId, 'data.channelId'),
      sender: read.address(data.sender, 'data.sender'),
      receiver: read.address(data.receiver, 'data.receiver'),
      channelManager: read.address(data.channelManager, 'data.channelManager'),
      chainId: data.chainId,
      balance: read.amount(data.balance, 'data.balance'),
      previousBalance: read.amount(data.previousBalance, 'data.previousBalance'),
      increment: read.amount(data.increment, 'data.increment'),
      price: read.amount(data.price, 'data.price'),
      signature: read
        .matches(data.signature, SIGNATURE, 'data.signature', 'expected a 65-byte signature')
        .toLowerCase(),
      route: data.route,
      method: read.matches(data.method, METHOD, 'data.method', 'expected an upper-case HTTP method'),
      gatewayId: data.gatewayId,
      acceptedAt: read.instant(data.acceptedAt, 'data.acceptedAt'),
      // Optional: absent (or undefined) writes no key, as the schema's encoder does.
      ...(data.charge === undefined ? {} : { charge: read.amount(data.charge, 'data.charge') }),
      ...(data.chargedBalance === undefined
        ? {}
        : { chargedBalance: read.amount(data.chargedBalance, 'data.chargedBalance') }),
      ...(data.signer === undefined ? {} : { signer: read.address(data.signer, 'data.signer') }),
    },
  };
}

/** The rules on fields the wire copies as they are. */
function checkVerbatimFields(event: BalanceProofAcceptedV1, check: Readers['check']): void {
  const { data } = event;
  const isV1 = event.type === 'balance-proof.accepted' && event.version === 1;
  check(isV1, 'type', 'expected balance-proof.accepted v1');
  check(
    Number.isSafeInteger(data.chainId) && data.chainId > 0,
    'data.chainId',
    'expected a positive safe integer',
  );
  const route = typeof data.route === 'string' && data.route.startsWith('/') && data.route.length <= 2048;
  check(route, 'data.route', 'expected a path of at most 2048 characters');
  const gatewayId =
    typeof data.gatewayId === 'string' && data.gatewayId.length >= 1 && data.gatewayId.length <= 128;
  check(gatewayId, 'data.gatewayId', 'expected 1 to 128 characters');
}

/** The money rules and the id, as the schema checks them: a producer bug must not reach the ledger's revenue. */
function moneyIssue(event: BalanceProofAcceptedV1, wireId: string): string | undefined {
  const issue = balanceProofAcceptedMoneyIssue(event.data);
  if (issue !== undefined) return `data.${issue.path}: ${issue.message}`;
  if (wireId !== knownBalanceProofAcceptedId(event.data))
    return 'id: id is not the deterministic id of this balance proof';
  return undefined;
}

/** Pure: the wire form of an event and the rules it breaks, the schema's verdict without the schema's cost. */
export function checkBalanceProofAccepted(event: BalanceProofAcceptedV1): BalanceProofAcceptedCheck {
  const issues: string[] = [];
  const read = fieldReaders(issues);
  const wire = wireOf(event, read);
  checkVerbatimFields(event, read.check);
  // The money rules compare bigints: only meaningful once every field has its type.
  const money = issues.length === 0 ? moneyIssue(event, wire.id) : undefined;
  if (money !== undefined) issues.push(money);
  return { wire, issues };
}

/** Wire bytes of a `balance-proof.accepted` v1, byte for byte what encodeEvent's schema writes; throws EVENT_INVALID. */
export function encodeBalanceProofAccepted(event: BalanceProofAcceptedV1): Buffer {
  const { wire, issues } = checkBalanceProofAccepted(event);
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
