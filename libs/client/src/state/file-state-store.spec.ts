import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClientError } from '../client-error';
import { aChannelId, aChannelRecord, anIdentity, aSenderState, aTempDir } from '../test/builders';
import { FileChannelStateStore } from './file-state-store';
import { serializeSenderState } from './sender-state-file';

describe('FileChannelStateStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await aTempDir());
    file = FileChannelStateStore.fileFor(path.join(dir, 'state'), anIdentity());
  });
  afterEach(() => cleanup());

  const storeAt = (options = {}) => new FileChannelStateStore(file, anIdentity(), options);

  it('names one file per chain, channel manager and sender', () => {
    expect(path.basename(file)).toBe(
      `31337-0x5fbdb2315678afecb367f032d93f642f64180aa3-${anIdentity().sender.toLowerCase()}.json`,
    );
    expect(FileChannelStateStore.fileFor(dir, anIdentity({ chainId: 1n }))).not.toBe(
      FileChannelStateStore.fileFor(dir, anIdentity()),
    );
  });

  it('reads an empty state when the file does not exist', async () => {
    expect((await storeAt().read()).channels).toEqual({});
  });

  it('round-trips every field, including bigints and nulls', async () => {
    const record = aChannelRecord({
      deposit: 2n ** 96n - 1n,
      signedBalance: 7n,
      balanceSignature: `0x${'ab'.repeat(65)}`,
      acknowledgedBalance: 5n,
      chargedBalance: 3n,
      state: 'closing',
      settleAt: 1_700_000_000n,
      closingBalance: 7n,
      gatewayUrl: 'http://127.0.0.1:3000/api/1',
    });
    await storeAt().update(() => ({ state: aSenderState(record), result: undefined }));
    expect((await storeAt().read()).channels[record.id]).toEqual(record);
  });

  it('reads a file written before charged balances as not knowing one', async () => {
    const record = aChannelRecord({ signedBalance: 7n, acknowledgedBalance: 7n, chargedBalance: 4n });
    const json = JSON.parse(serializeSenderState(aSenderState(record))) as {
      channels: Record<string, Record<string, unknown>>;
    };
    delete json.channels[record.id]!.chargedBalance;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(json), { mode: 0o600 });
    expect((await storeAt().read()).channels[record.id]).toEqual({ ...record, chargedBalance: null });
  });

  it('writes the file with mode 0600 and leaves no temporary file behind', async () => {
    await storeAt().update(() => ({ state: aSenderState(aChannelRecord()), result: undefined }));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('leaves the file untouched when the mutation throws', async () => {
    const store = storeAt();
    await store.update(() => ({
      state: aSenderState(aChannelRecord({ signedBalance: 3n })),
      result: undefined,
    }));
    const before = await readFile(file, 'utf8');
    await expect(
      store.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('removes its temporary file when the atomic replace fails (a directory is in the way)', async () => {
    // The target becomes a directory after the read: rename(temp, file) fails, the temp file is removed.
    const store = storeAt();
    await expect(
      store.update(async () => {
        await mkdir(file);
        return { state: aSenderState(aChannelRecord()), result: undefined };
      }),
    ).rejects.toThrow();
    const names = await readdir(path.dirname(file));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('serialises read-modify-write across store instances: no update is lost', async () => {
    const id = aChannelId();
    await storeAt().update(() => ({ state: aSenderState(aChannelRecord()), result: undefined }));
    const stores = [storeAt(), storeAt(), storeAt()];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (stores[i % 3] as FileChannelStateStore).update(async (state) => {
          const record = state.channels[id]!;
          await new Promise((resolve) => setTimeout(resolve, 1));
          return {
            state: aSenderState({ ...record, signedBalance: record.signedBalance + 1n }),
            result: undefined,
          };
        }),
      ),
    );
    expect((await storeAt().read()).channels[id]?.signedBalance).toBe(30n);
  });

  it('takes over a lock abandoned by a crashed process once it is stale', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    await storeAt({ staleMs: 5_000 }).update(() => ({
      state: aSenderState(aChannelRecord()),
      result: undefined,
    }));
    expect(Object.keys((await storeAt().read()).channels)).toHaveLength(1);
  });

  it('gives up with STATE_LOCK_FAILED while another process holds a fresh lock', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await mkdir(`${file}.lock`);
    const error = await storeAt({ waitMs: 200 })
      .update(() => ({ result: undefined }))
      .catch((e: unknown) => e);
    expect(isClientError(error, 'STATE_LOCK_FAILED')).toBe(true);
  });

  describe('a corrupt file', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    function validFileWith(edit: (file: any) => void): string {
      const file: unknown = JSON.parse(serializeSenderState(aSenderState(aChannelRecord())));
      edit(file);
      return JSON.stringify(file);
    }

    const corruptions: [string, string][] = [
      ['not JSON', '{"version": 1, "chai'],
      ['a wrong version', JSON.stringify({ version: 9, chainId: '31337', channels: {} })],
      ['a negative amount', validFileWith((file) => (file.channels[aChannelId()].deposit = '-1'))],
      [
        'an uppercase channel id',
        validFileWith((file) => (file.channels = { [aChannelId().toUpperCase()]: {} })),
      ],
      [
        'another sender',
        JSON.stringify({
          version: 1,
          chainId: '31337',
          channelManager: anIdentity().channelManager,
          sender: anIdentity().channelManager,
          channels: {},
        }),
      ],
    ];

    it.each(corruptions)(
      'with %s is refused with STATE_FILE_CORRUPT and never overwritten',
      async (_, text) => {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, text);
        const store = storeAt();
        const readError = await store.read().catch((e: unknown) => e);
        expect(isClientError(readError, 'STATE_FILE_CORRUPT')).toBe(true);
        expect((readError as Error).message).toContain('run sync');
        let mutated = false;
        const updateError = await store
          .update(() => {
            mutated = true;
            return { state: aSenderState(), result: undefined };
          })
          .catch((e: unknown) => e);
        expect(isClientError(updateError, 'STATE_FILE_CORRUPT')).toBe(true);
        expect(mutated).toBe(false);
        expect(await readFile(file, 'utf8')).toBe(text);
      },
    );
  });
});
