import { privateFileProblem, readSecretText } from './private-file';

/**
 * Settings that are secrets: each may instead be read from the file named by `<NAME>_FILE` (mode 0600), as
 * compose and Kubernetes mount secrets, so the value never sits in the process environment.
 */
export const SECRET_ENV_KEYS = ['OPERATOR_TOKEN', 'RECEIVER_KEYSTORE_PASSWORD'] as const;

/**
 * The environment with each `<NAME>_FILE` of a secret in `known` read into `<NAME>`; problems are pushed to
 * `issues` (named after the setting, never showing the secret).
 */
export function resolveSecretFiles(
  env: NodeJS.ProcessEnv,
  known: ReadonlySet<string>,
  issues: string[],
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const key of SECRET_ENV_KEYS) {
    const file = env[`${key}_FILE`];
    if (!known.has(key) || file === undefined || file === '') continue;
    if (env[key] !== undefined && env[key] !== '') {
      issues.push(`${key}_FILE: set ${key} or ${key}_FILE, not both`);
      continue;
    }
    const problem = privateFileProblem(file);
    if (problem === undefined) resolved[key] = readSecretText(file);
    else issues.push(`${key}_FILE: ${problem}`);
  }
  return resolved;
}
