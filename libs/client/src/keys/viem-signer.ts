import { ClientError } from '../client-error';
import type { WalletTransaction } from './delegating-signer';
import type { SenderSigner } from './sender-signer';
import type { TypedDataRequest } from './typed-data-request';
import { walletAddress, WalletSigner } from './wallet-signer';

/** viem's `signTypedData` parameters, as far as the SDK uses them. */
interface ViemTypedData extends Omit<TypedDataRequest, 'domain'> {
  readonly domain: Omit<TypedDataRequest['domain'], 'verifyingContract'> & {
    readonly verifyingContract?: `0x${string}`;
  };
}

const viemRequest = (request: TypedDataRequest): ViemTypedData => request as ViemTypedData;

/** A viem `Account` (e.g. `privateKeyToAccount`, a JSON-RPC account), structurally. */
export interface ViemAccountLike {
  readonly address: string;
  signTypedData(parameters: ViemTypedData): Promise<string>;
}

/** A viem `WalletClient` with an account, structurally; `sendTransaction` lets it open channels too. */
// The client's own `account` signs and sends: viem uses it when the call names none.
export interface ViemWalletClientLike {
  readonly account?: { readonly address: string } | undefined;
  signTypedData(parameters: ViemTypedData): Promise<string>;
  sendTransaction?(parameters: {
    chain: null;
    to: `0x${string}`;
    data: `0x${string}`;
    value: bigint;
    gas: bigint;
  }): Promise<string>;
}

/**
 * The sender as a viem Account or WalletClient (no viem import: anything of that shape works). An Account
 * only signs balance proofs — give the client channels opened elsewhere, or use a WalletClient, an ethers
 * Signer or an EIP-1193 provider to open them. A WalletClient also sends the open / top-up transactions.
 *
 * @example
 * const client = new SenderClient(viemSigner(privateKeyToAccount(key)), { rpcUrl, deployment });
 */
export function viemSigner(wallet: ViemAccountLike | ViemWalletClientLike): SenderSigner {
  if ('address' in wallet && typeof wallet.address === 'string') {
    const account = wallet as ViemAccountLike;
    return new WalletSigner({
      address: walletAddress(account.address, 'the viem account'),
      signTypedData: (request) => account.signTypedData(viemRequest(request)),
    });
  }
  const client = wallet as ViemWalletClientLike;
  if (!client.account) {
    throw new ClientError('CONFIG_INVALID', 'the viem WalletClient has no account: create it with `account`');
  }
  const { account } = client;
  const send = client.sendTransaction?.bind(client);
  return new WalletSigner({
    address: walletAddress(account.address, 'the viem WalletClient'),
    signTypedData: (request) => client.signTypedData(viemRequest(request)),
    ...(send === undefined
      ? {}
      : {
          sendTransaction: (tx: WalletTransaction) =>
            send({
              chain: null,
              to: tx.to,
              data: tx.data as `0x${string}`,
              value: tx.value,
              gas: tx.gas,
            }),
        }),
  });
}
