import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One demo mounted into the demo upstream. It knows nothing about payments: the gateway in front decides
 * what each path costs (deploy/stack/routes.json) and only forwards requests that are paid for.
 */
export interface DemoApp {
  readonly name: string;
  /** Paths it answers: exact paths, or prefixes when they end in `/` (`/wiki/` serves `/wiki/Ethereum`). */
  readonly mounts: readonly string[];
  /** Answers one request; `url` is the parsed request target. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}
