import { runInNewContext } from 'node:vm';
import { microTokenAbi, microTransferChannelsAbi } from '@microraiden/contracts';
import {
  BALANCE_PROOF_TYPES,
  channelDomain,
  hashBalanceProof,
  parsePayment,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  type Hex32,
} from '@microraiden/protocol';
import { AbiCoder, Interface, TypedDataEncoder, Wallet, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { PAYWALL_CLIENT_SCRIPT } from './paywall-client-script';

interface Challenge {
  price: bigint;
  chainId: bigint;
  token: string;
  receiver: string;
  channelManager: string;
  gatewayPath: string;
}

interface PaywallClient {
  SELECTORS: Record<string, string>;
  CHANNEL_CREATED_TOPIC: string;
  encodeApprove(spender: string, amount: bigint): string;
  encodeCreateChannel(receiver: string, deposit: bigint): string;
  encodeGetChannel(channelId: string): string;
  encodeBalanceOf(owner: string): string;
  decodeWords(data: string): bigint[];
  decodeChannel(data: string): { sender: string; receiver: string; deposit: bigint; settleAt: bigint };
  parseAmount(text: string): bigint;
  balanceProofTypedData(challenge: Challenge, channelId: string, balance: bigint): string;
  paymentHeaders(
    challenge: Challenge,
    sender: string,
    channelId: string,
    balance: bigint,
    signature: string,
  ): Record<string, string>;
  readReceipt(headers: Headers): { channelId: string; balance: bigint; cost: bigint } | undefined;
  storageKey(challenge: Challenge, sender: string): string;
}

// The exact text the page ships, evaluated without a DOM: the helpers are defined, start() is not called.
const client = runInNewContext(`${PAYWALL_CLIENT_SCRIPT}\nMicroraidenPaywall`, {}) as PaywallClient;

const senderKey = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(senderKey);
const challenge: Challenge = {
  price: 1_000_000_000_000_000n,
  chainId: 31337n,
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  channelManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  gatewayPath: '/api/1',
};
const channelId = '0xa011aa0cd38ce04ee3477b0e1794239b24f47394eb55015d51eb15309e28488f' as Hex32;
const channels = new Interface(microTransferChannelsAbi);
const token = new Interface(microTokenAbi);

describe('paywall client script', () => {
  it('is one inline script that cannot end its own <script> element', () => {
    expect(PAYWALL_CLIENT_SCRIPT.toLowerCase()).not.toContain('</script');
    expect(PAYWALL_CLIENT_SCRIPT).not.toContain('<!--');
  });

  it('uses the selectors and event topic of the contracts', () => {
    expect(client.SELECTORS).toEqual({
      approve: id('approve(address,uint256)').slice(2, 10),
      createChannel: id('createChannel(address,uint256)').slice(2, 10),
      getChannel: id('getChannel(bytes32)').slice(2, 10),
      balanceOf: id('balanceOf(address)').slice(2, 10),
    });
    expect(client.CHANNEL_CREATED_TOPIC).toBe(channels.getEvent('ChannelCreated')!.topicHash);
  });

  it('encodes approve, createChannel, getChannel and balanceOf as ethers does', () => {
    const big = 2n ** 256n - 1n;
    expect(client.encodeApprove(challenge.channelManager, big)).toBe(
      token.encodeFunctionData('approve', [challenge.channelManager, big]),
    );
    expect(client.encodeCreateChannel(challenge.receiver, 10n * challenge.price)).toBe(
      channels.encodeFunctionData('createChannel', [challenge.receiver, 10n * challenge.price]),
    );
    expect(client.encodeGetChannel(channelId)).toBe(channels.encodeFunctionData('getChannel', [channelId]));
    expect(client.encodeBalanceOf(sender)).toBe(token.encodeFunctionData('balanceOf', [sender]));
    expect(() => client.encodeApprove(challenge.channelManager, -1n)).toThrow('not a uint256');
    expect(() => client.encodeApprove(challenge.channelManager, big + 1n)).toThrow('not a uint256');
    expect(() => client.encodeCreateChannel('0x1234', 1n)).toThrow('not an address');
  });

  it('decodes getChannel return data', () => {
    const data = AbiCoder.defaultAbiCoder().encode(
      ['address', 'address', 'uint256', 'uint256', 'uint256', 'uint64'],
      [sender, challenge.receiver, 10n ** 30n, 5n, 0n, 1234n],
    );
    expect(client.decodeChannel(data)).toEqual({
      sender: sender.toLowerCase(),
      receiver: challenge.receiver.toLowerCase(),
      deposit: 10n ** 30n,
      settleAt: 1234n,
    });
    expect(() => client.decodeWords('0x12')).toThrow('bad return data');
  });

  it('parses only canonical base-10 amounts, as BigInt', () => {
    expect(
      client.parseAmount(' 115792089237316195423570985008687907853269984665640564039457584007913129639935 '),
    ).toBe(2n ** 256n - 1n);
    expect(client.parseAmount('0')).toBe(0n);
    for (const bad of ['', '01', '1.5', '-1', '1e3', '0x10', '1_000', '1 0']) {
      expect(() => client.parseAmount(bad), bad).toThrow();
    }
    expect(() =>
      client.parseAmount('115792089237316195423570985008687907853269984665640564039457584007913129639936'),
    ).toThrow('amount too large');
  });

  it('builds eth_signTypedData_v4 JSON whose digest is the protocol BalanceProof digest', () => {
    const balance = 3_000_000_000_000_000n;
    const typed = JSON.parse(client.balanceProofTypedData(challenge, channelId, balance));
    expect(typed.primaryType).toBe('BalanceProof');
    expect(typed.types.BalanceProof).toEqual(BALANCE_PROOF_TYPES.BalanceProof);
    const types = { BalanceProof: typed.types.BalanceProof };
    const domain = channelDomain(challenge.chainId, challenge.channelManager);
    const expected = hashBalanceProof(domain, { channelId, receiver: challenge.receiver as never, balance });
    expect(TypedDataEncoder.hash(typed.domain, types, typed.message)).toBe(expected);
    // The domain type the wallet hashes is the protocol's, field for field.
    expect(TypedDataEncoder.from({ EIP712Domain: typed.types.EIP712Domain }).encodeType('EIP712Domain')).toBe(
      'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
    );
  });

  it('emits payment headers the gateway parses, signed over the typed data', async () => {
    const balance = 2n * challenge.price;
    const typed = JSON.parse(client.balanceProofTypedData(challenge, channelId, balance));
    const signature = await new Wallet(senderKey).signTypedData(
      typed.domain,
      { BalanceProof: typed.types.BalanceProof },
      typed.message,
    );
    const headers = client.paymentHeaders(challenge, sender, channelId, balance, signature);
    const parsed = parsePayment(new Headers(headers));
    expect(parsed.ok && parsed.value).toMatchObject({
      sender,
      channelId,
      balance,
      receiver: challenge.receiver,
      channelManager: challenge.channelManager,
      chainId: challenge.chainId,
    });
    const domain = channelDomain(challenge.chainId, challenge.channelManager);
    const signer = recoverBalanceProofSigner(
      domain,
      { channelId, receiver: challenge.receiver as never, balance },
      signature,
    );
    expect(signer.ok && signer.value).toBe(sender);
  });

  it('reads a receipt only when all three headers are well-formed', () => {
    const headers = new Headers({
      'RDN-Channel-Id': channelId.toUpperCase().replace('0X', '0x'),
      'RDN-Sender-Balance': '2000',
      'RDN-Cost': '1000',
    });
    expect(client.readReceipt(headers)).toEqual({ channelId, balance: 2000n, cost: 1000n });
    headers.set('RDN-Cost', '1e3');
    expect(client.readReceipt(headers)).toBeUndefined();
    headers.delete('RDN-Cost');
    expect(client.readReceipt(headers)).toBeUndefined();
  });

  it('remembers channels per chain, contract, receiver and sender', () => {
    const key = client.storageKey(challenge, sender);
    expect(key).toBe(
      `microraiden:31337:${challenge.channelManager}:${challenge.receiver}:${sender}`.toLowerCase(),
    );
    expect(client.storageKey({ ...challenge, chainId: 1n }, sender)).not.toBe(key);
  });
});
