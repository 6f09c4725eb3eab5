// The bench's anvil as a viem chain, defined here because importing `viem/chains` drags ox's TypeScript sources
// (browser WebAuthn types) into this repo's type check. Transports always get the real RPC URL explicitly.
import { defineChain } from 'viem';

/** anvil's default chain (id 31337); x402 names it `eip155:31337`. */
export const anvilChain = defineChain({
  id: 31337,
  name: 'anvil',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } },
});
