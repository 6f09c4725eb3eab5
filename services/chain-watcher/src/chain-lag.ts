/** The provider calls {@link ChainLag} makes (ethers' JsonRpcProvider has them). */
export interface BlockTimestamps {
  getBlock(block: number | 'latest'): Promise<{ readonly number: number; readonly timestamp: number } | null>;
}

const READ_TIMEOUT_MS = 2_000;

/**
 * How far, in seconds of chain time, the followed block (the checkpoint) is behind the head. Measured when
 * asked (at scrape time) against the live head, so a follower that stalled shows a growing lag instead of the
 * last value it reported.
 */
export class ChainLag {
  private followed: number | undefined;
  private known: { block: number; timestamp: number } | undefined;

  constructor(private readonly chain: BlockTimestamps) {}

  /** The block every log up to which is published (undefined: not following, e.g. on standby). */
  follow(block: number | undefined): void {
    this.followed = block;
  }

  /** Head timestamp minus the followed block's timestamp; undefined when not following or the chain is silent. */
  async seconds(): Promise<number | undefined> {
    const followed = this.followed;
    if (followed === undefined) return undefined;
    const [head, followedAt] = await withTimeout(
      Promise.all([this.chain.getBlock('latest'), this.timestampOf(followed)]),
    );
    if (head === null || followedAt === undefined) return undefined;
    return Math.max(0, head.timestamp - followedAt);
  }

  private async timestampOf(block: number): Promise<number | undefined> {
    if (this.known?.block === block) return this.known.timestamp;
    const header = await this.chain.getBlock(block);
    if (header === null) return undefined;
    this.known = { block, timestamp: header.timestamp };
    return header.timestamp;
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('chain did not answer in time')), READ_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
