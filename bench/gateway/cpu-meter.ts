// CPU time spent by each party of a benchmark run, read from /proc (Linux; elsewhere it reports nothing).
// Where a paid request's cost goes matters more than one throughput number on a shared 2-core machine: this splits
// it into the gateway, the upstream, the load generator, Postgres (every backend, the WAL writer, ...) and Kafka.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A named group of processes: fixed pids, or every process whose command line matches. */
export interface CpuParty {
  readonly name: string;
  readonly pids?: () => readonly number[];
  readonly commandLine?: RegExp;
}

/** CPU seconds per party over one measured interval. */
export type CpuUse = Record<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on every Linux that Node supports

/** CPU seconds (user + system) a process has used so far; 0 when it is gone or /proc is not readable. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command; utime and stime are fields 14 and 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // gone, or not Linux
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Reads CPU seconds per party; `measure(run)` returns what `run` cost each of them. */
export class CpuMeter {
  constructor(private readonly parties: readonly CpuParty[]) {}

  /** True where /proc is readable. */
  get available(): boolean {
    return allPids().length > 0;
  }

  private sample(): Map<number, { party: string; seconds: number }> {
    const out = new Map<number, { party: string; seconds: number }>();
    const everyPid = this.parties.some((p) => p.commandLine) ? allPids() : [];
    for (const party of this.parties) {
      const pids = party.pids?.() ?? everyPid.filter((pid) => party.commandLine!.test(commandLineOf(pid)));
      for (const pid of pids)
        if (!out.has(pid)) out.set(pid, { party: party.name, seconds: cpuSecondsOf(pid) });
    }
    return out;
  }

  /** Runs `run` and returns its result with the CPU seconds each party spent meanwhile. */
  async measure<T>(run: () => Promise<T>): Promise<{ result: T; cpu: CpuUse }> {
    const before = this.sample();
    const result = await run();
    const after = this.sample();
    const cpu: CpuUse = Object.fromEntries(this.parties.map((p) => [p.name, 0]));
    for (const [pid, { party, seconds }] of after) {
      cpu[party] = (cpu[party] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
    }
    return { result, cpu };
  }
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode: the local port is hex after the colon, state 0A is LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (Number.parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/**
 * The process listening on a local TCP port (e.g. the Kafka broker this run uses, when the machine runs several),
 * from /proc; undefined when none is found or /proc is not readable.
 */
export function pidListeningOn(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of allPids()) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
