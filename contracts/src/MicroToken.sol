// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC1363} from "@openzeppelin/contracts/token/ERC20/extensions/ERC1363.sol";
import {IERC223Recipient} from "./IERC223Recipient.sol";

/**
 * @title MicroToken
 * @notice The development/test token of microraiden: ERC-20 with EIP-2612 permit, ERC-1363
 * (`transferAndCall`), an ERC-223-style `transfer(to, value, data)`, and a faucet.
 *
 * The faucet ({mint}) works only on local chains (31337 anvil/hardhat, 1337 ganache/geth dev) and the chain
 * ids allow-listed at deployment (public testnets). The chain id is read at call time, so the same bytecode
 * deployed by mistake to mainnet, or to any chain nobody allow-listed, is a token nobody can inflate: it can
 * never be confused with a token of value whose supply a stranger controls.
 */
contract MicroToken is ERC20, ERC20Permit, ERC1363 {
    /// @notice {mint} was called on a chain where the faucet is disabled.
    error FaucetDisabled(uint256 chainId);

    /// @notice An ERC-223 recipient contract did not accept the tokens.
    error ERC223InvalidReceiver(address receiver);

    mapping(uint256 chainId => bool open) private _faucetChains;

    /**
     * @notice Deploys the token with `initialSupply` minted to the deployer.
     * @param initialSupply Tokens minted to the deployer.
     * @param faucetChainIds Chain ids besides 31337 and 1337 where {mint} is open to everyone.
     */
    constructor(
        uint256 initialSupply,
        uint256[] memory faucetChainIds
    ) ERC20("MicroToken", "MTK") ERC20Permit("MicroToken") {
        for (uint256 i = 0; i < faucetChainIds.length; ++i) {
            _faucetChains[faucetChainIds[i]] = true;
        }
        _mint(msg.sender, initialSupply);
    }

    /**
     * @notice Faucet: mints `amount` tokens to `to`. Anyone may call it where it is enabled.
     *
     * Requirements:
     *
     * - `block.chainid` is 31337, 1337 or allow-listed at deployment.
     * - `to` is not the zero address.
     */
    function mint(address to, uint256 amount) external {
        if (!faucetEnabled()) revert FaucetDisabled(block.chainid);
        _mint(to, amount);
    }

    /// @notice True when {mint} works on the current chain.
    function faucetEnabled() public view returns (bool) {
        return block.chainid == 31337 || block.chainid == 1337 || _faucetChains[block.chainid];
    }

    /**
     * @notice ERC-223 transfer: moves `value` tokens to `to` and, when `to` is a contract, calls its
     * `tokenReceived(msg.sender, value, data)`; a revert there undoes the transfer.
     *
     * Requirements:
     *
     * - the requirements of ERC-20 `transfer`.
     * - a contract `to` implements {IERC223Recipient-tokenReceived} and returns its selector.
     */
    function transfer(address to, uint256 value, bytes calldata data) external returns (bool) {
        _transfer(msg.sender, to, value);
        if (to.code.length != 0) {
            if (IERC223Recipient(to).tokenReceived(msg.sender, value, data) != IERC223Recipient.tokenReceived.selector) {
                revert ERC223InvalidReceiver(to);
            }
        }
        return true;
    }
}
