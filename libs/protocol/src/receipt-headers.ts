import type { EncodedHeaders, HeaderSource } from './header-bag';
import { formatAmount, formatWith, parseAmountField, parseChannelIdField } from './header-fields';
import { RDN_HEADERS } from './header-names';
import { readOptionalField } from './header-reader';
import type { Hex32 } from './hex';
import { invalidArgument, ProtocolError } from './protocol-error';
import { fail, ok, type Result } from './result';

/**
 * The gateway's account of a channel after a request: sent on paid replies (cost > 0), on replies whose
 * upstream failed (cost 0, balance unchanged), and on BALANCE_STALE / INCREMENT_BELOW_PRICE so the client
 * can re-sync before signing again.
 */
export interface Receipt {
  readonly channelId: Hex32;
  /** The last balance the receiver accepted on the channel (cumulative). */
  readonly senderBalance: bigint;
  /** What this request was charged: the accepted increment, or 0 when nothing was accepted. */
  readonly cost: bigint;
}

const RECEIPT_HEADERS = [RDN_HEADERS.channelId, RDN_HEADERS.senderBalance, RDN_HEADERS.cost] as const;

/** The receipt as RDN-* response headers; throws INVALID_ARGUMENT if cost exceeds the balance. */
export function encodeReceipt(receipt: Receipt): EncodedHeaders {
  const senderBalance = formatAmount('senderBalance', receipt.senderBalance);
  const cost = formatAmount('cost', receipt.cost);
  if (receipt.cost > receipt.senderBalance) invalidArgument('cost', 'exceeds senderBalance');
  return {
    [RDN_HEADERS.channelId]: formatWith('channelId', receipt.channelId, parseChannelIdField),
    [RDN_HEADERS.senderBalance]: senderBalance,
    [RDN_HEADERS.cost]: cost,
  };
}

/**
 * Reads a receipt from a gateway response: `undefined` when it carries none, RESPONSE_MALFORMED when
 * it carries part of one or a malformed one. Never throws.
 */
export function parseReceipt(headers: HeaderSource): Result<Receipt | undefined> {
  const code = 'RESPONSE_MALFORMED';
  const channelId = readOptionalField(headers, RDN_HEADERS.channelId, parseChannelIdField, code);
  if (!channelId.ok) return channelId;
  const senderBalance = readOptionalField(headers, RDN_HEADERS.senderBalance, parseAmountField, code);
  if (!senderBalance.ok) return senderBalance;
  const cost = readOptionalField(headers, RDN_HEADERS.cost, parseAmountField, code);
  if (!cost.ok) return cost;
  const values = [channelId.value, senderBalance.value, cost.value];
  if (values.every((v) => v === undefined)) return ok(undefined);
  const missing = values.findIndex((v) => v === undefined);
  if (missing >= 0) {
    return fail(new ProtocolError(code, { header: RECEIPT_HEADERS[missing] as string, reason: 'missing' }));
  }
  if ((cost.value as bigint) > (senderBalance.value as bigint)) {
    return fail(new ProtocolError(code, { header: RDN_HEADERS.cost, reason: 'exceeds RDN-Sender-Balance' }));
  }
  return ok({
    channelId: channelId.value as Hex32,
    senderBalance: senderBalance.value as bigint,
    cost: cost.value as bigint,
  });
}
