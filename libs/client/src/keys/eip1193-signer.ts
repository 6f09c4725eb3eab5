import { TypedDataEncoder, toQuantity } from 'ethers';
import type { SenderSigner } from './sender-signer';
import type { TypedDataRequest } from './typed-data-request';
import { walletAddress, WalletSigner } from './wallet-signer';

/** An EIP-1193 provider (`window.ethereum`, a WalletConnect provider, viem's `client.request`...). */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

/** eth_signTypedData_v4's JSON: EIP712Domain spelled out, the chain id a number (as wallets compare it). */
function typedDataJson(request: TypedDataRequest): string {
  const payload = TypedDataEncoder.getPayload(request.domain, request.types, request.message);
  const { chainId } = request.domain;
  const domain = chainId === undefined ? payload.domain : { ...payload.domain, chainId: Number(chainId) };
  return JSON.stringify({ ...payload, domain }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString(10) : value,
  );
}

/**
 * The sender as an account of an EIP-1193 wallet: balance proofs and permits are signed with
 * `eth_signTypedData_v4`, transactions sent with `eth_sendTransaction` (the wallet picks nonce and fees).
 * Ask the wallet for the account first (`eth_requestAccounts`) and pass it.
 *
 * @example
 * const [address] = await window.ethereum.request({ method: 'eth_requestAccounts' });
 * const client = new SenderClient(eip1193Signer(window.ethereum, address), { rpcUrl, deployment });
 */
export function eip1193Signer(provider: Eip1193Provider, address: string): SenderSigner {
  const from = walletAddress(address, 'the EIP-1193 account');
  return new WalletSigner({
    address: from,
    signTypedData: async (request) =>
      (await provider.request({
        method: 'eth_signTypedData_v4',
        params: [from, typedDataJson(request)],
      })) as string,
    sendTransaction: async (tx) =>
      (await provider.request({
        method: 'eth_sendTransaction',
        params: [{ from, to: tx.to, data: tx.data, value: toQuantity(tx.value), gas: toQuantity(tx.gas) }],
      })) as string,
  });
}
