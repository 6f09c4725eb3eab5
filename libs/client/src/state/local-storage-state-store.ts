import { ClientError } from '../client-error';
import type { ChannelStateStore, StateStoreFactory, StateUpdate } from './channel-state-store';
import {
  emptySenderState,
  parseSenderState,
  serializeSenderState,
  type SenderIdentity,
  type SenderState,
} from './sender-state-file';
import { SerialQueue } from './serial-queue';

/** The part of the Web Storage API the store uses (`window.localStorage` has it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The part of the Web Locks API the store uses (`navigator.locks`): exclusion across a browser's tabs. */
export interface NamedLocks {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T>;
}

/** Options of localStorageStateStore. */
export interface LocalStorageStateOptions {
  /** Default: `globalThis.localStorage`. */
  readonly storage?: KeyValueStorage;
  /**
   * Default: `globalThis.navigator.locks` when the browser has it; null (or no Web Locks) serialises
   * updates within the page only.
   */
  readonly locks?: NamedLocks | null;
  /** Give up waiting for another tab's lock after this long (STATE_LOCK_FAILED). Default 15 s. */
  readonly waitMs?: number;
  /** Key prefix. Default `microraiden:`. */
  readonly prefix?: string;
}

/**
 * The state in a browser's localStorage, one key per sender identity, in the same JSON format as the state
 * file. Updates hold a Web Lock of that key, so two tabs of one origin never sign on top of the same balance;
 * without Web Locks they are serialised within the page only.
 */
export class LocalStorageChannelStateStore implements ChannelStateStore {
  readonly location: string;
  private readonly queue = new SerialQueue();

  constructor(
    readonly identity: SenderIdentity,
    private readonly storage: KeyValueStorage,
    private readonly key: string,
    private readonly locks: NamedLocks | null,
    private readonly waitMs = 15_000,
  ) {
    this.location = `localStorage:${key}`;
  }

  async read(): Promise<SenderState> {
    const text = this.storage.getItem(this.key);
    if (text === null) return emptySenderState(this.identity);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.corrupt('it is not valid JSON');
    }
    const parsed = parseSenderState(json, this.identity);
    if (!parsed.ok) throw this.corrupt(parsed.reason);
    return parsed.state;
  }

  update<T>(mutate: (state: SenderState) => StateUpdate<T> | Promise<StateUpdate<T>>): Promise<T> {
    const critical = async () => {
      const { state, result } = await mutate(await this.read());
      if (state !== undefined) this.storage.setItem(this.key, serializeSenderState(state));
      return result;
    };
    return this.queue.run(() => (this.locks ? this.locked(this.locks, critical) : critical()));
  }

  private async locked<T>(locks: NamedLocks, critical: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let granted = false;
    const timer = setTimeout(() => controller.abort(), this.waitMs);
    try {
      return await locks.request(this.key, { signal: controller.signal }, () => {
        granted = true;
        clearTimeout(timer);
        return critical();
      });
    } catch (cause) {
      if (granted) throw cause;
      throw new ClientError(
        'STATE_LOCK_FAILED',
        `could not lock ${this.location} within ${this.waitMs} ms (another tab holds it)`,
        { file: this.location },
        { cause },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private corrupt(reason: string): ClientError {
    return new ClientError(
      'STATE_FILE_CORRUPT',
      `the stored state ${this.location} is unusable (${reason}); remove it and run sync to rebuild it from the chain`,
      { file: this.location },
    );
  }
}

/** Keeps each sender's state in localStorage (the browser entry's default when localStorage exists). */
export function localStorageStateStore(options: LocalStorageStateOptions = {}): StateStoreFactory {
  const global = globalThis as { localStorage?: KeyValueStorage; navigator?: { locks?: NamedLocks } };
  const storage = options.storage ?? global.localStorage;
  if (!storage) {
    throw new ClientError(
      'CONFIG_INVALID',
      'no localStorage here: pass options.storage or use memoryStateStore()',
    );
  }
  const locks = options.locks === undefined ? (global.navigator?.locks ?? null) : options.locks;
  const prefix = options.prefix ?? 'microraiden:';
  return (identity) => {
    const key = `${prefix}${identity.chainId}-${identity.channelManager}-${identity.sender}`.toLowerCase();
    return new LocalStorageChannelStateStore(identity, storage, key, locks, options.waitMs);
  };
}
