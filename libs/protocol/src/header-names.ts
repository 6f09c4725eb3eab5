/**
 * Canonical spellings of the protocol's HTTP headers. Matching is case-insensitive on input; these
 * spellings are what encoders emit.
 */
export const RDN_HEADERS = {
  // challenge: gateway -> client, on 402 and on every paid reply
  gatewayPath: 'RDN-Gateway-Path',
  receiver: 'RDN-Receiver-Address',
  contract: 'RDN-Contract-Address',
  token: 'RDN-Token-Address',
  price: 'RDN-Price',
  chainId: 'RDN-Chain-Id',
  /** `metered` or `stream` on such routes (docs/protocol.md 7.2); absent means `fixed`. */
  priceMode: 'RDN-Price-Mode',
  /** A streamed route's price per unit; RDN-Price is then one step. */
  unitPrice: 'RDN-Unit-Price',
  /** A byte-metered streamed route's unit: this many bytes of the body (docs/protocol.md 7.3). */
  unitBytes: 'RDN-Unit-Bytes',
  // payment: client -> gateway (receiver, contract and chain id may be echoed, see payment-headers.ts)
  sender: 'RDN-Sender-Address',
  channelId: 'RDN-Channel-Id',
  balance: 'RDN-Balance',
  balanceSignature: 'RDN-Balance-Signature',
  // receipt: gateway -> client
  senderBalance: 'RDN-Sender-Balance',
  cost: 'RDN-Cost',
  /** The channel's charged balance after the request, sent only when it differs from RDN-Sender-Balance. */
  chargedBalance: 'RDN-Charged-Balance',
  // metering: the upstream (or the embedded handler) to the gateway, never forwarded to the client
  charge: 'RDN-Charge',
  // error: gateway -> client
  error: 'RDN-Error',
  // trailers of a byte-metered stream (docs/protocol.md 7.3): its receipt, and why it ended early
  streamReceipt: 'RDN-Receipt',
  errorMessage: 'RDN-Error-Message',
} as const;

/** One of the canonical RDN-* header names. */
export type RdnHeaderName = (typeof RDN_HEADERS)[keyof typeof RDN_HEADERS];
