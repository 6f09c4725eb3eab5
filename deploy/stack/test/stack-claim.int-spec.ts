import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimStack, releaseStack, runningStackPid } from '../stack-claim';

// A process whose command line looks like a running stack (`node -e ... deploy/stack/stack.ts`), or like anything else.
function sleeper(argument: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', argument], {
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

describe('one stack per checkout', () => {
  const children: ChildProcess[] = [];
  const pidFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'stack-claim-')), 'stack.pid');
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('sees a live stack recorded in the file', async () => {
    const stack = await sleeper('/repo/deploy/stack/stack.ts');
    children.push(stack);
    const file = pidFile();
    writeFileSync(file, String(stack.pid));
    expect(runningStackPid(file)).toBe(stack.pid);
  });

  it('ignores a dead stack, a recycled pid and its own pid', async () => {
    const file = pidFile();
    expect(runningStackPid(file)).toBeUndefined();

    const other = await sleeper('something-else.js');
    children.push(other);
    writeFileSync(file, String(other.pid));
    expect(runningStackPid(file)).toBeUndefined();

    const stack = await sleeper('/repo/deploy/stack/stack.ts');
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGKILL');
    await exited;
    writeFileSync(file, String(stack.pid));
    expect(runningStackPid(file)).toBeUndefined();

    claimStack(file);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    expect(runningStackPid(file)).toBeUndefined();
  });

  it('releases only its own claim', async () => {
    const stack = await sleeper('/repo/deploy/stack/stack.ts');
    children.push(stack);
    const file = pidFile();
    writeFileSync(file, String(stack.pid));
    releaseStack(file);
    expect(runningStackPid(file)).toBe(stack.pid);

    claimStack(file);
    releaseStack(file);
    expect(runningStackPid(file)).toBeUndefined();
    expect(() => readFileSync(file)).toThrow();
  });
});
