import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface ComposeFile {
  services: Record<string, { environment?: Record<string, unknown>; secrets?: string[] }>;
  secrets?: Record<string, { file: string }>;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g,
    (match, name?: string, colon?: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      const set = env[name!];
      const missing = set === undefined || (colon === ':' && set === '');
      if (op === '-') return missing ? (arg ?? '') : set!;
      if (op === '?' && missing) throw new Error(`compose: ${name} is required: ${arg}`);
      return set ?? '';
    },
  );
}

/**
 * The environment compose gives `service` (anchors and merge keys resolved, `hostEnv` interpolated), with each
 * `/run/secrets/<name>` path replaced by the host file compose would mount there: what the service's config
 * loader reads at start-up in the container.
 */
export function composeServiceEnvironment(
  composeFile: string,
  service: string,
  hostEnv: Record<string, string | undefined>,
): Record<string, string> {
  const doc = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as ComposeFile;
  const spec = doc.services[service];
  if (spec === undefined) throw new Error(`no service ${service} in ${composeFile}`);
  const projectDir = path.dirname(composeFile);
  const secretPath = (name: string): string => {
    const file = doc.secrets?.[name]?.file;
    if (file === undefined || !(spec.secrets ?? []).includes(name))
      throw new Error(`${service} reads /run/secrets/${name}, which compose does not give it`);
    return path.resolve(projectDir, interpolate(file, hostEnv));
  };
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(spec.environment ?? {})) {
    const value = interpolate(String(raw), hostEnv);
    const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(value)?.[1];
    env[key] = secret === undefined ? value : secretPath(secret);
  }
  return env;
}
