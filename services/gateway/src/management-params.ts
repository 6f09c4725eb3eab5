import { GatewayError } from '@microraiden/paywall';
import { parseAddress } from '@microraiden/protocol';
import { z } from 'zod';

const address = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const parsed = parseAddress(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });
const channelId = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected 0x + 64 hex digits')
  .transform((id) => id.toLowerCase() as `0x${string}`);

/** Query of GET /channels and GET /channels/{sender}. */
export const listChannelsQuery = z
  .object({
    sender: address.optional(),
    state: z.enum(['open', 'closing', 'settled']).optional(),
    cursor: channelId.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Path of GET /channels/{sender}. */
export const senderParams = z.object({ sender: address });

/** Path of GET /channels/{sender}/{channelId}. */
export const channelParams = z.object({ sender: address, channelId });

/** Validates `input` once at the edge; bad input is a 400 with the error body, never a 500. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new GatewayError('VALIDATION_FAILED', {
    field: issue?.path.join('.') ?? '',
    reason: issue?.message ?? 'invalid',
  });
}
