import {
  AbstractSigner,
  type Provider,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';
import { typedDataPrimaryType, type Address } from '@microraiden/protocol';
import { ClientError } from '../client-error';
import type { TypedDataRequest } from './typed-data-request';

/** A transaction as an external wallet sends it: the SDK fills in `gas`, the wallet nonce and fees. */
export interface WalletTransaction {
  readonly from: Address;
  readonly to: Address;
  readonly data: string;
  readonly value: bigint;
  readonly gas: bigint;
}

/** What an external wallet does for the SDK, whatever its library. */
export interface WalletBackend {
  readonly address: Address;
  signTypedData(request: TypedDataRequest): Promise<string>;
  /** Sends a transaction the wallet signs and resolves to its hash; absent when the wallet only signs. */
  sendTransaction?(tx: WalletTransaction): Promise<string>;
}

const SEEN_TIMEOUT_MS = 60_000;

/**
 * An ethers Signer over an external wallet, so the SDK's contract calls and permits run unchanged: gas is
 * estimated through the client's provider (a revert is decoded there, as with a local key), the wallet
 * signs and broadcasts, and the transaction is then followed through the provider.
 */
export class DelegatingSigner extends AbstractSigner<Provider> {
  constructor(
    private readonly backend: WalletBackend,
    provider: Provider,
  ) {
    super(provider);
  }

  async getAddress(): Promise<string> {
    return this.backend.address;
  }

  connect(provider: Provider | null): DelegatingSigner {
    if (!provider) throw new ClientError('CONFIG_INVALID', 'a wallet signer needs a provider');
    return new DelegatingSigner(this.backend, provider);
  }

  signTransaction(): Promise<string> {
    return Promise.reject(this.cannot('sign raw transactions'));
  }

  signMessage(): Promise<string> {
    return Promise.reject(this.cannot('sign messages'));
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    const plain = Object.fromEntries(
      Object.entries(types).map(([name, fields]) => [
        name,
        fields.map((f) => ({ name: f.name, type: f.type })),
      ]),
    );
    return this.backend.signTypedData({
      domain: {
        ...(domain.name == null ? {} : { name: domain.name }),
        ...(domain.version == null ? {} : { version: domain.version }),
        ...(domain.chainId == null ? {} : { chainId: BigInt(domain.chainId) }),
        ...(domain.verifyingContract == null ? {} : { verifyingContract: domain.verifyingContract }),
      },
      types: plain,
      primaryType: typedDataPrimaryType(plain),
      message: value,
    });
  }

  override async sendTransaction(request: TransactionRequest): Promise<TransactionResponse> {
    const send = this.backend.sendTransaction?.bind(this.backend);
    if (!send) throw this.cannot('send transactions (open or top up channels)');
    const tx = await this.populateCall(request);
    const gas = tx.gasLimit ?? (await this.estimateGas(tx));
    const hash = await send({
      from: this.backend.address,
      to: tx.to as Address,
      data: tx.data ?? '0x',
      value: BigInt(tx.value ?? 0),
      gas: BigInt(gas),
    });
    return this.seen(hash);
  }

  /** The sent transaction as the provider knows it (a wallet may broadcast through another node). */
  private async seen(hash: string): Promise<TransactionResponse> {
    const deadline = Date.now() + SEEN_TIMEOUT_MS;
    for (let delay = 50; ; delay = Math.min(1_000, delay * 2)) {
      const found = await this.provider.getTransaction(hash);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new ClientError('TRANSACTION_FAILED', `the wallet sent ${hash} but the RPC never saw it`, {
          txHash: hash,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private cannot(what: string): ClientError {
    return new ClientError('SIGNER_CANNOT_SEND', `this wallet signer cannot ${what}`, {
      sender: this.backend.address,
    });
  }
}
