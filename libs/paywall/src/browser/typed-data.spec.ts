import { hashBalanceProof, channelDomain, type Hex32 } from '@microraiden/protocol';
import { TypedDataEncoder, Wallet, verifyTypedData } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  balanceProofTypedData,
  domainSeparator,
  permitTypedData,
  splitSignature,
  type PageChallenge,
} from './typed-data';

const challenge: PageChallenge = {
  price: 1_000n,
  chainId: 31337n,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  channelManager: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  gatewayPath: '/api/1',
};
const channelId = '0xa011aa0cd38ce04ee3477b0e1794239b24f47394eb55015d51eb15309e28488f' as Hex32;
const wallet = new Wallet('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');

function signable(json: string) {
  const typed = JSON.parse(json) as {
    types: Record<string, unknown>;
    domain: Record<string, unknown>;
    message: Record<string, unknown>;
  };
  const { EIP712Domain: _domain, ...types } = typed.types;
  return {
    domain: typed.domain,
    types: types as Record<string, Array<{ name: string; type: string }>>,
    message: typed.message,
  };
}

describe('the typed data the page asks a wallet to sign', () => {
  it('is the protocol BalanceProof: the same digest as @microraiden/protocol', () => {
    const { domain, types, message } = signable(balanceProofTypedData(challenge, channelId, 5_000n));
    const digest = TypedDataEncoder.hash(domain, types, message);
    const expected = hashBalanceProof(channelDomain(31337n, challenge.channelManager), {
      channelId,
      receiver: challenge.receiver,
      balance: 5_000n,
    });
    expect(digest).toBe(expected);
  });

  it('is an EIP-2612 Permit whose domain separator is the standard one', async () => {
    const domain = { name: 'MicroToken', version: '1', chainId: 31337n, verifyingContract: challenge.token };
    expect(domainSeparator(domain)).toBe(TypedDataEncoder.hashDomain(domain));
    const json = permitTypedData(domain, {
      owner: wallet.address as `0x${string}`,
      spender: challenge.channelManager,
      value: 10n,
      nonce: 0n,
      deadline: 1_800_000_000n,
    });
    const { domain: d, types, message } = signable(json);
    const signature = await wallet.signTypedData(d, types, message);
    expect(verifyTypedData(d, types, message, signature)).toBe(wallet.address);
    const { v, r, s } = splitSignature(signature);
    expect(`0x${r}${s}${v.toString(16)}`).toBe(signature);
  });

  it('normalises v 0/1 to 27/28 and refuses malformed signatures', () => {
    expect(splitSignature(`0x${'11'.repeat(64)}01`).v).toBe(28n);
    expect(() => splitSignature('0x1234')).toThrow('malformed signature');
  });
});
