// The sender SDK of microraiden: open channels, sign balance proofs, pay for HTTP requests behind a 402
// gateway, close and settle. Framework-free; the `microraiden` CLI is built on it (src/cli).
export * from './channel';
export {
  ChannelOperations,
  type OperationSettings,
  type SignedBalanceProof,
  type TransactionOptions,
} from './channel-operations';
export * from './client';
export * from './sender-client';
export * from './client-error';
export * from './close-outcome';
export * from './close-request-client';
export * from './funding-plan';
export * from './chain/channel-event';
export * from './chain/transaction-progress';
export { type OnChainChannel } from './chain/sender-chain';
export * from './keys/load-sender-key';
export * from './keys/sender-key';
export * from './keys/sender-signer';
export * from './keys/eip1193-signer';
export * from './keys/ethers-signer';
export * from './keys/viem-signer';
export * from './payment/next-payment-balance';
export * from './payment/paid-fetch';
export * from './payment/wrap-fetch';
export * from './payment/payment-wallet';
export * from './payment/replayable-body';
export * from './state/channel-record';
export * from './state/channel-state-store';
export * from './state/file-state-store';
export * from './state/local-storage-state-store';
export * from './state/memory-state-store';
export * from './state/sender-state-file';
export * from './format-duration';
// How a sender learns the chain, contract and token; re-exported so the installed package needs nothing else.
export {
  DeploymentFileError,
  parseDeployment,
  readDeploymentFile,
  type Deployment,
} from '@microraiden/contracts';
