// The wire protocol of microraiden: EIP-712 proofs, signatures, the RDN-* header codec, error codes and
// bodies, the payment decision, the close request and the x402 v2 rendering. Framework-free.
export * from './address';
export * from './balance-proof';
export * from './challenge-headers';
export * from './channel-id';
export * from './close-request';
export * from './closing-proof';
export {
  channelDomain,
  typedDataDomain,
  EIP712_DOMAIN_NAME,
  EIP712_DOMAIN_TYPE,
  EIP712_DOMAIN_TYPEHASH,
  EIP712_DOMAIN_VERSION,
  type ChannelDomain,
} from './eip712-domain';
export * from './error-body';
export * from './error-headers';
export * from './header-bag';
export {
  MAX_GATEWAY_PATH_LENGTH,
  parseAddressField,
  parseAmountField,
  parseChainIdField,
  parseChannelIdField,
  parseGatewayPathField,
  parsePriceField,
  parsePriceModeField,
  parseSignatureField,
  parseUnitBytesField,
  MAX_UNIT_BYTES,
  type PriceMode,
} from './header-fields';
export * from './header-names';
export { bytesToHex, hexToBytes, type Address, type Hex, type Hex32 } from './hex';
export { keccak256 } from './keccak256';
export * from './payment-headers';
export * from './protocol-error';
export * from './receipt-headers';
export * from './charging-policy';
export * from './recover-signer';
export * from './result';
export * from './secp256k1-backend';
export * from './sign-proof';
export * from './signature';
export * from './token-units';
export * from './typed-data-domain-hash';
export * from './typed-data-payload';
export * from './typed-data-primary-type';
export { CHAIN_ID_MAX, parseDecimal, UINT256_MAX } from './uint256';
export * from './verify-payment';
export * from './x402';
