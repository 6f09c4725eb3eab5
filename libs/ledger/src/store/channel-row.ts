import type { Hex } from '@microraiden/events';
import type {
  ChainFact,
  ChannelProjection,
  CloseSignedState,
  ProofState,
} from '../projection/channel-projection';
import type { ChannelView } from '../projection/channel-view';

/** JSON form of a chain fact (amounts as base-10 strings: jsonb has no exact big integers). */
interface ChainFactJson extends Omit<ChainFact, 'amounts'> {
  amounts: Record<string, string>;
}

/** JSON form of the proof state. */
interface ProofStateJson extends Omit<ProofState, 'balance'> {
  balance: string;
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
    proof: row.proof_state ? { ...row.proof_state, balance: BigInt(row.proof_state.balance) } : null,
    closeSigned: row.close_signed ? { ...row.close_signed, balance: BigInt(row.close_signed.balance) } : null,
    updatedAt: row.updated_at.toISOString(),
  };
}

const text = (value: bigint | null) => (value === null ? null : value.toString());

/** One record for `jsonb_to_recordset`: the view's columns plus the projection they derive from. */
export function rowOf(channel: ChannelProjection, view: ChannelView): Record<string, unknown> {
  const chainFacts: ChainFactJson[] = channel.chainFacts.map((fact) => ({
    ...fact,
    amounts: Object.fromEntries(Object.entries(fact.amounts).map(([k, v]) => [k, v.toString()])),
  }));
  const proofState: ProofStateJson | null = channel.proof
    ? { ...channel.proof, balance: channel.proof.balance.toString() }
    : null;
  const closeSigned: CloseSignedJson | null = channel.closeSigned
    ? { ...channel.closeSigned, balance: channel.closeSigned.balance.toString() }
    : null;
  return {
    channel_id: view.channelId,
    status: view.status,
    sender: view.sender,
    receiver: view.receiver,
    chain_id: view.chainId,
    channel_manager: view.channelManager,
    deposit: text(view.deposit),
    withdrawn: text(view.withdrawn),
    balance: text(view.balance),
    signature: view.signature,
    proof_count: view.proofCount,
    last_proof_at: view.lastProofAt,
    close_balance: text(view.closeBalance),
    close_signed_balance: text(view.closeSignedBalance),
    close_signed_at: view.closeSignedAt,
    settle_at: text(view.settleAt),
    settled_at: view.settledAt,
    settled_balance: text(view.settledBalance),
    receiver_paid: text(view.receiverPaid),
    sender_refund: text(view.senderRefund),
    created_block: view.createdBlock,
    chain_facts: chainFacts,
    proof_state: proofState,
    close_signed: closeSigned,
    updated_at: view.updatedAt,
  };
}

/** Column list of {@link rowOf} with SQL types, for `jsonb_to_recordset(...) AS x(<this>)`. */
export const CHANNEL_RECORD_COLUMNS = `channel_id text, status text, sender text, receiver text, chain_id integer,
  channel_manager text, deposit numeric, withdrawn numeric, balance numeric, signature text, proof_count integer,
  last_proof_at timestamptz, close_balance numeric, close_signed_balance numeric, close_signed_at timestamptz,
  settle_at numeric, settled_at timestamptz, settled_balance numeric, receiver_paid numeric, sender_refund numeric,
  created_block bigint, chain_facts jsonb, proof_state jsonb, close_signed jsonb, updated_at timestamptz`;
