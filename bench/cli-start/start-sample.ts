// One timed start of a command: wall clock from spawn to exit, and the CPU the process and every child it
// waited for used (user + sys, bash's `time`: getrusage of its children to the millisecond), so an
// `npm run` wrapper and the node it starts count in full.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What one start cost. */
export interface StartSample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

// $1: where `time` writes "user sys", $2: the command's stderr, then the command. Its exit code is passed on.
const TIMED = 'TIMEFORMAT="%3U %3S"; { time "${@:3}" 2>"$2" >/dev/null; } 2>"$1"';

/** Runs `command` once; rejects when it exits other than `expectCode` (a bench of a failing start is no bench). */
export async function sampleStart(
  command: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; expectCode?: number },
): Promise<StartSample> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-start-'));
  const timeFile = path.join(dir, 'time');
  const errFile = path.join(dir, 'stderr');
  try {
    const started = process.hrtime.bigint();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('bash', ['-c', TIMED, 'bash', timeFile, errFile, ...command], {
        cwd: options.cwd,
        env: options.env,
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== (options.expectCode ?? 0)) {
      const stderr = await readFile(errFile, 'utf8').catch(() => '');
      throw new Error(`${command.join(' ')} exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    }
    const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split(' ').map(Number);
    if (user === undefined || sys === undefined || Number.isNaN(user + sys)) {
      throw new Error(`cannot read the CPU time of ${command.join(' ')}`);
    }
    return { wallMs, cpuMs: (user + sys) * 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
