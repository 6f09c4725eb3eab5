// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title ReentrantToken (TEST ONLY)
 * @notice A malicious ERC-20: once armed, the next balance change touching `target` calls back into
 * `target` with the armed calldata, in the middle of the transfer. Used to prove the channel manager's
 * reentrancy guard holds and that no payout happens twice.
 */
contract ReentrantToken is ERC20 {
    /// @notice The contract attacked on the next transfer touching it (zero when disarmed).
    address public target;
    /// @notice What the attack calls `target` with.
    bytes public attackCalldata;
    /// @notice Whether a failing attack is recorded (true) or fails the transfer (false).
    bool public swallowRevert;

    /// @notice Outcome of the last attack: whether the reentrant call succeeded and what it returned.
    bool public attacked;
    /// @notice Whether the last attack's call succeeded.
    bool public attackSucceeded;
    /// @notice What the last attack's call returned or reverted with.
    bytes public attackResult;

    constructor() ERC20("ReentrantToken", "EVIL") {}

    /**
     * @notice Mints freely (test token).
     *
     * Requirements:
     *
     * - `to` is not the zero address.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /**
     * @notice Arms one attack: the next transfer to or from `target_` calls `target_` with `callData`.
     * With `swallow`, a failing reentrant call is recorded and the transfer completes; otherwise its
     * revert bubbles up and fails the whole transaction.
     *
     * Requirements:
     *
     * - none; anyone can arm (test token).
     */
    function arm(address target_, bytes calldata callData, bool swallow) external {
        target = target_;
        attackCalldata = callData;
        swallowRevert = swallow;
        attacked = false;
        attackSucceeded = false;
        delete attackResult;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address victim = target;
        if (victim == address(0) || (from != victim && to != victim)) return;
        // Disarm first: one attack per arm, and no endless recursion through our own transfers.
        target = address(0);
        // The low-level call is the attack itself: arbitrary calldata into the victim.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = victim.call(attackCalldata);
        attacked = true;
        attackSucceeded = ok;
        attackResult = result;
        if (!ok && !swallowRevert) {
            // Bubbles the victim's revert up unchanged, which Solidity cannot do without assembly.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
