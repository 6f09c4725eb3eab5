import type { Provider, Signer, TypedDataDomain, TypedDataField } from 'ethers';
import type { Address, BalanceProof, ChannelDomain, Hex } from '@microraiden/protocol';
import type { SenderSigner } from './sender-signer';
import { checkedBalanceProofSignature } from './typed-data-request';
import { walletAddress } from './wallet-signer';

/** An ethers v6 Signer with its address at hand (Wallet, HDNodeWallet, JsonRpcSigner all have one). */
export type EthersSignerLike = Signer & { readonly address: string };

/**
 * The sender as an ethers Signer: it signs balance proofs and permits and sends the transactions. A
 * signer without a provider is connected to the client's; one with a provider keeps it (a browser wallet's
 * JsonRpcSigner sends through the wallet).
 */
export function ethersSigner(signer: EthersSignerLike): SenderSigner {
  const address = walletAddress(signer.address, 'the ethers signer');
  return {
    address,
    signBalanceProof(domain: ChannelDomain, proof: BalanceProof): Promise<Hex> {
      return checkedBalanceProofSignature(address, domain, proof, (request) =>
        signer.signTypedData(
          request.domain as TypedDataDomain,
          request.types as Record<string, TypedDataField[]>,
          request.message,
        ),
      );
    },
    transactionSigner(provider: Provider): Signer {
      return signer.provider ? signer : signer.connect(provider);
    },
    toJSON: (): { address: Address } => ({ address }),
  } as SenderSigner;
}
