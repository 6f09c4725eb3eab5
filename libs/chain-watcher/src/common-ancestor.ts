import type { BlockRef } from './block-ref';

/**
 * The highest remembered block that is still canonical: walk `remembered` from the top down and ask the chain
 * for the hash at each height. Undefined when none is (the reorg is deeper than the remembered window).
 * A remembered set with gaps yields an ancestor at or below the true one, which only costs re-reading logs.
 */
export async function findCommonAncestor(
  remembered: readonly BlockRef[],
  canonicalHashAt: (blockNumber: number) => Promise<string | undefined>,
): Promise<BlockRef | undefined> {
  const descending = [...remembered].sort((a, b) => b.number - a.number);
  for (const block of descending) {
    const canonical = await canonicalHashAt(block.number);
    if (canonical !== undefined && canonical.toLowerCase() === block.hash.toLowerCase()) return block;
  }
  return undefined;
}
