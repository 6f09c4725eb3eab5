import type { MicroraidenEvent } from '@microraiden/events';
import { outboxRowOf, quotedOutboxTable } from '@microraiden/kafka';
import type { Address, Hex, Hex32 } from '@microraiden/protocol';
import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import type { ChannelSnapshot, ChannelState, ProofToAccept } from '../core/channel-snapshot';
import type { ChannelStore } from '../core/channel-store';
import { MicroBatcher } from '../core/micro-batcher';

/** Where accepted events go; tests use unique topics and tables. */
export interface PgChannelStoreOptions {
  /** Topic of `balance-proof.accepted`, `.charged` and `.close-signed` (default: the catalogue's). */
  readonly balanceProofsTopic?: string;
  /** Outbox table created by libs/kafka's migrateOutbox (default `outbox`). */
  readonly outboxTable?: string;
  /** Acceptance batches (transactions) in flight at once (default 2): one commits while the next fills. */
  readonly acceptBatchesInFlight?: number;
}

interface SnapshotRow {
  channel_id: string;
  sender: string;
  receiver: string;
  deposit: string;
  state: ChannelState;
  confirmed: boolean;
  accepted_balance: string;
  charged_balance: string;
  last_signature: string | null;
  signer: string | null;
}

const SNAPSHOT_SQL = `
  SELECT channel_id, sender, receiver, deposit::text AS deposit, state, confirmed,
         accepted_balance::text AS accepted_balance, charged_balance::text AS charged_balance, last_signature,
         signer
  FROM gateway_channels WHERE channel_id = ANY($1::text[])`;

/**
 * A batch of acceptances in one statement, hence one round trip and one implicit transaction: each compare-and-set
 * on a channel row and its outbox row commit together (or that proof is simply not accepted). Rows are locked in
 * channel-id order first, so two replicas' batches cannot deadlock, and the locks are held until the commit, so one
 * channel's outbox ids follow its commit order (what libs/kafka's relay needs for per-channel order). A batch holds
 * at most one proof per channel. Outbox rows are libs/kafka's (outboxRowOf); no NOTIFY: relays poll and publish in
 * batches, as libs/kafka advises at high commit rates.
 */
function acceptSql(outboxTable: string): string {
  return `
    WITH input AS (
      SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::text[], $5::numeric[],
                           $6::text[], $7::text[], $8::bytea[], $9::jsonb[], $10::int[], $11::numeric[],
                           $12::numeric[])
        AS t(channel_id, balance, expected, signature, price, topic, key, payload, headers, ord, expected_charged,
             charge)
    ),
    locked AS (
      SELECT channel_id FROM gateway_channels
      WHERE channel_id IN (SELECT channel_id FROM input)
      ORDER BY channel_id
      FOR UPDATE
    ),
    accepted AS (
      UPDATE gateway_channels c
      SET accepted_balance = i.balance, charged_balance = i.expected_charged + i.charge,
          last_signature = i.signature, paid_requests = c.paid_requests + 1, updated_at = now()
      FROM input i JOIN locked l ON l.channel_id = i.channel_id
      WHERE c.channel_id = i.channel_id
        AND c.state = 'open' AND c.confirmed
        AND i.balance <= c.deposit
        AND c.accepted_balance = i.expected
        AND c.charged_balance = i.expected_charged
        AND i.balance > i.expected
        AND i.balance - i.expected_charged >= i.price
        AND i.expected_charged + i.charge <= i.balance
      RETURNING i.ord
    ),
    outboxed AS (
      INSERT INTO ${outboxTable} (topic, key, payload, headers)
      SELECT i.topic, i.key, i.payload, i.headers FROM input i JOIN accepted a ON a.ord = i.ord ORDER BY i.ord
      RETURNING id
    )
    SELECT ord FROM accepted`;
}

/**
 * The same compare-and-set and outbox row for a batch of one, which is every acceptance of a serial client and most
 * at low load: scalar parameters (the payload goes as binary bytea) spare the array parsing and the lock step, about
 * a third of the batched statement's database time for a single proof.
 */
function acceptOneSql(outboxTable: string): string {
  return `
    WITH accepted AS (
      UPDATE gateway_channels c
      SET accepted_balance = $2::numeric, charged_balance = $10::numeric + $11::numeric,
          last_signature = $4::text, paid_requests = c.paid_requests + 1, updated_at = now()
      WHERE c.channel_id = $1
        AND c.state = 'open' AND c.confirmed
        AND $2::numeric <= c.deposit
        AND c.accepted_balance = $3::numeric
        AND c.charged_balance = $10::numeric
        AND $2::numeric > $3::numeric
        AND $2::numeric - $10::numeric >= $5::numeric
        AND $10::numeric + $11::numeric <= $2::numeric
      RETURNING c.channel_id
    ),
    outboxed AS (
      INSERT INTO ${outboxTable} (topic, key, payload, headers)
      SELECT $6::text, $7::text, $8::bytea, $9::jsonb FROM accepted
      RETURNING id
    )
    SELECT count(*)::int AS accepted FROM accepted`;
}

// A close is for the charged balance (docs/protocol.md section 10): on a channel of fixed prices it equals the accepted one.
const MARK_CLOSING_UPDATE = `
  UPDATE gateway_channels
  SET close_signed_balance = $2::numeric, state = CASE WHEN state = 'open' THEN 'closing' ELSE state END,
      updated_at = now()
  WHERE channel_id = $1 AND charged_balance = $2::numeric AND state <> 'settled' AND confirmed
  RETURNING channel_id`;

/**
 * A charge without a new signature and its `balance-proof.charged` outbox row in one statement: the compare-and-set
 * on the charged balance, which may not pass the accepted (signed) one, and the row only if it matched.
 */
function chargeSql(outboxTable: string): string {
  return `
    WITH charged AS (
      UPDATE gateway_channels c
      SET charged_balance = $2::numeric + $3::numeric, updated_at = now()
      WHERE c.channel_id = $1
        AND c.state = 'open' AND c.confirmed
        AND c.charged_balance = $2::numeric
        AND $2::numeric + $3::numeric <= c.accepted_balance
      RETURNING c.channel_id
    ),
    outboxed AS (
      INSERT INTO ${outboxTable} (topic, key, payload, headers)
      SELECT $4::text, $5::text, $6::bytea, $7::jsonb FROM charged
      RETURNING id
    )
    SELECT count(*)::int AS charged FROM charged`;
}

/**
 * The closing mark and its `balance-proof.close-signed` outbox row in one statement (one implicit transaction): the
 * row is inserted only if the update matched, so the event exists iff the channel was marked. The update locks the
 * channel row until the commit, so the row's outbox id follows the channel's earlier acceptances.
 */
function markClosingSql(outboxTable: string): string {
  return `
    WITH marked AS (${MARK_CLOSING_UPDATE}),
    outboxed AS (
      INSERT INTO ${outboxTable} (topic, key, payload, headers)
      SELECT $3::text, $4::text, $5::bytea, $6::jsonb FROM marked
      RETURNING id
    )
    SELECT count(*)::int AS marked FROM marked`;
}

interface Acceptance {
  readonly proof: ProofToAccept;
  readonly event: MicroraidenEvent;
}

// Postgres reports these when concurrent transactions collide; the whole statement may simply be run again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_BATCH = 64;

/**
 * The ChannelStore on the shared Postgres table `gateway_channels`. Concurrent reads and acceptances are
 * micro-batched: under load one round trip serves many requests; a lone request is not delayed.
 */
export class PgChannelStore implements ChannelStore {
  private readonly acceptStatement: string;
  private readonly acceptOneStatement: string;
  private readonly markClosingStatement: string;
  private readonly chargeStatement: string;
  private readonly snapshots: MicroBatcher<Hex32, ChannelSnapshot | undefined>;
  private readonly acceptances: MicroBatcher<Acceptance, boolean>;

  constructor(
    private readonly pool: Pool,
    private readonly options: PgChannelStoreOptions = {},
  ) {
    this.acceptStatement = acceptSql(quotedOutboxTable(options.outboxTable));
    this.acceptOneStatement = acceptOneSql(quotedOutboxTable(options.outboxTable));
    this.markClosingStatement = markClosingSql(quotedOutboxTable(options.outboxTable));
    this.chargeStatement = chargeSql(quotedOutboxTable(options.outboxTable));
    this.snapshots = new MicroBatcher((ids) => this.readSnapshots(ids), { maxBatch: MAX_BATCH });
    this.acceptances = new MicroBatcher((batch) => this.acceptBatch(batch), {
      maxBatch: MAX_BATCH,
      keyOf: (a) => a.proof.channelId,
      maxInFlight: options.acceptBatchesInFlight ?? 2,
    });
  }

  snapshot(channelId: Hex32): Promise<ChannelSnapshot | undefined> {
    return this.snapshots.submit(channelId);
  }

  accept(proof: ProofToAccept, event: MicroraidenEvent): Promise<boolean> {
    return this.acceptances.submit({ proof, event });
  }

  async charge(
    channelId: Hex32,
    expectedCharged: bigint,
    amount: bigint,
    event: MicroraidenEvent,
  ): Promise<boolean> {
    // Encoded before the statement: an invalid event throws here and charges nothing.
    const row = outboxRowOf(event, this.options.balanceProofsTopic);
    const rows = await this.queryRetrying<{ charged: number }>({
      name: 'gateway_charge',
      text: this.chargeStatement,
      values: [
        channelId,
        expectedCharged.toString(),
        amount.toString(),
        row.topic,
        row.key,
        row.payload,
        JSON.stringify(row.headers),
      ],
    });
    return rows[0]?.charged === 1;
  }

  async markClosing(channelId: Hex32, balance: bigint, event: MicroraidenEvent): Promise<boolean> {
    // Encoded before the statement: an invalid event throws here and marks nothing.
    const row = outboxRowOf(event, this.options.balanceProofsTopic);
    const { rows } = await this.pool.query<{ marked: number }>(this.markClosingStatement, [
      channelId,
      balance.toString(),
      row.topic,
      row.key,
      row.payload,
      JSON.stringify(row.headers),
    ]);
    return (rows[0]?.marked ?? 0) > 0;
  }

  private async readSnapshots(ids: readonly Hex32[]): Promise<Array<ChannelSnapshot | undefined>> {
    const { rows } = await this.pool.query<SnapshotRow>({
      name: 'gateway_snapshots',
      text: SNAPSHOT_SQL,
      values: [[...new Set(ids)]],
    });
    const byId = new Map<string, SnapshotRow>();
    for (const row of rows) byId.set(row.channel_id, row);
    return ids.map((channelId) => {
      const row = byId.get(channelId);
      if (row === undefined) return undefined;
      return {
        channelId,
        sender: row.sender as Address,
        receiver: row.receiver as Address,
        ...(row.signer === null ? {} : { signer: row.signer as Address }),
        deposit: BigInt(row.deposit),
        state: row.state,
        confirmed: row.confirmed,
        acceptedBalance: BigInt(row.accepted_balance),
        chargedBalance: BigInt(row.charged_balance),
        ...(row.last_signature === null ? {} : { lastSignature: row.last_signature as Hex }),
      };
    });
  }

  private async acceptBatch(batch: readonly Acceptance[]): Promise<boolean[]> {
    if (batch.length === 1) return [await this.acceptOne(batch[0]!)];
    const rows = batch.map((a) => outboxRowOf(a.event, this.options.balanceProofsTopic));
    const values = [
      batch.map((a) => a.proof.channelId),
      batch.map((a) => a.proof.balance.toString()),
      batch.map((a) => a.proof.expectedPrevious.toString()),
      batch.map((a) => a.proof.signature),
      batch.map((a) => a.proof.price.toString()),
      rows.map((row) => row.topic),
      rows.map((row) => row.key),
      rows.map((row) => row.payload),
      rows.map((row) => JSON.stringify(row.headers)),
      batch.map((_, i) => i),
      batch.map((a) => a.proof.expectedCharged.toString()),
      batch.map((a) => a.proof.charge.toString()),
    ];
    const accepted = new Set(
      (
        await this.queryRetrying<{ ord: number }>({
          name: 'gateway_accept',
          text: this.acceptStatement,
          values,
        })
      ).map((row) => row.ord),
    );
    return batch.map((_, i) => accepted.has(i));
  }

  private async acceptOne({ proof, event }: Acceptance): Promise<boolean> {
    const row = outboxRowOf(event, this.options.balanceProofsTopic);
    const values = [
      proof.channelId,
      proof.balance.toString(),
      proof.expectedPrevious.toString(),
      proof.signature,
      proof.price.toString(),
      row.topic,
      row.key,
      row.payload,
      JSON.stringify(row.headers),
      proof.expectedCharged.toString(),
      proof.charge.toString(),
    ];
    const rows = await this.queryRetrying<{ accepted: number }>({
      name: 'gateway_accept_one',
      text: this.acceptOneStatement,
      values,
    });
    return rows[0]?.accepted === 1;
  }

  /** Runs a statement; again (up to three times) when Postgres reports a collision that a rerun resolves. */
  private async queryRetrying<R extends QueryResultRow>(query: QueryConfig): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.pool.query<R>(query)).rows;
      } catch (err) {
        if (attempt >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  }
}
