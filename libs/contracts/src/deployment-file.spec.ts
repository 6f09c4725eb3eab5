import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeploymentFileError,
  parseDeployment,
  readDeploymentFile,
  writeDeploymentFile,
} from './deployment-file';

const valid = {
  chainId: 31337,
  channelManager: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  challengePeriod: 86400,
  deployBlock: 2,
};

describe('deployment file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'deployment-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses a deployment and checksums its addresses', () => {
    expect(parseDeployment(valid).channelManager).toBe('0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512');
  });

  it('rejects bad checksums, short challenge periods and missing fields, naming each', () => {
    const bad = { ...valid, token: '0x5fbDB2315678afecb367f032d93F642f64180aa3', challengePeriod: 60 };
    const { deployBlock: _omitted, ...missing } = valid;
    expect(() => parseDeployment(bad)).toThrow(DeploymentFileError);
    expect(() => parseDeployment(bad)).toThrow(/token[\s\S]*challengePeriod|challengePeriod[\s\S]*token/);
    expect(() => parseDeployment(missing)).toThrow(/deployBlock/);
  });

  it('writes what it reads back, creating the directory', async () => {
    const file = path.join(dir, 'a/b/local.json');
    await writeDeploymentFile(file, parseDeployment(valid));
    expect(await readDeploymentFile(file)).toEqual(parseDeployment(valid));
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('reports a missing file or invalid JSON as DeploymentFileError', async () => {
    await expect(readDeploymentFile(path.join(dir, 'none.json'))).rejects.toMatchObject({
      code: 'DEPLOYMENT_FILE_INVALID',
    });
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ nope');
    await expect(readDeploymentFile(file)).rejects.toThrow(/not JSON/);
  });
});
