import type { ChannelStateStore, StateStoreFactory, StateUpdate } from './channel-state-store';
import { emptySenderState, type SenderIdentity, type SenderState } from './sender-state-file';
import { SerialQueue } from './serial-queue';

/**
 * State held in this process only: for tests, short scripts and pages that can afford to lose their proofs
 * on exit (the channels themselves are on chain; `sync()` finds them again, and the gateway's corrective
 * answer tells the balance it holds).
 */
export class MemoryChannelStateStore implements ChannelStateStore {
  readonly location = 'memory';
  private state: SenderState;
  private readonly queue = new SerialQueue();

  constructor(readonly identity: SenderIdentity) {
    this.state = emptySenderState(identity);
  }

  async read(): Promise<SenderState> {
    return this.state;
  }

  update<T>(mutate: (state: SenderState) => StateUpdate<T> | Promise<StateUpdate<T>>): Promise<T> {
    return this.queue.run(async () => {
      const { state, result } = await mutate(this.state);
      if (state !== undefined) this.state = state;
      return result;
    });
  }
}

/** One in-memory store per sender identity, kept for as long as the returned factory is. */
export function memoryStateStore(): StateStoreFactory {
  const stores = new Map<string, MemoryChannelStateStore>();
  return (identity) => {
    const key = `${identity.chainId}:${identity.channelManager}:${identity.sender}`.toLowerCase();
    let store = stores.get(key);
    if (!store) stores.set(key, (store = new MemoryChannelStateStore(identity)));
    return store;
  };
}
