import { ContractFactory, JsonRpcProvider, Wallet, hexlify, randomBytes, toBeHex } from 'ethers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  microTokenAbi,
  microTokenAt,
  microTokenBytecode,
  type MicroTokenContract,
} from '@microraiden/contracts';
import { connectAnvil, type AnvilChain } from './anvil-chain';
import { mined } from './channel-fixture';
import { expectRevert } from './revert';

const IERC165_ID = '0x01ffc9a7';
const IERC1363_ID = '0xb0202a11';

describe('MicroToken', () => {
  let chain: AnvilChain;
  let deployer: Wallet;
  let token: MicroTokenContract;

  const deployToken = async (signer: Wallet, initialSupply: bigint, faucetChainIds: bigint[]) => {
    const deployed = await new ContractFactory(microTokenAbi, microTokenBytecode, signer).deploy(
      initialSupply,
      faucetChainIds,
    );
    await deployed.waitForDeployment();
    return microTokenAt(await deployed.getAddress(), signer);
  };

  beforeAll(async () => {
    chain = await connectAnvil(inject('rpcUrl'));
    deployer = await chain.newAccount();
    token = await deployToken(deployer, 5_000n, []);
  });

  it('is an 18-decimals ERC-20 that mints its initial supply to the deployer', async () => {
    expect([await token.name(), await token.symbol(), await token.decimals()]).toEqual([
      'MicroToken',
      'MTK',
      18n,
    ]);
    expect(await token.totalSupply()).toBe(5_000n);
    expect(await token.balanceOf(deployer.address)).toBe(5_000n);
  });

  it('advertises ERC-165 and ERC-1363', async () => {
    expect(await token.supportsInterface(IERC165_ID)).toBe(true);
    expect(await token.supportsInterface(IERC1363_ID)).toBe(true);
    expect(await token.supportsInterface('0xffffffff')).toBe(false);
  });

  it('mint is a faucet anyone can use on the local chain', async () => {
    const stranger = await chain.newAccount();
    expect(await token.faucetEnabled()).toBe(true);
    await mined(token.connect(stranger).mint(stranger.address, 42n));
    expect(await token.balanceOf(stranger.address)).toBe(42n);
  });

  it('ERC-223 transfer with data to an account without code is a plain transfer', async () => {
    const holder = await chain.newAccount();
    const to = await chain.newAccount();
    await mined(token.mint(holder.address, 100n));
    await mined(token.connect(holder)['transfer(address,uint256,bytes)'](to.address, 60n, '0x1234'));
    expect([await token.balanceOf(holder.address), await token.balanceOf(to.address)]).toEqual([40n, 60n]);
  });

  it('ERC-223 transfer with data to a contract without tokenReceived reverts and moves nothing', async () => {
    const holder = await chain.newAccount();
    await mined(token.mint(holder.address, 100n));
    const tokenAddress = await token.getAddress();
    await expect(
      token.connect(holder)['transfer(address,uint256,bytes)'](tokenAddress, 60n, '0x'),
    ).rejects.toMatchObject({ code: 'CALL_EXCEPTION', data: '0x' });
    expect(await token.balanceOf(holder.address)).toBe(100n);
  });

  it('ERC-223 transfer with data to a contract answering the wrong value reverts ERC223InvalidReceiver and moves nothing', async () => {
    const holder = await chain.newAccount();
    await mined(token.mint(holder.address, 100n));
    // A recipient whose every call returns bytes4 0xdeadbeef (PUSH4, SHL 224, MSTORE, RETURN 32), not the
    // tokenReceived selector: it "accepts" without saying so, which must not count as accepting.
    const recipient = (await chain.newAccount()).address;
    await chain.provider.send('anvil_setCode', [recipient, '0x63deadbeef60e01b60005260206000f3']);
    await expectRevert(
      token.connect(holder)['transfer(address,uint256,bytes)'](recipient, 60n, '0x'),
      'ERC223InvalidReceiver',
      [recipient],
    );
    expect([await token.balanceOf(holder.address), await token.balanceOf(recipient)]).toEqual([100n, 0n]);
  });

  it('mint reverts FaucetDisabled on a chain that is neither local nor allow-listed', async () => {
    const localChainId = chain.chainId;
    const otherChainId = 4242n;
    await chain.provider.send('anvil_setChainId', [Number(otherChainId)]);
    // ethers refuses a provider whose chain changes underneath it: use a fresh one while the id differs.
    const provider = new JsonRpcProvider(inject('rpcUrl'), undefined, { cacheTimeout: -1 });
    try {
      const signer = new Wallet(hexlify(randomBytes(32)), provider);
      await provider.send('anvil_setBalance', [signer.address, toBeHex(10n ** 21n)]);
      const closed = await deployToken(signer, 0n, []);
      const open = await deployToken(signer, 0n, [otherChainId]);

      expect(await closed.faucetEnabled()).toBe(false);
      await expectRevert(closed.mint(signer.address, 1n), 'FaucetDisabled', [otherChainId]);
      expect(await open.faucetEnabled()).toBe(true);
      await mined(open.mint(signer.address, 7n));
      expect(await open.balanceOf(signer.address)).toBe(7n);
    } finally {
      provider.destroy();
      await chain.provider.send('anvil_setChainId', [Number(localChainId)]);
    }
    expect((await chain.provider.getNetwork()).chainId).toBe(localChainId);
  });
});
