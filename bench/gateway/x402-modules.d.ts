// The x402 packages publish their entry points only through package.json "exports", which this repo's
// `moduleResolution: node` does not read; these ambient modules point the type checker at the same files Node
// loads at run time, for the bench's x402 contender only.
declare module '@x402/core/client' {
  export * from '@x402/core/dist/cjs/client/index';
}
declare module '@x402/core/facilitator' {
  export * from '@x402/core/dist/cjs/facilitator/index';
}
declare module '@x402/core/server' {
  export * from '@x402/core/dist/cjs/server/index';
}
declare module '@x402/core/types' {
  export * from '@x402/core/dist/cjs/types/index';
}
declare module '@x402/evm/exact/server' {
  export * from '@x402/evm/dist/cjs/exact/server/index';
}
declare module '@x402/evm/exact/facilitator' {
  export * from '@x402/evm/dist/cjs/exact/facilitator/index';
}
declare module '@x402/express' {
  export * from '@x402/express/dist/cjs/index';
}
