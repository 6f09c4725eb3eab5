import { homedir } from 'node:os';
import path from 'node:path';
import { ClientError } from './client-error';
import { loadSenderKey, type KeySource } from './keys/load-sender-key';
import { SenderKey } from './keys/sender-key';
import { isSenderSigner, type SenderSigner } from './keys/sender-signer';
import { SenderClient, type SenderClientOptions } from './sender-client';
import { nodeStreamTransport } from './stream/node-stream-transport';
import type { StreamTransport } from './stream/stream-transport';
import { FileChannelStateStore, fileStateStore, type StateLockOptions } from './state/file-state-store';

/** Where and how a Client works. Give `deployment`, or `channelManager` (+ optionally `token`). */
export interface ClientOptions extends SenderClientOptions {
  /** Directory of the local state files (when no `stateStore` is given). Default `~/.microraiden`. */
  readonly stateDir?: string;
  /** State file lock tuning. */
  readonly lock?: StateLockOptions;
}

function checkStateDir(stateDir: unknown): string | undefined {
  if (stateDir === undefined) return undefined;
  if (typeof stateDir !== 'string' || stateDir === '') {
    throw new ClientError('CONFIG_INVALID', 'invalid client options:\n✖ stateDir must be a non-empty path');
  }
  return stateDir;
}

/**
 * The sender SDK in Node (µRaiden's `Client`): a SenderClient whose key may come from a keystore file and
 * whose channels live in a state file under `stateDir`, changed under a cross-process file lock.
 *
 * @example
 * const client = new Client({ privateKey }, { rpcUrl, deployment });
 * try {
 *   const channel = await client.getSuitableChannel(receiver, 10n);
 *   await channel.createTransfer(7n);
 * } finally {
 *   await client.close();
 * }
 */
export class Client extends SenderClient {
  /** The state directory in use (state files are only used when no `stateStore` is given). */
  readonly stateDir: string;

  constructor(key: KeySource | SenderSigner, options: ClientOptions) {
    const stateDir = checkStateDir(options?.stateDir) ?? path.join(homedir(), '.microraiden');
    const signer = isSenderSigner(key) || key instanceof SenderKey ? key : loadSenderKey(key);
    super(signer, { ...options, stateStore: options?.stateStore ?? fileStateStore(stateDir, options?.lock) });
    this.stateDir = stateDir;
  }

  /** `stream` sends top-ups on the same request's body (HTTP/1.1 duplex over node:http). */
  protected override streamTransport(): StreamTransport {
    return nodeStreamTransport();
  }

  /** Path of this sender's state file under `stateDir`. */
  async stateFile(): Promise<string> {
    const { chainId, channelManager, sender } = await this.paymentIdentity();
    return FileChannelStateStore.fileFor(this.stateDir, { chainId, channelManager, sender });
  }
}
