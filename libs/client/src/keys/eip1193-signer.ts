import { toQuantity } from 'ethers';
import { typedDataPayload, type Address, type TypedDataRequest } from '@microraiden/protocol';
import type { SenderSigner } from './sender-signer';
import { walletAddress, WalletSigner } from './wallet-signer';

/** An EIP-1193 provider (`window.ethereum`, a WalletConnect provider, viem's `client.request`...). */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

/**
 * Typed data signed by `from`'s account of an EIP-1193 wallet (`eth_signTypedData_v4`, the request rendered by
 * typedDataPayload). The signature comes back as the wallet returns it: `eip1193Signer` checks balance proofs
 * it signs; a page that builds on this alone leaves that to the gateway.
 */
export function eip1193TypedDataSigner(
  provider: Eip1193Provider,
  from: Address,
): (request: TypedDataRequest) => Promise<string> {
  return async (request) =>
    String(
      await provider.request({
        method: 'eth_signTypedData_v4',
        params: [from, JSON.stringify(typedDataPayload(request))],
      }),
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
    signTypedData: eip1193TypedDataSigner(provider, from),
    sendTransaction: async (tx) =>
      (await provider.request({
        method: 'eth_sendTransaction',
        params: [{ from, to: tx.to, data: tx.data, value: toQuantity(tx.value), gas: toQuantity(tx.gas) }],
      })) as string,
  });
}
