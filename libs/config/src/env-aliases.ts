/**
 * Names a setting had before every service used one name for it: old name -> new name. A service reads the old
 * one only when the new one is unset, and says so once. Remove an entry after a release that announced it.
 */
export const DEPRECATED_ENV_ALIASES: Readonly<Record<string, string>> = {
  /** The gateway's name for the receiver keystore file. */
  RECEIVER_KEYSTORE: 'RECEIVER_KEYSTORE_FILE',
  /** The gateway's and the ledger's name for the Kafka consumer group. */
  CONSUMER_GROUP: 'KAFKA_GROUP_ID',
};

/** Receives the one warning per deprecated name a service was started with. */
export type ConfigWarn = (message: string) => void;

/**
 * The environment with each deprecated name that is set copied to its new name (unless that is set too: the new
 * name wins), for the new names `known` holds. Warns once per old name seen, naming its replacement.
 */
export function resolveAliases(
  env: NodeJS.ProcessEnv,
  known: ReadonlySet<string>,
  warn: ConfigWarn,
  aliases: Readonly<Record<string, string>> = DEPRECATED_ENV_ALIASES,
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const [oldName, newName] of Object.entries(aliases)) {
    const value = env[oldName];
    if (!known.has(newName) || value === undefined || value === '') continue;
    const newValue = env[newName];
    if (newValue === undefined || newValue === '') {
      resolved[newName] = value;
      warn(`${oldName} is deprecated: set ${newName} instead (read ${oldName} this time)`);
    } else {
      warn(`${oldName} is deprecated and ignored: ${newName} is set too`);
    }
  }
  return resolved;
}
