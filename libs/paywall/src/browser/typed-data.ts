// The EIP-712 messages the page asks the wallet to sign (eth_signTypedData_v4 JSON): the channel's
// BalanceProof (docs/protocol.md 4) and the token's EIP-2612 Permit for a one-transaction channel open.
import { addressWord, bytes32Word, isAddress, keccakHex, keccakText, uintWord, type Hex } from './abi';

/** The challenge as the page reads it from its data attributes. */
export interface PageChallenge {
  price: bigint;
  readonly chainId: bigint;
  readonly token: Hex;
  readonly receiver: Hex;
  readonly channelManager: Hex;
  readonly gatewayPath: string;
}

const DOMAIN_FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
];
const DOMAIN_TYPEHASH = keccakText(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
);

/** BalanceProof(channelId, receiver, balance) under the channel manager's domain, as v4 JSON. */
export function balanceProofTypedData(challenge: PageChallenge, channelId: Hex, balance: bigint): string {
  bytes32Word(channelId);
  addressWord(challenge.receiver);
  uintWord(balance);
  return JSON.stringify({
    types: {
      EIP712Domain: DOMAIN_FIELDS,
      BalanceProof: [
        { name: 'channelId', type: 'bytes32' },
        { name: 'receiver', type: 'address' },
        { name: 'balance', type: 'uint256' },
      ],
    },
    primaryType: 'BalanceProof',
    domain: {
      name: 'MicroTransferChannels',
      version: '1',
      chainId: Number(challenge.chainId),
      verifyingContract: challenge.channelManager,
    },
    message: {
      channelId: channelId.toLowerCase(),
      receiver: challenge.receiver,
      balance: balance.toString(),
    },
  });
}

/** An EIP-2612 token's signing domain. */
export interface PermitDomain {
  readonly name: string;
  readonly version: string;
  readonly chainId: bigint;
  readonly verifyingContract: Hex;
}

/** The domain separator `domain` hashes to; compared with the token's DOMAIN_SEPARATOR() before signing. */
export function domainSeparator(domain: PermitDomain): Hex {
  const hex =
    DOMAIN_TYPEHASH.slice(2) +
    keccakText(domain.name).slice(2) +
    keccakText(domain.version).slice(2) +
    uintWord(domain.chainId) +
    addressWord(domain.verifyingContract);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return keccakHex(bytes);
}

/** Permit(owner, spender, value, nonce, deadline) as v4 JSON. */
export function permitTypedData(
  domain: PermitDomain,
  message: { owner: Hex; spender: Hex; value: bigint; nonce: bigint; deadline: bigint },
): string {
  return JSON.stringify({
    types: {
      EIP712Domain: DOMAIN_FIELDS,
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    domain: { ...domain, chainId: Number(domain.chainId) },
    message: {
      owner: message.owner,
      spender: message.spender,
      value: message.value.toString(),
      nonce: message.nonce.toString(),
      deadline: message.deadline.toString(),
    },
  });
}

/** A 65-byte r ‖ s ‖ v signature split as createChannelWithPermit takes it (v normalised to 27/28). */
export function splitSignature(signature: unknown): { v: bigint; r: string; s: string } {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new Error('The wallet returned a malformed signature.');
  }
  const v = BigInt(`0x${signature.slice(130, 132)}`);
  return { r: signature.slice(2, 66), s: signature.slice(66, 130), v: v < 27n ? v + 27n : v };
}

/** True when `text` is an address; re-exported for the page's data attributes. */
export { isAddress };
