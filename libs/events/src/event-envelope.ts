import { z } from 'zod';
import { bytes32Field, instantField } from './wire-fields';

/** Name of the service (or tool) that produced an event, e.g. `gateway`, `chain-watcher`. */
export const sourceField = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lowercase service name of at most 64 characters');

/**
 * Schema of one version of one event type: the common envelope around its `data`. Unknown fields are dropped
 * rather than rejected (tolerant reader) so a producer may add an optional field within a version during a
 * rolling deploy; anything else is a new version.
 */
export function eventSchema<const Type extends string, const Version extends number, Data extends z.ZodType>(
  type: Type,
  version: Version,
  data: Data,
) {
  return z.object({
    /** Deterministic per event (see the README): re-publishing the same fact yields the same id. */
    id: bytes32Field,
    type: z.literal(type),
    version: z.literal(version),
    occurredAt: instantField,
    source: sourceField,
    data,
  });
}
