// Serving microraiden channels through x402's own server middleware (@x402/express, any x402ResourceServer).
export { MicroraidenX402, type MicroraidenX402Options } from './microraiden-x402';
export { channelPrice, channelRequirements, networkOf, X402ConfigurationError } from './x402-requirements';
