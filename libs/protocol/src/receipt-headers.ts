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
  /** What this request was charged: the accepted increment (a metered request: its charge), or 0 when nothing was. */
  readonly cost: bigint;
  /**
   * The channel's charged balance after the request (docs/protocol.md 7.2): what was charged in total, at most
   * senderBalance. Absent means equal to senderBalance, and an equal one is not sent.
   */
  readonly chargedBalance?: bigint;
}

const RECEIPT_HEADERS = [RDN_HEADERS.channelId, RDN_HEADERS.senderBalance, RDN_HEADERS.cost] as const;

/**
 * The receipt as RDN-* response headers (RDN-Charged-Balance only when it differs from RDN-Sender-Balance); throws
 * INVALID_ARGUMENT if cost exceeds the charged balance or the charged balance exceeds the sender balance.
 */
export function encodeReceipt(receipt: Receipt): EncodedHeaders {
  const senderBalance = formatAmount('senderBalance', receipt.senderBalance);
  const cost = formatAmount('cost', receipt.cost);
  const charged = receipt.chargedBalance ?? receipt.senderBalance;
  if (charged > receipt.senderBalance) invalidArgument('chargedBalance', 'exceeds senderBalance');
  if (receipt.cost > charged) invalidArgument('cost', 'exceeds the charged balance');
  const headers: Record<string, string> = {
    [RDN_HEADERS.channelId]: formatWith('channelId', receipt.channelId, parseChannelIdField),
    [RDN_HEADERS.senderBalance]: senderBalance,
    [RDN_HEADERS.cost]: cost,
  };
  if (charged !== receipt.senderBalance)
    headers[RDN_HEADERS.chargedBalance] = formatAmount('chargedBalance', charged);
  return headers;
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
  const charged = readOptionalField(headers, RDN_HEADERS.chargedBalance, parseAmountField, code);
  if (!charged.ok) return charged;
  const balance = senderBalance.value as bigint;
  if (charged.value !== undefined && charged.value > balance) {
    const reason = 'exceeds RDN-Sender-Balance';
    return fail(new ProtocolError(code, { header: RDN_HEADERS.chargedBalance, reason }));
  }
  if ((cost.value as bigint) > (charged.value ?? balance)) {
    const reason = charged.value === undefined ? 'exceeds RDN-Sender-Balance' : 'exceeds RDN-Charged-Balance';
    return fail(new ProtocolError(code, { header: RDN_HEADERS.cost, reason }));
  }
  return ok({
    channelId: channelId.value as Hex32,
    senderBalance: balance,
    cost: cost.value as bigint,
    // Absent and equal mean the same: the field exists only where the two balances differ.
    ...(charged.value === undefined || charged.value === balance ? {} : { chargedBalance: charged.value }),
  });
}
