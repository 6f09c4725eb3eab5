// The sender SDK of microraiden: open channels, sign balance proofs, pay for HTTP requests behind a 402
// gateway, close and settle. Framework-free; the `microraiden` CLI is built on it (src/cli).
// Everything of the browser entry (src/browser.ts), plus what needs Node: `Client` with key files and the state
// file store (an explicit export, so it wins over the browser entry's `SenderClient as Client`), and deployment files.
export * from './browser';
export { Client, type ClientOptions } from './client';
export * from './keys/load-sender-key';
export * from './state/file-state-store';
export * from './stream/node-stream-transport';
// How a sender learns the chain, contract and token; re-exported so the installed package needs nothing else.
export { DeploymentFileError, readDeploymentFile } from '@microraiden/contracts';
