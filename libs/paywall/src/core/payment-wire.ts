import {
  parsePayment,
  parseX402Payment,
  ProtocolError,
  X402_PAYMENT_SIGNATURE_HEADER,
  type HeaderSource,
  type Payment,
  type Result,
} from '@microraiden/protocol';

/** Which header set carried a payment: the answer speaks the same one (docs/protocol.md 5.2 or 11.3). */
export type PaymentWire = 'rdn' | 'x402';

/** A request's payment and the wire it came on; PAYMENT_REQUIRED when it carries none. */
export interface ReadPayment {
  readonly wire: PaymentWire;
  readonly payment: Result<Payment>;
}

/**
 * Reads the payment from either wire, translated at the edge into one `Payment`, so everything after this point
 * (verification, acceptance, charging) is the same for both. Both at once is refused: which one the client meant is
 * unknowable. Never throws.
 */
export function readPayment(headers: HeaderSource): ReadPayment {
  const x402 = parseX402Payment(headers);
  const rdn = parsePayment(headers);
  if (!x402.ok) return { wire: 'x402', payment: x402 };
  if (x402.value === undefined) return { wire: 'rdn', payment: rdn };
  if (!rdn.ok && rdn.error.code === 'PAYMENT_REQUIRED')
    return { wire: 'x402', payment: { ok: true, value: x402.value } };
  const error = new ProtocolError('PAYMENT_MALFORMED', {
    header: X402_PAYMENT_SIGNATURE_HEADER,
    reason: 'sent together with RDN-* payment headers',
  });
  return { wire: 'x402', payment: { ok: false, error } };
}
