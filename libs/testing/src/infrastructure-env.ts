import { z } from 'zod';
import { InfrastructureError } from './infrastructure-error';

const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);
const hostPort = String.raw`[\w.-]+:\d{1,5}`;

/** The environment the integration set-up reads; unset (or empty) service variables mean "start one". */
export const infrastructureEnvSchema = z.object({
  KAFKA_BROKERS: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(
        new RegExp(String.raw`^\s*${hostPort}(\s*,\s*${hostPort})*\s*$`),
        'expected host:port[,host:port...]',
      )
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/.+\/[^/?]+/, 'expected postgres://[user@]host[:port]/database')
      .optional(),
  ),
  RPC_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^https?:\/\//, 'expected an http(s):// URL')
      .optional(),
  ),
  /** auto: containers when a Docker engine answers, else local processes; or force one of the two. */
  TEST_INFRA: z.preprocess(unsetWhenEmpty, z.enum(['auto', 'containers', 'local']).default('auto')),
});

export type InfrastructureEnv = z.output<typeof infrastructureEnvSchema>;

/** Validate the integration set-up's environment once, listing every bad variable. */
export function parseInfrastructureEnv(env: NodeJS.ProcessEnv): InfrastructureEnv {
  const result = infrastructureEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new InfrastructureError(
    'INFRA_MISCONFIGURED',
    `invalid test environment:\n  - ${issues.join('\n  - ')}`,
    {
      count: issues.length,
    },
  );
}
