import { HDNodeWallet, Mnemonic } from 'ethers';

/**
 * anvil's default mnemonic: every key derived from it is PUBLIC (printed by anvil, in countless docs).
 * Fine for a local dev chain, worthless anywhere else.
 */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

/** The stack's roles among anvil's default accounts. */
export const STACK_ACCOUNTS = { deployer: 0, demoSender: 1, receiver: 2 } as const;

/** The private key (0x + 64 hex) of anvil's default account `index`. Never log it. */
export function anvilPrivateKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}
