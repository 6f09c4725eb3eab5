import type { DemoApp } from '../demo-app';
import { completionHandler } from './completion';

/** Where the demo upstream serves the completion; the stack's routes file meters it per token (a streamed route). */
export const UPSTREAM_COMPLETION_PATH = '/api/complete';

/**
 * The completion as one of the demo upstream's apps, unpaid: behind the stack's front the gateways meter it (reverse
 * proxy, docs/protocol.md 7.3), as the embedded demo on its own port meters the same handler in-process.
 */
export function createCompletionDemoApp(): DemoApp {
  const complete = completionHandler();
  return {
    name: 'completion',
    mounts: [UPSTREAM_COMPLETION_PATH],
    handle: (req, res) => complete(req, res),
  };
}
