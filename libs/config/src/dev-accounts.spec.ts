import { HDNodeWallet, Mnemonic, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { DEV_RECEIVER_PRIVATE_KEY, PUBLIC_DEV_ADDRESSES, publicDevAccountIndex } from './dev-accounts';

const mnemonic = Mnemonic.fromPhrase('test test test test test test test test test test test junk');

describe('PUBLIC_DEV_ADDRESSES', () => {
  it("are anvil's ten default accounts, in order", () => {
    const derived = Array.from(
      { length: 10 },
      (_, i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).address,
    );
    expect(PUBLIC_DEV_ADDRESSES).toEqual(derived);
  });

  it('are found in any case', () => {
    expect(publicDevAccountIndex('0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc')).toBe(2);
    expect(publicDevAccountIndex(Wallet.createRandom().address)).toBe(-1);
  });

  it("default the development receiver to account 2, the stack's receiver (not the demo sender, account 1)", () => {
    expect(publicDevAccountIndex(new Wallet(DEV_RECEIVER_PRIVATE_KEY).address)).toBe(2);
  });
});
