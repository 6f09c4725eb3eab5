import type { Challenge } from '@microraiden/protocol';

const DEFAULT_LIMIT = 1_000;

/**
 * The resource a challenge is remembered for: method, origin and path. The query is left out because a
 * gateway prices routes, not query strings, and M2M clients vary the query on every call.
 */
export function resourceKey(method: string | undefined, url: URL): string {
  return `${(method ?? 'GET').toUpperCase()} ${url.origin}${url.pathname}`;
}

/**
 * The last challenge seen per paid resource, so the next request can carry its payment right away instead
 * of being sent unpaid first. Bounded (least recently used entries are dropped) because a client may visit
 * any number of URLs.
 */
export class ChallengeMemory {
  private readonly entries = new Map<string, Challenge>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** The challenge remembered for `key`, marking it as recently used. */
  recall(key: string): Challenge | undefined {
    const challenge = this.entries.get(key);
    if (challenge !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, challenge);
    }
    return challenge;
  }

  /** Remembers (or replaces) the challenge for `key`. */
  remember(key: string, challenge: Challenge): void {
    this.entries.delete(key);
    this.entries.set(key, challenge);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets `key`: its next request starts with the unpaid handshake again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
