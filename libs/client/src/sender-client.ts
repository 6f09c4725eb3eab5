import { JsonRpcProvider, Network } from 'ethers';
import { z } from 'zod';
import { channelManagerAt, parseDeployment, type Deployment } from '@microraiden/contracts';
import {
  channelDomain,
  checksummedAddress,
  toChecksumAddress,
  type Address,
  type Hex32,
} from '@microraiden/protocol';
import { Channel } from './channel';
import { ChannelOperations, type OpenChannelOptions, type TransactionOptions } from './channel-operations';
import { ClientError } from './client-error';
import type { ClientSession } from './client-session';
import { toChainError } from './chain/chain-error';
import { SenderChain } from './chain/sender-chain';
import { SenderKey } from './keys/sender-key';
import { isSenderSigner, type SenderSigner } from './keys/sender-signer';
import { paidFetch, type PaidFetchOptions, type PaidResponse } from './payment/paid-fetch';
import { paidByteStream, type PaidByteStream } from './stream/paid-byte-stream';
import { paidStream, type PaidStream, type PaidStreamOptions } from './stream/paid-stream';
import { fetchStreamTransport, type StreamTransport } from './stream/stream-transport';
import type { PaymentIdentity, PaymentWallet, PreparedPayment } from './payment/payment-wallet';
import type { ProgressListener } from './chain/transaction-progress';
import type { ChannelState } from './state/channel-record';
import type { StateStoreFactory } from './state/channel-state-store';
import { localStorageStateStore } from './state/local-storage-state-store';
import { memoryStateStore } from './state/memory-state-store';

/** Where and how a SenderClient works. Give `deployment`, or `channelManager` (+ optionally `token`). */
export interface SenderClientOptions {
  /** HTTP(S) JSON-RPC endpoint of the chain (or pass `provider`). */
  readonly rpcUrl?: string;
  /** An ethers provider to use instead of `rpcUrl` (not destroyed by `close()`). */
  readonly provider?: JsonRpcProvider;
  /** The deployment file's content (`readDeploymentFile`). */
  readonly deployment?: Deployment;
  /** Without a deployment: the channel manager address... */
  readonly channelManager?: string;
  /** ...its token (default: read from the manager)... */
  readonly token?: string;
  /** ...and the first block to scan for events (default 0). */
  readonly fromBlock?: number;
  /**
   * Where channels and signed proofs are kept: `fileStateStore(dir)` (Node; `Client`'s default),
   * `localStorageStateStore()` (the default where localStorage exists), `memoryStateStore()` (else).
   */
  readonly stateStore?: StateStoreFactory;
  /** Blocks a transaction must be deep before it counts. Default 1 (mined). */
  readonly confirmations?: number;
  /** How often to poll the chain while waiting. Default 1000 ms. */
  readonly pollingIntervalMs?: number;
  /** Use EIP-2612 permits when the token supports them (one transaction). Default true. */
  readonly usePermit?: boolean;
  /** fetch for paid requests and close requests. Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Largest block range per eth_getLogs during sync. Default 10,000. */
  readonly logChunkBlocks?: number;
}

const addressSchema = z
  .string()
  .refine((value) => toChecksumAddress(value) !== undefined, 'not an address (or a bad EIP-55 checksum)')
  .transform((value) => toChecksumAddress(value) as Address);

const optionsSchema = z
  .object({
    rpcUrl: z
      .string()
      .regex(/^https?:\/\//, 'an http(s):// URL')
      .optional(),
    channelManager: addressSchema.optional(),
    token: addressSchema.optional(),
    fromBlock: z.number().int().nonnegative().optional(),
    confirmations: z.number().int().min(1).max(1_000).optional(),
    pollingIntervalMs: z.number().int().min(10).optional(),
    usePermit: z.boolean().optional(),
    logChunkBlocks: z.number().int().min(1).optional(),
  })
  .loose();

/** Reads the chain id with one plain JSON-RPC call, so ethers never enters its retry-forever detection loop. */
function privateKeyOf(source: { readonly privateKey?: unknown }): string {
  if (typeof source !== 'object' || source === null || !source.privateKey) {
    throw new ClientError('KEY_MISSING', 'no key: give a signer or { privateKey }');
  }
  return source.privateKey as string;
}

async function fetchChainId(rpcUrl: string): Promise<bigint> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as { result?: unknown };
    if (typeof body.result !== 'string') throw new Error('no result');
    return BigInt(body.result);
  } catch (cause) {
    throw new ClientError(
      'RPC_UNAVAILABLE',
      `the Ethereum RPC endpoint ${new URL(rpcUrl).host} does not answer`,
      {},
      {
        cause,
      },
    );
  }
}

/** The default store where no `stateStore` is given: localStorage in a browser, else memory. */
function defaultStateStore(): StateStoreFactory {
  let storage: unknown;
  try {
    storage = (globalThis as { localStorage?: unknown }).localStorage;
  } catch {
    // Some runtimes define the getter but throw when storage is disabled.
  }
  return typeof (storage as { getItem?: unknown } | undefined)?.getItem === 'function'
    ? localStorageStateStore()
    : memoryStateStore();
}

/**
 * The sender SDK without Node built-ins (the browser entry's `Client`): a signer, a chain and a store of
 * channels. Construct it with a signer (or `{ privateKey }`) and a deployment; channel operations wait for
 * `confirmations`, balance proofs are stored before they are returned, and `fetch` pays for HTTP requests
 * behind a 402 gateway. `close()` (or `await using`) releases the RPC connection.
 *
 * @example
 * const client = new SenderClient(eip1193Signer(window.ethereum, address), { rpcUrl, deployment });
 * const { response, paid } = await client.fetch(url, undefined, { maxPricePerRequest: 10n ** 15n });
 */
export class SenderClient implements PaymentWallet {
  /** The sender's checksummed address. */
  readonly address: Address;
  private readonly key: SenderSigner;
  private readonly options: SenderClientOptions;
  private readonly ops: ChannelOperations;
  private provider?: JsonRpcProvider;
  private sessionPromise?: Promise<ClientSession>;
  private closed = false;

  constructor(key: SenderSigner | { readonly privateKey: string }, options: SenderClientOptions) {
    const parsed = optionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      throw new ClientError('CONFIG_INVALID', `invalid client options:\n${z.prettifyError(parsed.error)}`);
    }
    if (!options.deployment && !options.channelManager) {
      throw new ClientError('CONFIG_INVALID', 'give a deployment, or the channelManager address');
    }
    if (!options.rpcUrl && !options.provider) {
      throw new ClientError('CONFIG_INVALID', 'give an rpcUrl or a provider');
    }
    this.options = {
      ...options,
      ...parsed.data,
      deployment: options.deployment ? parseDeployment(options.deployment, 'deployment option') : undefined,
    };
    this.key = isSenderSigner(key) ? key : new SenderKey(privateKeyOf(key));
    this.address = this.key.address;
    this.ops = new ChannelOperations(() => this.session(), this.key, {
      fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
      usePermit: options.usePermit ?? true,
      logChunkBlocks: options.logChunkBlocks ?? 10_000,
    });
  }

  /** The sender's channels from the local state (run `sync()` to rebuild it from the chain). */
  async channels(filter: { receiver?: string; state?: ChannelState } = {}): Promise<Channel[]> {
    return (await this.ops.list(filter)).map((record) => new Channel(record, this.ops));
  }

  /** One channel by id; CHANNEL_UNKNOWN when the local state does not have it. */
  async channel(channelId: string): Promise<Channel> {
    return new Channel(await this.ops.get(channelId.toLowerCase() as Hex32), this.ops);
  }

  /**
   * An open channel to `receiver` with at least `deposit` left, or a new one with that deposit. With
   * `maxDeposit`, an existing channel is topped up (up to that deposit) before a new one is opened.
   */
  async getSuitableChannel(
    receiver: string,
    deposit: bigint,
    options: TransactionOptions & { maxDeposit?: bigint } = {},
  ): Promise<Channel> {
    const record = await this.ops.fund(receiver, deposit, { ...options, openDeposit: deposit });
    return new Channel(record, this.ops);
  }

  /**
   * Opens a channel to `receiver` escrowing `deposit`, waiting for the configured confirmations. With
   * `options.signer` the channel names that address (a session key) as its balance signer (docs/protocol.md 3.1).
   */
  async openChannel(receiver: string, deposit: bigint, options: OpenChannelOptions = {}): Promise<Channel> {
    return new Channel(await this.ops.open(receiver, deposit, options), this.ops);
  }

  /**
   * Rebuilds the local channel state from the channel manager's events for this sender (created, topped
   * up, close requested, withdrawn, settled) since the deployment block; local balances that are higher
   * than the chain knows are kept. Recovers a deleted state file.
   */
  async sync(): Promise<Channel[]> {
    return (await this.ops.sync()).map((record) => new Channel(record, this.ops));
  }

  /** fetch() that answers 402 challenges by paying over a channel; see `paidFetch`. */
  fetch(
    url: string | URL,
    init: RequestInit | undefined,
    options: Omit<PaidFetchOptions, 'wallet'>,
  ): Promise<PaidResponse> {
    return paidFetch(url, init, { fetch: this.options.fetch, ...options, wallet: this });
  }

  /**
   * Reads a streamed (SSE) resource paid per event within `budget`; see `paidStream`. Here (no Node built-ins) the
   * transport is fetch, which cannot send top-ups while the response streams: the first proof authorises the whole
   * budget, and what the stream does not use stays authorised on the channel (docs/protocol.md, "Streamed prices").
   * Node's `Client` sends top-ups one step at a time instead.
   */
  stream(
    url: string | URL,
    options: Omit<PaidStreamOptions, 'wallet' | 'transport'> & { readonly transport?: StreamTransport },
  ): Promise<PaidStream> {
    return paidStream(url, { transport: this.streamTransport(), ...options, wallet: this });
  }

  /**
   * Reads a byte-metered streamed resource (`RDN-Unit-Bytes`: a download, NDJSON, any body) paid per unit of bytes
   * within `budget`; see `paidByteStream`. As with `stream`, fetch here authorises the whole budget up front; Node's
   * `Client` tops up one step at a time as the bytes arrive.
   */
  streamBytes(
    url: string | URL,
    options: Omit<PaidStreamOptions, 'wallet' | 'transport'> & { readonly transport?: StreamTransport },
  ): Promise<PaidByteStream> {
    return paidByteStream(url, { transport: this.streamTransport(), ...options, wallet: this });
  }

  /** The transport `stream` and `streamBytes` use by default. */
  protected streamTransport(): StreamTransport {
    return fetchStreamTransport(this.options.fetch ?? ((...args) => globalThis.fetch(...args)));
  }

  /** The token's address, decimals and symbol. */
  async tokenInfo(): Promise<{ address: Address; decimals: number; symbol: string }> {
    const session = await this.session();
    return { address: session.token, ...(await session.chain.tokenInfo()) };
  }

  /** The sender's token balance (base units). */
  async tokenBalance(): Promise<bigint> {
    const { chain } = await this.session();
    await chain.assertChain();
    return chain.tokenBalance();
  }

  /** Where this sender's channels are kept (a file path, `memory`, `localStorage:<key>`). */
  async stateLocation(): Promise<string> {
    return (await this.session()).store.location;
  }

  /** PaymentWallet: who pays, where. */
  async paymentIdentity(): Promise<PaymentIdentity> {
    const { identity, token } = await this.session();
    return {
      sender: identity.sender,
      chainId: identity.chainId,
      channelManager: identity.channelManager,
      token,
    };
  }

  /** PaymentWallet: a channel that can pay `amount` more, opened or topped up to at most `maxDeposit`. */
  async fundChannel(request: {
    receiver: Address;
    amount: bigint;
    maxDeposit: bigint;
    onProgress?: ProgressListener;
  }): Promise<Hex32> {
    const record = await this.ops.fund(request.receiver, request.amount, {
      openDeposit: request.maxDeposit,
      maxDeposit: request.maxDeposit,
      onProgress: request.onProgress,
    });
    return record.id;
  }

  /** PaymentWallet: the proof for the next payment, persisted before it is returned. */
  preparePayment(request: {
    channelId: Hex32;
    price: bigint;
    maxIncrement: bigint;
  }): Promise<PreparedPayment> {
    return this.ops.preparePayment(request.channelId, request.price, request.maxIncrement);
  }

  /** PaymentWallet: remembers RDN-Sender-Balance and RDN-Charged-Balance from a receipt and the gateway's URL. */
  recordReceiverBalance(request: {
    channelId: Hex32;
    balance: bigint;
    chargedBalance?: bigint;
    gatewayUrl?: string;
  }): Promise<void> {
    return this.ops.acknowledge(
      request.channelId,
      request.balance,
      request.gatewayUrl,
      request.chargedBalance,
    );
  }

  /** Releases the RPC connection; later calls fail with CLIENT_CLOSED. Locks are only held during updates. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.provider && !this.options.provider) this.provider.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private session(): Promise<ClientSession> {
    if (this.closed) return Promise.reject(new ClientError('CLIENT_CLOSED', 'the client is closed'));
    this.sessionPromise ??= this.openSession().catch((error: unknown) => {
      this.sessionPromise = undefined;
      throw error;
    });
    return this.sessionPromise;
  }

  private async openSession(): Promise<ClientSession> {
    const { deployment } = this.options;
    const chainId =
      deployment !== undefined
        ? BigInt(deployment.chainId)
        : this.options.provider
          ? (await this.options.provider.getNetwork()).chainId
          : await fetchChainId(this.options.rpcUrl as string);
    if (this.options.provider) {
      this.provider = this.options.provider;
    } else {
      // A static network: ethers never probes (and never retries forever against a dead endpoint); the
      // chain id is checked once against the deployment by SenderChain.assertChain. No cache: nonces and
      // balances must be read fresh.
      this.provider = new JsonRpcProvider(this.options.rpcUrl, Network.from(chainId), {
        staticNetwork: Network.from(chainId),
        cacheTimeout: -1,
      });
      this.provider.pollingInterval = this.options.pollingIntervalMs ?? 1_000;
    }
    const channelManager = (deployment?.channelManager ?? this.options.channelManager) as Address;
    let token = (deployment?.token ?? this.options.token) as Address | undefined;
    if (!token) {
      try {
        token = checksummedAddress(await channelManagerAt(channelManager, this.provider).token(), 'token');
      } catch (error) {
        throw toChainError(error, 'read the channel manager token');
      }
    }
    const identity = { chainId, channelManager, sender: this.address };
    const store = (this.options.stateStore ?? defaultStateStore())(identity);
    const chain = new SenderChain(this.provider, this.key, {
      chainId,
      channelManager,
      token,
      confirmations: this.options.confirmations ?? 1,
      pollingIntervalMs: this.options.pollingIntervalMs ?? 1_000,
    });
    return {
      identity,
      token,
      domain: channelDomain(chainId, channelManager),
      store,
      chain,
      fromBlock: deployment?.deployBlock ?? this.options.fromBlock ?? 0,
    };
  }
}
