import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { resolveAliases, type ConfigWarn } from './env-aliases';
import { resolveSecretFiles } from './secret-files';

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

/** One line on stderr, as the services' logs (the logger does not exist yet when configuration loads). */
const warnOnStderr: ConfigWarn = (msg) => {
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg })}\n`);
};

export interface LoadConfigOptions {
  /** Where the warnings about deprecated names go (default: a JSON line on stderr). */
  readonly warn?: ConfigWarn;
}

/**
 * Load configuration once at start-up: keys from the JSON file named by `CONFIG_FILE` (if any), overridden
 * by environment variables of the same name, validated by `schema`. Deprecated names (DEPRECATED_ENV_ALIASES)
 * are read with a warning; a secret (SECRET_ENV_KEYS) may come from the 0600 file its `<NAME>_FILE` names.
 * Throws a ConfigError naming every bad key.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): Readonly<z.output<S>> {
  const fromFile = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const known = new Set(Object.keys(schema.shape));
  const fileIssues: string[] = [];
  const resolved = resolveSecretFiles(
    resolveAliases(env, known, options.warn ?? warnOnStderr),
    known,
    fileIssues,
  );
  const fromEnv: Source = {};
  for (const key of known) {
    const value = resolved[key];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const result = schema.safeParse({ ...fromFile, ...fromEnv });
  const issues = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  if (fileIssues.length > 0 || !result.success) throw new ConfigError([...fileIssues, ...issues]);
  return deepFreeze(result.data);
}
