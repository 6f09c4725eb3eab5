import { z } from 'zod';
import { toChecksumAddress, type Address, type Hex, type Hex32 } from '@microraiden/protocol';
import type { ChannelRecord } from './channel-record';

/** The chain, channel manager and sender one state file belongs to. */
export interface SenderIdentity {
  readonly chainId: bigint;
  readonly channelManager: Address;
  readonly sender: Address;
}

/** Everything one sender keeps locally for one channel manager: its channels by id. */
export interface SenderState {
  readonly identity: SenderIdentity;
  readonly channels: Readonly<Record<Hex32, ChannelRecord>>;
}

/** The on-disk format version; bump on incompatible changes and migrate in parseSenderState. */
export const SENDER_STATE_VERSION = 1;

const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'a base-10 amount')
  .transform((text) => BigInt(text));
const address = z
  .string()
  .refine((text) => toChecksumAddress(text) !== undefined, 'an address')
  .transform((text) => toChecksumAddress(text) as Address);
const channelId = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, 'a lowercase 32-byte hex id')
  .transform((text) => text as Hex32);
const signature = z
  .string()
  .regex(/^0x[0-9a-f]{130}$/, 'a 65-byte hex signature')
  .transform((text) => text as Hex);

const channelSchema = z.object({
  sender: address,
  receiver: address,
  deposit: amount,
  signedBalance: amount,
  balanceSignature: signature.nullable(),
  acknowledgedBalance: amount.nullable(),
  // Absent in files written before metered prices: unknown, as if no receipt had named one.
  chargedBalance: amount.nullable().default(null),
  withdrawn: amount,
  state: z.enum(['open', 'closing', 'settled']),
  settleAt: amount.nullable(),
  closingBalance: amount.nullable(),
  openedBlock: z.number().int().nonnegative().nullable(),
  gatewayUrl: z.string().max(2048).nullable(),
});

const fileSchema = z.object({
  version: z.literal(SENDER_STATE_VERSION),
  chainId: amount,
  channelManager: address,
  sender: address,
  channels: z.record(channelId, channelSchema),
});

/** A state with no channels. */
export function emptySenderState(identity: SenderIdentity): SenderState {
  return { identity, channels: {} };
}

/**
 * Validates a parsed state file. Returns the reason instead of throwing so the store can name the file;
 * a file of another chain, contract or sender is refused, never silently reused.
 */
export function parseSenderState(
  json: unknown,
  expected: SenderIdentity,
): { ok: true; state: SenderState } | { ok: false; reason: string } {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const file = parsed.data;
  if (
    file.chainId !== expected.chainId ||
    file.channelManager !== expected.channelManager ||
    file.sender !== expected.sender
  ) {
    return { ok: false, reason: 'it belongs to another chain, channel manager or sender' };
  }
  const channels: Record<Hex32, ChannelRecord> = {};
  for (const [id, channel] of Object.entries(file.channels)) {
    channels[id as Hex32] = { id: id as Hex32, ...channel };
  }
  return { ok: true, state: { identity: expected, channels } };
}

const text = (value: bigint | null): string | null => (value === null ? null : value.toString(10));

/** The state as pretty JSON text, channels in a stable order (by opening block, then id). */
export function serializeSenderState(state: SenderState): string {
  const ordered = Object.values(state.channels).sort(
    (a, b) => (a.openedBlock ?? Infinity) - (b.openedBlock ?? Infinity) || a.id.localeCompare(b.id),
  );
  const channels: Record<string, unknown> = {};
  for (const c of ordered) {
    channels[c.id] = {
      sender: c.sender,
      receiver: c.receiver,
      deposit: text(c.deposit),
      signedBalance: text(c.signedBalance),
      balanceSignature: c.balanceSignature,
      acknowledgedBalance: text(c.acknowledgedBalance),
      chargedBalance: text(c.chargedBalance),
      withdrawn: text(c.withdrawn),
      state: c.state,
      settleAt: text(c.settleAt),
      closingBalance: text(c.closingBalance),
      openedBlock: c.openedBlock,
      gatewayUrl: c.gatewayUrl,
    };
  }
  const file = {
    version: SENDER_STATE_VERSION,
    chainId: text(state.identity.chainId),
    channelManager: state.identity.channelManager,
    sender: state.identity.sender,
    channels,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
