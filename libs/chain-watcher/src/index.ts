// The chain-watcher's logic, framework-free: following channel manager logs through reorgs, keeping the
// receiver's proofs, deciding and sending disputes.
export * from './accepted-proof';
export * from './block-ref';
export * from './chain-follower';
export * from './chain-watcher-error';
export * from './channel-log-decoder';
export * from './clock';
export * from './common-ancestor';
export * from './dispute-decision';
export * from './dispute-ports';
export * from './disputer';
export * from './ethers-chain';
export * from './fee-policy';
export * from './gas-funds';
export * from './gas-funds-gate';
export * from './follower-ports';
export * from './postgres-watcher-store';
export * from './transaction-sender';
export * from './watcher-log';
export * from './watcher-schema';
export * from './withdraw-decision';
export * from './withdrawer';
