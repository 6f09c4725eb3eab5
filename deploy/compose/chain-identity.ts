/**
 * What the services' Postgres state belongs to: one Kafka cluster (the ledger stores its offsets) and one chain
 * (the chain-watcher stores a block checkpoint, every projection holds its channels). Recreate either while
 * Postgres keeps its volume and the services would project nothing, or a chain that no longer exists.
 */
export interface ChainIdentity {
  readonly kafkaClusterId: string;
  readonly chainId: string;
  readonly channelManager: string;
  /** The hash of the block the contracts were deployed in: a recreated anvil chain has another one. */
  readonly deployBlockHash: string;
}

export type ChainGuardDecision =
  | { readonly action: 'record' }
  | { readonly action: 'match' }
  | { readonly action: 'refuse'; readonly changed: readonly (keyof ChainIdentity)[] };

/** Pure: record the identity on first run, pass when it is the recorded one, else refuse naming what changed. */
export function decideChainGuard(
  recorded: ChainIdentity | undefined,
  current: ChainIdentity,
): ChainGuardDecision {
  if (recorded === undefined) return { action: 'record' };
  const keys = ['kafkaClusterId', 'chainId', 'channelManager', 'deployBlockHash'] as const;
  const changed = keys.filter((key) => recorded[key].toLowerCase() !== current[key].toLowerCase());
  return changed.length === 0 ? { action: 'match' } : { action: 'refuse', changed };
}

/** The operator's message for a refusal: what changed and the two ways out. */
export function refusalMessage(changed: readonly (keyof ChainIdentity)[], recordedAt: string): string {
  const what = changed.map((key) => (key === 'kafkaClusterId' ? 'Kafka cluster' : 'chain')).filter(unique);
  return (
    `refusing to start the services: Postgres holds the state of another ${what.join(' and ')} ` +
    `(recorded ${recordedAt}; changed: ${changed.join(', ')}). The ${what.join(' and ')} was recreated while ` +
    'the postgres-data volume was kept. Start everything over with `docker compose down -v`, or bring back the ' +
    'anvil-data and kafka-data volumes that belong to this database.'
  );
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}
