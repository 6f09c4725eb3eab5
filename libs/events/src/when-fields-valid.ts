import type { z } from 'zod';

/**
 * Cross-field refinements run only once every field parsed: zod otherwise runs them after "continuable" issues
 * (a failed regex), handing them values that would make id hashing throw.
 */
export const whenFieldsValid = {
  when: (payload: z.core.ParsePayload) => payload.issues.length === 0,
};
