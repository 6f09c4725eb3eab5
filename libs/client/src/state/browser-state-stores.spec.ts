import { describe, expect, it } from 'vitest';
import { isClientError } from '../client-error';
import { aChannelRecord, anIdentity, aSenderState } from '../test/builders';
import type { ChannelStateStore } from './channel-state-store';
import { localStorageStateStore, type KeyValueStorage, type NamedLocks } from './local-storage-state-store';
import { memoryStateStore } from './memory-state-store';
import type { SenderState } from './sender-state-file';

function fakeStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Interleaved read-modify-writes: each reads the balance, yields, then writes balance + 1.
async function incrementConcurrently(store: ChannelStateStore, times: number): Promise<bigint> {
  const record = aChannelRecord();
  await store.update(() => ({ state: aSenderState(record), result: undefined }));
  await Promise.all(
    Array.from({ length: times }, () =>
      store.update(async (state: SenderState) => {
        const current = state.channels[record.id]!;
        await sleep(1);
        const next = { ...current, signedBalance: current.signedBalance + 1n };
        return { state: { ...state, channels: { [record.id]: next } }, result: undefined };
      }),
    ),
  );
  return (await store.read()).channels[record.id]!.signedBalance;
}

describe('memoryStateStore', () => {
  it('serialises updates and keeps one store per identity', async () => {
    const factory = memoryStateStore();
    expect(await incrementConcurrently(factory(anIdentity()), 20)).toBe(20n);
    expect(factory(anIdentity())).toBe(factory(anIdentity()));
    expect((await factory(anIdentity({ chainId: 1n })).read()).channels).toEqual({});
  });
});

describe('localStorageStateStore', () => {
  it('serialises updates and stores the state file format under a per-identity key', async () => {
    const storage = fakeStorage();
    const store = localStorageStateStore({ storage, locks: null })(anIdentity());
    expect(await incrementConcurrently(store, 20)).toBe(20n);
    const [[key, text]] = [...storage.items.entries()] as [[string, string]];
    expect(key).toBe(`microraiden:31337-${anIdentity().channelManager}-${anIdentity().sender}`.toLowerCase());
    expect(JSON.parse(text)).toMatchObject({ version: 1, chainId: '31337' });
    // A second page (store) over the same storage sees it.
    expect((await localStorageStateStore({ storage, locks: null })(anIdentity()).read()).channels).toEqual(
      (await store.read()).channels,
    );
  });

  it('holds the Web Lock named after its key while it updates', async () => {
    const held: string[] = [];
    const locks: NamedLocks = {
      request: async (name, _options, callback) => {
        held.push(name);
        return callback();
      },
    };
    const store = localStorageStateStore({ storage: fakeStorage(), locks })(anIdentity());
    await store.update(() => ({ state: aSenderState(), result: undefined }));
    expect(held).toEqual([store.location.slice('localStorage:'.length)]);
  });

  it('gives up on a lock another tab never releases (STATE_LOCK_FAILED)', async () => {
    const locks: NamedLocks = {
      request: (_name, options) =>
        new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    };
    const store = localStorageStateStore({ storage: fakeStorage(), locks, waitMs: 20 })(anIdentity());
    const error = await store.update(() => ({ result: 1 })).catch((e: unknown) => e);
    expect(isClientError(error, 'STATE_LOCK_FAILED')).toBe(true);
  });

  it('refuses a corrupt entry (STATE_FILE_CORRUPT) and never overwrites it', async () => {
    const storage = fakeStorage();
    const store = localStorageStateStore({ storage, locks: null })(anIdentity());
    const key = store.location.slice('localStorage:'.length);
    storage.setItem(key, '{not json');
    const error = await store.update(() => ({ state: aSenderState(), result: 1 })).catch((e: unknown) => e);
    expect(isClientError(error, 'STATE_FILE_CORRUPT')).toBe(true);
    expect(storage.getItem(key)).toBe('{not json');
  });
});
