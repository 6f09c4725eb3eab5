import type { SenderIdentity, SenderState } from './sender-state-file';

/** The outcome of one read-modify-write: the new state (omit to leave the store untouched) and a result. */
export interface StateUpdate<T> {
  readonly state?: SenderState;
  readonly result: T;
}

/**
 * Where a sender keeps its channels and signed balance proofs (the port; adapters: a file in Node, memory,
 * a browser's localStorage). The one rule every adapter keeps: `update` calls are serialised for everyone
 * sharing the state, and what `mutate` returns is stored before `update` resolves — a proof is signed
 * inside `mutate`, so it is persisted before it can be sent and two signers never sign on top of the same
 * balance.
 */
export interface ChannelStateStore {
  readonly identity: SenderIdentity;
  /** Where the state lives, for messages (a file path, `memory`, `localStorage:<key>`). */
  readonly location: string;
  /** The current state; an empty one when nothing is stored yet. Throws STATE_FILE_CORRUPT. */
  read(): Promise<SenderState>;
  /** Runs `mutate` on the latest state, exclusively, and stores what it returns before resolving. */
  update<T>(mutate: (state: SenderState) => StateUpdate<T> | Promise<StateUpdate<T>>): Promise<T>;
}

/** Makes the store of one sender identity (chain id, channel manager, sender), known once the chain is. */
export type StateStoreFactory = (identity: SenderIdentity) => ChannelStateStore;
