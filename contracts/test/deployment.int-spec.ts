import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ContractFactory, ZeroAddress, encryptKeystoreJson, id, type Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  channelManagerAt,
  channelManagerDomain,
  deployContracts,
  microTransferChannelsAbi,
  microTransferChannelsBytecode,
  readDeploymentFile,
  writeDeploymentFile,
} from '@microraiden/contracts';
import { connectAnvil, type AnvilChain } from './anvil-chain';
import { expectRevert } from './revert';

const repoRoot = path.resolve(__dirname, '../..');

describe('MicroTransferChannels: deployment', () => {
  let chain: AnvilChain;
  let deployer: Wallet;
  let tokenAddress: string;
  let workDir: string;

  beforeAll(async () => {
    chain = await connectAnvil(inject('rpcUrl'));
    deployer = await chain.newAccount();
    tokenAddress = (await deployContracts(deployer, { challengePeriod: 3600 })).token;
    workDir = await mkdtemp(path.join(tmpdir(), 'microraiden-deploy-'));
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const factory = () =>
    new ContractFactory(microTransferChannelsAbi, microTransferChannelsBytecode, deployer);

  it('the constructor reverts ChallengePeriodTooShort below one hour and accepts exactly one hour', async () => {
    await expectRevert(factory().deploy(tokenAddress, 3599), 'ChallengePeriodTooShort', [3599n, 3600n]);
    const deployed = await factory().deploy(tokenAddress, 3600);
    await deployed.waitForDeployment();
    expect(await channelManagerAt(await deployed.getAddress(), chain.provider).challengePeriod()).toBe(3600n);
  });

  it('the constructor reverts UnsupportedToken for a token address without code', async () => {
    const eoa = (await chain.newAccount()).address;
    await expectRevert(factory().deploy(eoa, 3600), 'UnsupportedToken', [eoa]);
    await expectRevert(factory().deploy(ZeroAddress, 3600), 'UnsupportedToken', [ZeroAddress]);
  });

  it('deployContracts deploys both contracts and reports where and when', async () => {
    const deployment = await deployContracts(deployer, { challengePeriod: 7200 });
    expect(deployment.chainId).toBe(Number(chain.chainId));
    const manager = channelManagerAt(deployment.channelManager, chain.provider);
    expect(await manager.token()).toBe(deployment.token);
    expect(await manager.challengePeriod()).toBe(7200n);
    expect(await chain.provider.getCode(deployment.channelManager, deployment.deployBlock - 1)).toBe('0x');
    expect(await chain.provider.getCode(deployment.channelManager, deployment.deployBlock)).not.toBe('0x');
  });

  it('exposes its constants, EIP-712 domain and an empty channel for unknown ids', async () => {
    const deployment = await deployContracts(deployer, { challengePeriod: 3600, token: tokenAddress });
    const manager = channelManagerAt(deployment.channelManager, chain.provider);
    expect(deployment.token).toBe(tokenAddress);
    expect(await manager.MIN_CHALLENGE_PERIOD()).toBe(3600n);
    expect(await manager.BALANCE_PROOF_TYPEHASH()).toBe(
      id('BalanceProof(bytes32 channelId,address receiver,uint256 balance)'),
    );
    expect(await manager.CLOSING_PROOF_TYPEHASH()).toBe(
      id('ClosingProof(bytes32 channelId,address sender,uint256 balance)'),
    );
    expect([await manager.ACTION_CREATE(), await manager.ACTION_TOP_UP()]).toEqual([1n, 2n]);

    const [, name, version, chainId, verifyingContract] = await manager.eip712Domain();
    const expected = channelManagerDomain(chain.chainId, deployment.channelManager);
    expect({ name, version, chainId, verifyingContract }).toEqual(expected);

    expect([...(await manager.getChannel(id('nothing')))]).toEqual([
      ZeroAddress,
      ZeroAddress,
      0n,
      0n,
      0n,
      0n,
    ]);
  });

  it('writeDeploymentFile and readDeploymentFile round-trip a deployment', async () => {
    const deployment = await deployContracts(deployer, { challengePeriod: 3600, token: tokenAddress });
    const file = path.join(workDir, 'nested/roundtrip.json');
    await writeDeploymentFile(file, deployment);
    expect(await readDeploymentFile(file)).toEqual(deployment);
  });

  describe('contracts/scripts/deploy.ts', () => {
    const runDeploy = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(
        process.execPath,
        ['-r', '@swc-node/register', 'contracts/scripts/deploy.ts', '--rpc', inject('rpcUrl'), ...args],
        { cwd: repoRoot, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout: string; stderr: string }) => ({
          code: error.code ?? 1,
          stdout: error.stdout,
          stderr: error.stderr,
        }),
      );

    it('deploys with DEPLOYER_PRIVATE_KEY, reports progress, writes the file and never prints the key', async () => {
      const key = (await chain.newAccount()).privateKey;
      const out = path.join(workDir, 'env-key.json');

      const result = await runDeploy(['--challenge-period', '7200', '--out', out], {
        DEPLOYER_PRIVATE_KEY: key,
      });

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/MicroToken: deployed at 0x[0-9a-fA-F]{40}/);
      expect(result.stdout).toMatch(/MicroTransferChannels: deployed at 0x[0-9a-fA-F]{40}/);
      expect(result.stdout).toContain(`wrote ${out}`);
      expect(result.stdout.toLowerCase()).not.toContain(key.slice(2).toLowerCase());
      const deployment = await readDeploymentFile(out);
      expect(deployment.challengePeriod).toBe(7200);
      expect(await channelManagerAt(deployment.channelManager, chain.provider).token()).toBe(
        deployment.token,
      );
    });

    it('deploys from an encrypted 0600 keystore against an existing token', async () => {
      const account = await chain.newAccount();
      const keystore = path.join(workDir, 'keystore.json');
      await writeFile(
        keystore,
        await encryptKeystoreJson({ address: account.address, privateKey: account.privateKey }, 'pw', {
          scrypt: { N: 1 << 10 },
        }),
      );
      await chmod(keystore, 0o600);
      const out = path.join(workDir, 'keystore.json.out.json');

      const result = await runDeploy(['--keystore', keystore, '--token', tokenAddress, '--out', out], {
        DEPLOYER_KEYSTORE_PASSWORD: 'pw',
      });

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`deployer ${account.address}`);
      expect(result.stdout).not.toContain('MicroToken: deployed');
      const deployment = await readDeploymentFile(out);
      expect(deployment.token).toBe(tokenAddress);
      expect(deployment.challengePeriod).toBe(86400);
    });

    it('refuses a keystore that others can read', async () => {
      const keystore = path.join(workDir, 'open-key.txt');
      await writeFile(keystore, (await chain.newAccount()).privateKey);
      await chmod(keystore, 0o644);
      const result = await runDeploy(['--keystore', keystore, '--out', path.join(workDir, 'never.json')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`chmod 600 ${keystore}`);
      await expect(readFile(path.join(workDir, 'never.json'))).rejects.toThrow();
    });

    it('refuses a challenge period the contract would reject, before sending anything', async () => {
      const result = await runDeploy(
        ['--challenge-period', '60', '--out', path.join(workDir, 'never.json')],
        {
          DEPLOYER_PRIVATE_KEY: (await chain.newAccount()).privateKey,
        },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('at least 3600 seconds');
    });
  });
});
