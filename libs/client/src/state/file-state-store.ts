import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { lock } from 'proper-lockfile';
import { ClientError } from '../client-error';
import { writeFileAtomic } from './atomic-write';
import type { ChannelStateStore, StateStoreFactory, StateUpdate } from './channel-state-store';
import {
  emptySenderState,
  parseSenderState,
  serializeSenderState,
  type SenderIdentity,
  type SenderState,
} from './sender-state-file';

/** Lock tuning; the defaults suit a critical section of a few milliseconds (read, sign, write). */
export interface StateLockOptions {
  /** A lock not refreshed for this long is considered abandoned by a crashed process. Default 10 s. */
  readonly staleMs?: number;
  /** Give up waiting for the lock after about this long. Default 15 s. */
  readonly waitMs?: number;
}

/**
 * The sender's local channel state in Node: one JSON file per (chain id, channel manager, sender). Reads
 * are lock-free (writes are atomic renames); every change is a read-modify-write under a cross-process file
 * lock, so two processes sharing the file can never both sign on top of the same balance.
 */
export class FileChannelStateStore implements ChannelStateStore {
  private readonly staleMs: number;
  private readonly waitMs: number;

  constructor(
    readonly file: string,
    readonly identity: SenderIdentity,
    options: StateLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 10_000;
    this.waitMs = options.waitMs ?? 15_000;
  }

  get location(): string {
    return this.file;
  }

  /** The state file of `identity` under `stateDir`. */
  static fileFor(stateDir: string, identity: SenderIdentity): string {
    const name = `${identity.chainId}-${identity.channelManager}-${identity.sender}`.toLowerCase();
    return path.join(stateDir, `${name}.json`);
  }

  /** The current state; an empty one when the file does not exist yet. Throws STATE_FILE_CORRUPT. */
  async read(): Promise<SenderState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptySenderState(this.identity);
      throw new ClientError(
        'STATE_FILE_CORRUPT',
        `cannot read the state file ${this.file}`,
        {
          file: this.file,
        },
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw this.corrupt('it is not valid JSON', cause);
    }
    const parsed = parseSenderState(json, this.identity);
    if (!parsed.ok) throw this.corrupt(parsed.reason);
    return parsed.state;
  }

  /**
   * Runs `mutate` on the latest state while holding the file lock and writes what it returns before
   * releasing the lock. A corrupt file is never overwritten: the error is raised before `mutate` runs.
   */
  async update<T>(mutate: (state: SenderState) => StateUpdate<T> | Promise<StateUpdate<T>>): Promise<T> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lock(this.file, {
        realpath: false,
        stale: this.staleMs,
        update: Math.max(1_000, Math.floor(this.staleMs / 4)),
        retries: {
          retries: Math.ceil(this.waitMs / 50),
          factor: 1.3,
          minTimeout: 5,
          maxTimeout: 50,
          randomize: true,
        },
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (cause) {
      throw new ClientError(
        'STATE_LOCK_FAILED',
        `could not lock ${this.file} within ${this.waitMs} ms (another microraiden process holds it)`,
        { file: this.file },
        { cause },
      );
    }
    try {
      const { state, result } = await mutate(await this.read());
      if (state !== undefined) {
        // Past the stale limit another process may own the lock now: writing would race it.
        if (compromised) {
          throw new ClientError(
            'STATE_LOCK_FAILED',
            `lost the lock on ${this.file}; nothing was written`,
            {
              file: this.file,
            },
            { cause: compromised },
          );
        }
        await writeFileAtomic(this.file, serializeSenderState(state));
      }
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }

  private corrupt(reason: string, cause?: unknown): ClientError {
    return new ClientError(
      'STATE_FILE_CORRUPT',
      `the state file ${this.file} is unusable (${reason}); move it aside and run sync to rebuild it from the chain`,
      { file: this.file },
      cause === undefined ? undefined : { cause },
    );
  }
}

/** Stores each sender's state in its own file under `stateDir` (the Node default, `~/.microraiden`). */
export function fileStateStore(stateDir: string, lock: StateLockOptions = {}): StateStoreFactory {
  return (identity) =>
    new FileChannelStateStore(FileChannelStateStore.fileFor(stateDir, identity), identity, lock);
}
