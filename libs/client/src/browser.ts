// The sender SDK for browsers and other runtimes without Node built-ins (`@microraiden/client/browser`):
// everything of the Node entry except what needs a file system — key files (`loadSenderKey`), the state
// file store and `readDeploymentFile` — and the CLI. `Client` here is `SenderClient`: sign with a wallet
// (`eip1193Signer`, `viemSigner`, `ethersSigner`) or `{ privateKey }`; channels are kept in localStorage.
export * from './channel';
export {
  ChannelOperations,
  type OpenChannelOptions,
  type OperationSettings,
  type SignedBalanceProof,
  type TransactionOptions,
} from './channel-operations';
export { SenderClient, SenderClient as Client, type SenderClientOptions } from './sender-client';
export * from './client-error';
export * from './close-outcome';
export * from './close-request-client';
export * from './funding-plan';
export * from './chain/channel-event';
export * from './chain/eip1193-chain';
export * from './chain/transaction-progress';
export { type OnChainChannel } from './chain/sender-chain';
export * from './keys/sender-key';
export * from './keys/sender-signer';
export * from './keys/session-key';
export * from './keys/eip1193-signer';
export { balanceProofRequest, checkedBalanceProofSignature } from './keys/typed-data-request';
export * from './keys/ethers-signer';
export * from './keys/viem-signer';
export * from './payment/next-payment-balance';
export * from './payment/paid-fetch';
export * from './payment/wrap-fetch';
export * from './payment/payment-wallet';
export * from './payment/replayable-body';
export * from './stream/byte-top-up';
export * from './stream/paid-byte-stream';
export * from './stream/paid-stream';
export * from './stream/sse-messages';
export * from './stream/stream-authorization';
export * from './stream/stream-transport';
export * from './state/channel-record';
export * from './state/channel-state-store';
export * from './state/local-storage-state-store';
export * from './state/memory-state-store';
export * from './state/sender-state-file';
export * from './format-duration';
export { parseDeployment, type Deployment } from '@microraiden/contracts';
// The wire pieces a page that pays by hand needs (the browser paywall does): the RDN-* payment headers, the
// receipt, the channel manager's EIP-712 domain and token amounts in the token's units.
export {
  channelDomain,
  encodePayment,
  formatTokenAmount,
  formatTokenAmountWithBase,
  formatUnits,
  parseReceipt,
  parseUnits,
  type Address,
  type ChannelDomain,
  type Hex,
  type Hex32,
  type Payment,
  type Receipt,
  type TokenUnits,
} from '@microraiden/protocol';
