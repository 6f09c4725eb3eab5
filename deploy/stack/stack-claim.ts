import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// One `npm run stack` per checkout: a second one would stop the first one's services as leftovers (they share
// .run/stack.pids) and fight over its ports, so the running one's pid is kept next to them.

/** The pid of another live stack run recorded in `pidFile`, or undefined when there is none (or it died). */
export function runningStackPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    // A recycled pid belongs to some other program: only a stack's own command line counts.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('deploy/stack/stack.ts') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Records this process as the checkout's stack run. */
export function claimStack(pidFile: string): void {
  mkdirSync(path.dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, String(process.pid));
}

/** Gives the checkout up again, if this process holds it. */
export function releaseStack(pidFile: string): void {
  if (existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()) === process.pid)
    rmSync(pidFile, { force: true });
}
