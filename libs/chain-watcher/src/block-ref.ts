/** A block as the follower remembers it: enough to notice that it is no longer canonical. */
export interface BlockRef {
  readonly number: number;
  readonly hash: string;
}

/** A block header as read from the chain. */
export interface BlockHeader extends BlockRef {
  readonly parentHash: string;
  /** Unix seconds. */
  readonly timestamp: number;
}

/** A raw log of the channel manager, as `eth_getLogs` returns it. */
export interface RawLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  /** Index of the log in its block. */
  readonly index: number;
  readonly removed?: boolean;
}
