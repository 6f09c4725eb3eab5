import type { Hex } from '@microraiden/events';
import type {
  ChainFact,
  ChannelProjection,
  CloseSignedState,
  ProofState,
} from '../projection/channel-projection';
import type { ChannelView } from '../projection/channel-view';
import { CHANNEL_VIEW_COLUMN_TYPES, encodeViewColumns } from './channel-columns';

/** JSON form of a chain fact (amounts as base-10 strings: jsonb has no exact big integers). */
interface ChainFactJson extends Omit<ChainFact, 'amounts'> {
  amounts: Record<string, string>;
}

/** JSON form of the proof state; rows written before charged balances existed have none (it equals balance). */
interface ProofStateJson extends Omit<ProofState, 'balance' | 'chargedBalance'> {
  balance: string;
  chargedBalance?: string;
}

/** JSON form of the closing signature's state. */
interface CloseSignedJson extends Omit<CloseSignedState, 'balance'> {
  balance: string;
}

/** What `SELECT channel_id, chain_facts, proof_state, close_signed, updated_at` returns. */
export interface StoredChannelRow {
  channel_id: string;
  chain_facts: ChainFactJson[];
  proof_state: ProofStateJson | null;
  close_signed: CloseSignedJson | null;
  updated_at: Date;
}

/** Rebuild the projection of a stored row. */
export function projectionFromRow(row: StoredChannelRow): ChannelProjection {
  return {
    channelId: row.channel_id as Hex,
    chainFacts: row.chain_facts.map((fact) => ({
      ...fact,
      amounts: Object.fromEntries(Object.entries(fact.amounts).map(([k, v]) => [k, BigInt(v)])),
    })),
    proof: row.proof_state ? proofFromJson(row.proof_state) : null,
    closeSigned: row.close_signed ? { ...row.close_signed, balance: BigInt(row.close_signed.balance) } : null,
    updatedAt: row.updated_at.toISOString(),
  };
}

function proofFromJson(json: ProofStateJson): ProofState {
  return {
    ...json,
    balance: BigInt(json.balance),
    chargedBalance: BigInt(json.chargedBalance ?? json.balance),
  };
}

/** The projection's own columns (JSON), beside the view's: what a batch reads back to evolve a channel. */
export const CHANNEL_STATE_COLUMNS = ['chain_facts', 'proof_state', 'close_signed'] as const;

/** One record of the batch UPDATE: the view's columns plus the projection they derive from. */
export function rowOf(channel: ChannelProjection, view: ChannelView): Record<string, unknown> {
  const chainFacts: ChainFactJson[] = channel.chainFacts.map((fact) => ({
    ...fact,
    amounts: Object.fromEntries(Object.entries(fact.amounts).map(([k, v]) => [k, v.toString()])),
  }));
  const proofState: ProofStateJson | null = channel.proof
    ? {
        ...channel.proof,
        balance: channel.proof.balance.toString(),
        chargedBalance: channel.proof.chargedBalance.toString(),
      }
    : null;
  const closeSigned: CloseSignedJson | null = channel.closeSigned
    ? { ...channel.closeSigned, balance: channel.closeSigned.balance.toString() }
    : null;
  return {
    ...encodeViewColumns(view),
    chain_facts: chainFacts,
    proof_state: proofState,
    close_signed: closeSigned,
  };
}

/** The columns of {@link rowOf} with their SQL types, for the batch UPDATE's `unnest`. */
export const CHANNEL_RECORD_TYPES: ReadonlyArray<readonly [string, string]> = [
  ...CHANNEL_VIEW_COLUMN_TYPES,
  ...CHANNEL_STATE_COLUMNS.map((column) => [column, 'jsonb'] as const),
];
