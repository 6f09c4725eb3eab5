import { z } from 'zod';
import { bytes32Field, instantField } from './wire-fields';
import { whenFieldsValid } from './when-fields-valid';

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

/**
 * Schema of version `version` of an event whose id is derived from its data: the envelope around `data`, plus an
 * issue on `id` when it is not `idOf(data)`, so a consumer's dedup by id cannot be fooled by a copied id.
 */
export function derivedIdEventSchema<
  const Type extends string,
  const Version extends number,
  Data extends z.ZodType,
>(type: Type, version: Version, data: Data, idOf: (data: z.output<Data>) => string, what: string) {
  return eventSchema(type, version, data).superRefine((parsed, ctx) => {
    // The generic envelope hides `data`'s type from the compiler; the object above guarantees the field.
    const event = parsed as unknown as { id: string; data: z.output<Data> };
    if (event.id.toLowerCase() !== idOf(event.data))
      ctx.addIssue({
        code: 'custom',
        path: ['id'],
        message: `id is not the deterministic id of this ${what}`,
      });
  }, whenFieldsValid);
}
