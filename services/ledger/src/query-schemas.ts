import { addressSchema } from '@microraiden/config';
import { z } from 'zod';

/** A channel id in the path: 32 bytes of hex, stored lower-case. */
export const channelIdSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a channel id: 0x + 64 hex digits')
  .transform((value) => value.toLowerCase());

const limit = z.coerce.number().int().min(1).max(500).default(50);
const offset = z.coerce.number().int().min(0).max(1_000_000).default(0);

/** Query of GET /api/1/channels. */
export const channelListQuerySchema = z.object({
  status: z.enum(['pending', 'open', 'closing', 'settled']).optional(),
  sender: addressSchema.optional(),
  receiver: addressSchema.optional(),
  limit,
  offset,
});

const day = z.iso.date();

/** Query of GET /api/1/revenue/days. */
export const dayRangeQuerySchema = z
  .object({ from: day.optional(), to: day.optional() })
  .refine((range) => !range.from || !range.to || range.from <= range.to, 'from must not be after to');

/** Query of GET /api/1/audit. */
export const auditQuerySchema = z.object({
  channelId: channelIdSchema.optional(),
  outcome: z.enum(['applied', 'ignored']).optional(),
  limit,
  offset,
});
