import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error';

type Source = Record<string, unknown>;

/** Recursively freeze a config object so no module can change it after start-up. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function readConfigFile(path: string): Source {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`CONFIG_FILE: cannot read ${path}: ${(err as Error).message}`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Source;
  } catch (err) {
    throw new ConfigError([`CONFIG_FILE: ${path} is not a JSON object: ${(err as Error).message}`]);
  }
}

/**
 * Load configuration once at start-up: keys from the JSON file named by `CONFIG_FILE` (if any), overridden
 * by environment variables of the same name, validated by `schema`. Throws a ConfigError naming every bad key.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.output<S>> {
  const fromFile = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const fromEnv: Source = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const result = schema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return deepFreeze(result.data);
}
