import {
  BALANCE_PROOF_ACCEPTED,
  balanceProofAcceptedId,
  balanceProofAcceptedMoneyIssue,
  type BalanceProofAcceptedData,
  type BalanceProofAcceptedV1,
} from './balance-proof-events';
import { isChecksummedAddress } from './event-address';
import type { Address, Hex } from './wire-fields';

// The ledger decodes one of these per paid request, and the generic zod schema was its main CPU cost. This decoder
// applies the schema's rules by hand (a property test holds its verdicts and values to the schema's): the wire is
// what encodeEvent writes (checksummed addresses, lowercase hex, amounts as canonical base-10 strings) and unknown
// keys are dropped, as the schema's tolerant reader does.

/** Outcome of {@link decodeBalanceProofAccepted}: the typed event, or one `path: message` line per issue. */
export type BalanceProofAcceptedDecodeResult =
  { ok: true; event: BalanceProofAcceptedV1 } | { ok: false; issues: string[] };

const MAX_UINT256 = (1n << 256n) - 1n;
// uint256 max has 78 digits; the range check after the regex catches the 78-digit values above it.
const AMOUNT = /^(0|[1-9]\d{0,77})$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;
const SIGNATURE = /^0x[0-9a-f]{130}$/;
const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const METHOD = /^[A-Z]{1,16}$/;
/** zod's `z.iso.datetime({ offset: false })`: a real calendar date (leap years included), seconds required, `Z`. */
export const INSTANT =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

type Issues = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matching(value: unknown, pattern: RegExp, issues: Issues, path: string, message: string): string {
  if (typeof value === 'string' && pattern.test(value)) return value;
  issues.push(`${path}: ${message}`);
  return '';
}

function amount(value: unknown, issues: Issues, path: string): bigint {
  if (typeof value === 'string' && AMOUNT.test(value)) {
    const parsed = BigInt(value);
    if (parsed <= MAX_UINT256) return parsed;
    issues.push(`${path}: exceeds uint256`);
    return 0n;
  }
  issues.push(`${path}: expected a non-negative base-10 integer string without leading zeros`);
  return 0n;
}

function address(value: unknown, issues: Issues, path: string): Address {
  // The wire carries the EIP-55 form only: lower case or a wrong checksum means a producer bypassed encodeEvent.
  // isChecksummedAddress remembers the checksums it computed: a ledger sees the same few addresses again and again.
  if (isChecksummedAddress(value)) return value;
  issues.push(`${path}: expected an EIP-55 checksummed address`);
  return '0x';
}

function text(value: unknown, issues: Issues, path: string, max: number, message: string): string {
  if (typeof value === 'string' && value.length >= 1 && value.length <= max) return value;
  issues.push(`${path}: ${message}`);
  return '';
}

/** An optional amount as the schema reads it: no key, no field; a key holding undefined stays (zod keeps it). */
function optionalAmount<K extends 'charge' | 'chargedBalance'>(
  value: Record<string, unknown>,
  key: K,
  issues: Issues,
): { [P in K]?: bigint } {
  if (value[key] !== undefined)
    return { [key]: amount(value[key], issues, `data.${key}`) } as { [P in K]: bigint };
  return key in value ? ({ [key]: undefined } as { [P in K]?: bigint }) : {};
}

/** The optional signer as the schema reads it, like {@link optionalAmount}. */
function optionalSigner(value: Record<string, unknown>, issues: Issues): { signer?: Address } {
  if (value.signer !== undefined) return { signer: address(value.signer, issues, 'data.signer') };
  return 'signer' in value ? { signer: undefined } : {};
}

function decodeData(value: unknown, issues: Issues): BalanceProofAcceptedData | undefined {
  if (!isRecord(value)) {
    issues.push('data: expected an object');
    return undefined;
  }
  const before = issues.length;
  const chainId = value.chainId;
  if (!(typeof chainId === 'number' && Number.isSafeInteger(chainId) && chainId > 0))
    issues.push('data.chainId: expected a positive safe integer');
  let route = text(value.route, issues, 'data.route', 2048, 'expected a path of 1 to 2048 characters');
  if (route !== '' && !route.startsWith('/')) {
    issues.push('data.route: expected a path starting with "/"');
    route = '';
  }
  // Keys in the schema's order, so the value is the schema's to the last detail.
  const data: BalanceProofAcceptedData = {
    channelId: matching(
      value.channelId,
      BYTES32,
      issues,
      'data.channelId',
      'expected a 32-byte hex value: 0x + 64 lowercase hex digits',
    ) as Hex,
    sender: address(value.sender, issues, 'data.sender'),
    receiver: address(value.receiver, issues, 'data.receiver'),
    channelManager: address(value.channelManager, issues, 'data.channelManager'),
    chainId: chainId as number,
    balance: amount(value.balance, issues, 'data.balance'),
    previousBalance: amount(value.previousBalance, issues, 'data.previousBalance'),
    increment: amount(value.increment, issues, 'data.increment'),
    price: amount(value.price, issues, 'data.price'),
    signature: matching(
      value.signature,
      SIGNATURE,
      issues,
      'data.signature',
      'expected a 65-byte signature: 0x + 130 lowercase hex digits',
    ) as Hex,
    route,
    method: matching(value.method, METHOD, issues, 'data.method', 'expected an upper-case HTTP method'),
    gatewayId: text(value.gatewayId, issues, 'data.gatewayId', 128, 'expected 1 to 128 characters'),
    acceptedAt: matching(
      value.acceptedAt,
      INSTANT,
      issues,
      'data.acceptedAt',
      'expected an ISO 8601 UTC instant',
    ),
    ...optionalAmount(value, 'charge', issues),
    ...optionalAmount(value, 'chargedBalance', issues),
    ...optionalSigner(value, issues),
  };
  if (issues.length !== before) return undefined;
  // The schema's money rules, checked like it once every data field is valid: a producer bug must not reach revenue.
  const issue = balanceProofAcceptedMoneyIssue(data);
  if (issue !== undefined) {
    issues.push(`data.${issue.path}: ${issue.message}`);
    return undefined;
  }
  return data;
}

/**
 * Decode an already JSON-parsed `balance-proof.accepted` v1 with exactly balanceProofAcceptedV1Schema's verdict and
 * value, without zod.
 */
export function decodeBalanceProofAccepted(json: unknown): BalanceProofAcceptedDecodeResult {
  if (!isRecord(json)) return { ok: false, issues: ['(root): expected an object'] };
  const issues: Issues = [];
  const id = matching(
    json.id,
    BYTES32,
    issues,
    'id',
    'expected a 32-byte hex value: 0x + 64 lowercase hex digits',
  );
  if (json.type !== BALANCE_PROOF_ACCEPTED) issues.push(`type: expected "${BALANCE_PROOF_ACCEPTED}"`);
  if (json.version !== 1) issues.push('version: expected 1');
  const occurredAt = matching(
    json.occurredAt,
    INSTANT,
    issues,
    'occurredAt',
    'expected an ISO 8601 UTC instant',
  );
  const source = matching(
    json.source,
    SOURCE,
    issues,
    'source',
    'expected a lowercase service name of at most 64 characters',
  );
  const data = decodeData(json.data, issues);
  if (data === undefined || issues.length > 0) return { ok: false, issues };
  // The id is the hash of the content, so a consumer's dedup by id cannot be fooled by a copied id.
  if (id !== balanceProofAcceptedId(data))
    return { ok: false, issues: ['id: id is not the deterministic id of this balance proof'] };
  return {
    ok: true,
    event: { id: id as Hex, type: BALANCE_PROOF_ACCEPTED, version: 1, occurredAt, source, data },
  };
}
