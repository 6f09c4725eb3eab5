// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ERC-223 token recipient
 * @notice The callback an ERC-223 token invokes on a contract recipient of `transfer(to, value, data)`.
 */
interface IERC223Recipient {
    /**
     * @notice Called by the token after `value` tokens from `from` were credited to this contract.
     * @dev MUST return `IERC223Recipient.tokenReceived.selector` (0x8943ec02) to accept the tokens;
     * reverting rejects them and undoes the transfer.
     * @param from The holder the tokens came from.
     * @param value The amount credited.
     * @param data The data passed to `transfer(to, value, data)`.
     */
    function tokenReceived(address from, uint256 value, bytes calldata data) external returns (bytes4);
}
