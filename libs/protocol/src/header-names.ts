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
  // payment: client -> gateway (receiver, contract and chain id may be echoed, see payment-headers.ts)
  sender: 'RDN-Sender-Address',
  channelId: 'RDN-Channel-Id',
  balance: 'RDN-Balance',
  balanceSignature: 'RDN-Balance-Signature',
  // receipt: gateway -> client
  senderBalance: 'RDN-Sender-Balance',
  cost: 'RDN-Cost',
  // error: gateway -> client
  error: 'RDN-Error',
} as const;

/** One of the canonical RDN-* header names. */
export type RdnHeaderName = (typeof RDN_HEADERS)[keyof typeof RDN_HEADERS];
