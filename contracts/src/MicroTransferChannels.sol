// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1363Receiver} from "@openzeppelin/contracts/interfaces/IERC1363Receiver.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC223Recipient} from "./IERC223Recipient.sol";
import {IMicroTransferChannels} from "./IMicroTransferChannels.sol";

/**
 * @title MicroTransferChannels
 * @notice Unidirectional ERC-20 payment channels for off-chain micropayments (µRaiden, rebuilt).
 * See {IMicroTransferChannels} for the protocol; every external function documents its requirements there.
 *
 * Security notes:
 * - Every state-changing entry point is `nonReentrant` and follows checks-effects-interactions: channel
 *   state is written (or deleted) before any token moves, so even a malicious token cannot pay twice.
 *   The guard lives in transient storage (EIP-1153), ~2,000 gas cheaper per call than a storage slot; the
 *   bytecode targets Cancun anyway.
 * - Settled channels are deleted and channel ids embed a per-sender nonce, so an id (and every proof
 *   signed for it) is dead forever once its channel is settled.
 * - Payouts are pushed; a receiver the token refuses to pay (e.g. a blocklisted address) blocks its own
 *   channel's payouts.
 */
contract MicroTransferChannels is IMicroTransferChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IMicroTransferChannels
    uint64 public constant MIN_CHALLENGE_PERIOD = 1 hours;

    /// @notice EIP-712 type hash of the sender's balance proof.
    bytes32 public constant BALANCE_PROOF_TYPEHASH =
        keccak256("BalanceProof(bytes32 channelId,address receiver,uint256 balance)");

    /// @notice EIP-712 type hash of the receiver's closing proof.
    bytes32 public constant CLOSING_PROOF_TYPEHASH =
        keccak256("ClosingProof(bytes32 channelId,address sender,uint256 balance)");

    /// @notice Token callback action: open a channel to the receiver in `arg`.
    uint8 public constant ACTION_CREATE = 1;

    /// @notice Token callback action: top up the channel whose id is `arg`.
    uint8 public constant ACTION_TOP_UP = 2;

    /// @inheritdoc IMicroTransferChannels
    IERC20 public immutable token;

    /// @inheritdoc IMicroTransferChannels
    uint64 public immutable challengePeriod;

    /// @inheritdoc IMicroTransferChannels
    mapping(address sender => uint256 nonce) public channelNonce;

    /**
     * @dev Three slots. Amounts are 96-bit so that opening a channel writes only slots 0 and 1 (one fresh
     * SSTORE, 22,100 gas, less than with 128-bit amounts); 2^96 - 1 base units is ~79 billion tokens of
     * 18 decimals, and larger deposits revert with {DepositTooLarge} instead of being truncated.
     * `closingBalance`/`settleAt` (slot 2) are written only by {uncooperativeClose}.
     */
    struct Channel {
        address sender; // slot 0
        uint96 deposit; // slot 0
        address receiver; // slot 1
        uint96 withdrawn; // slot 1
        uint96 closingBalance; // slot 2
        uint64 settleAt; // slot 2
    }

    mapping(bytes32 channelId => Channel channel) private _channels;

    /**
     * @dev A channel's balance signer (see {createChannelWithSigner}), zero for none. Kept out of {Channel} so
     * that channels without one pay nothing for it: `delete _channels[id]` at settlement would otherwise zero a
     * fourth slot (2,200 gas) for every channel. It is not cleared at settlement, which would cost every channel
     * a cold read to find out: a settled id is dead (its {Channel} is gone, {_existingChannel} refuses it) and
     * {balanceSignerOf} reports zero for it, so the stale value is unreachable.
     */
    mapping(bytes32 channelId => address signer) private _balanceSigners;

    /**
     * @notice Deploys a channel manager for `token_` with a fixed challenge period.
     * @param token_ The ERC-20 token channels escrow (ERC-2612 for the permit flavours, ERC-1363 or ERC-223
     * for single-transaction deposits).
     * @param challengePeriod_ Seconds the receiver has to dispute an uncooperative close.
     *
     * Requirements:
     *
     * - `token_` is a contract.
     * - `challengePeriod_ >= MIN_CHALLENGE_PERIOD`.
     */
    constructor(IERC20 token_, uint64 challengePeriod_) EIP712("MicroTransferChannels", "1") {
        if (address(token_).code.length == 0) revert UnsupportedToken(address(token_));
        if (challengePeriod_ < MIN_CHALLENGE_PERIOD) {
            revert ChallengePeriodTooShort(challengePeriod_, MIN_CHALLENGE_PERIOD);
        }
        token = token_;
        challengePeriod = challengePeriod_;
    }

    /// @inheritdoc IMicroTransferChannels
    function channelIdOf(address sender, address receiver, uint256 nonce) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), sender, receiver, nonce));
    }

    /// @inheritdoc IMicroTransferChannels
    function getChannel(
        bytes32 channelId
    )
        external
        view
        returns (
            address sender,
            address receiver,
            uint256 deposit,
            uint256 withdrawn,
            uint256 closingBalance,
            uint64 settleAt
        )
    {
        Channel storage channel = _channels[channelId];
        return (
            channel.sender,
            channel.receiver,
            channel.deposit,
            channel.withdrawn,
            channel.closingBalance,
            channel.settleAt
        );
    }

    /// @inheritdoc IMicroTransferChannels
    function createChannel(address receiver, uint256 deposit) external nonReentrant returns (bytes32 channelId) {
        channelId = _createChannel(msg.sender, receiver, deposit);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @inheritdoc IMicroTransferChannels
    function createChannelWithPermit(
        address receiver,
        uint256 deposit,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (bytes32 channelId) {
        _permit(deposit, deadline, v, r, s);
        channelId = _createChannel(msg.sender, receiver, deposit);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @inheritdoc IMicroTransferChannels
    function createChannelWithSigner(
        address receiver,
        uint256 deposit,
        address signer
    ) external nonReentrant returns (bytes32 channelId) {
        channelId = _createChannel(msg.sender, receiver, deposit);
        _setBalanceSigner(channelId, receiver, signer);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @inheritdoc IMicroTransferChannels
    function createChannelWithPermitAndSigner(
        address receiver,
        uint256 deposit,
        address signer,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (bytes32 channelId) {
        _permit(deposit, deadline, v, r, s);
        channelId = _createChannel(msg.sender, receiver, deposit);
        _setBalanceSigner(channelId, receiver, signer);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @inheritdoc IMicroTransferChannels
    function balanceSignerOf(bytes32 channelId) external view returns (address) {
        if (_channels[channelId].sender == address(0)) return address(0);
        return _balanceSigners[channelId];
    }

    /// @inheritdoc IMicroTransferChannels
    function topUp(bytes32 channelId, uint256 amount) external nonReentrant {
        _topUp(msg.sender, channelId, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IMicroTransferChannels
    function topUpWithPermit(
        bytes32 channelId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _permit(amount, deadline, v, r, s);
        _topUp(msg.sender, channelId, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /**
     * @notice ERC-1363 hook: `token.transferAndCall(this, value, data)` (or `transferFromAndCall`) creates or
     * tops up a channel of `from` in one transaction. The tokens have already arrived when this runs.
     * @dev `data = abi.encode(uint8 action, bytes32 arg)`: action 1 opens a channel to `address(uint160(arg))`,
     * action 2 tops up channel `arg`. Emits {ChannelCreated} or {ChannelToppedUp}.
     *
     * Requirements:
     *
     * - the caller is the configured token.
     * - `data` is exactly 64 bytes, with action 1 and a left-padded address, or action 2.
     * - the requirements of {createChannel} or {topUp}, with `from` as the sender.
     */
    function onTransferReceived(
        address,
        address from,
        uint256 value,
        bytes calldata data
    ) external nonReentrant returns (bytes4) {
        _onTokensReceived(from, value, data);
        return IERC1363Receiver.onTransferReceived.selector;
    }

    /**
     * @notice ERC-223 hook: `token.transfer(this, value, data)` creates or tops up a channel of `from`.
     * @dev Same `data` encoding and events as {onTransferReceived}.
     *
     * Requirements:
     *
     * - the caller is the configured token.
     * - `data` is exactly 64 bytes, with action 1 and a left-padded address, or action 2.
     * - the requirements of {createChannel} or {topUp}, with `from` as the sender.
     */
    function tokenReceived(address from, uint256 value, bytes calldata data) external nonReentrant returns (bytes4) {
        _onTokensReceived(from, value, data);
        return IERC223Recipient.tokenReceived.selector;
    }

    /// @inheritdoc IMicroTransferChannels
    function withdraw(bytes32 channelId, uint256 balance, bytes calldata balanceSig) external nonReentrant {
        Channel storage channel = _existingChannel(channelId);
        address sender = channel.sender;
        address receiver = channel.receiver;
        if (msg.sender != receiver) revert NotReceiver(msg.sender);
        if (channel.settleAt != 0) revert ChannelIsClosing(channelId);
        uint256 claimable = _claimable(balance, channel.deposit);
        uint256 withdrawn = channel.withdrawn;
        if (claimable <= withdrawn) revert BalanceNotAboveWithdrawn(claimable, withdrawn);
        _requireBalanceProof(channelId, sender, receiver, balance, balanceSig);

        // Fits: claimable <= deposit, which is 96-bit.
        channel.withdrawn = uint96(claimable);
        uint256 amount = claimable - withdrawn;
        emit ChannelWithdrawn(channelId, sender, receiver, amount, claimable);
        token.safeTransfer(receiver, amount);
    }

    /// @inheritdoc IMicroTransferChannels
    function cooperativeClose(
        bytes32 channelId,
        uint256 balance,
        bytes calldata balanceSig,
        bytes calldata closingSig
    ) external nonReentrant {
        Channel storage channel = _existingChannel(channelId);
        address sender = channel.sender;
        address receiver = channel.receiver;
        _requireBalanceProof(channelId, sender, receiver, balance, balanceSig);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CLOSING_PROOF_TYPEHASH, channelId, sender, balance)));
        if (_signer(digest, closingSig) != receiver) revert InvalidClosingSignature();
        _settle(channelId, channel, _claimable(balance, channel.deposit));
    }

    /// @inheritdoc IMicroTransferChannels
    function uncooperativeClose(bytes32 channelId, uint256 balance) external nonReentrant {
        Channel storage channel = _existingChannel(channelId);
        address sender = channel.sender;
        if (msg.sender != sender) revert NotSender(msg.sender);
        if (channel.settleAt != 0) revert ChannelIsClosing(channelId);
        if (balance > channel.deposit) revert BalanceExceedsDeposit(balance, channel.deposit);

        // The receiver already holds `withdrawn`: a lower claim cannot take it back.
        uint256 withdrawn = channel.withdrawn;
        uint256 closingBalance = balance < withdrawn ? withdrawn : balance;
        uint64 settleAt = uint64(block.timestamp) + challengePeriod;
        channel.closingBalance = uint96(closingBalance);
        channel.settleAt = settleAt;
        emit ChannelCloseRequested(channelId, sender, channel.receiver, closingBalance, settleAt);
    }

    /// @inheritdoc IMicroTransferChannels
    function receiverClose(bytes32 channelId, uint256 balance, bytes calldata balanceSig) external nonReentrant {
        Channel storage channel = _existingChannel(channelId);
        address receiver = channel.receiver;
        if (msg.sender != receiver) revert NotReceiver(msg.sender);
        uint64 settleAt = channel.settleAt;
        if (settleAt != 0 && block.timestamp >= settleAt) revert ChallengePeriodOver(settleAt);
        _requireBalanceProof(channelId, channel.sender, receiver, balance, balanceSig);
        _settle(channelId, channel, _claimable(balance, channel.deposit));
    }

    /// @inheritdoc IMicroTransferChannels
    function settle(bytes32 channelId) external nonReentrant {
        Channel storage channel = _existingChannel(channelId);
        uint64 settleAt = channel.settleAt;
        if (settleAt == 0) revert ChannelNotClosing(channelId);
        if (block.timestamp < settleAt) revert ChallengePeriodNotOver(settleAt);
        _settle(channelId, channel, channel.closingBalance);
    }

    function _createChannel(address sender, address receiver, uint256 deposit) private returns (bytes32 channelId) {
        if (receiver == address(0) || receiver == sender || receiver == address(this)) {
            revert InvalidReceiver(receiver);
        }
        if (deposit == 0) revert ZeroAmount();
        if (deposit > type(uint96).max) revert DepositTooLarge(deposit, type(uint96).max);

        uint256 nonce = channelNonce[sender]++;
        channelId = channelIdOf(sender, receiver, nonce);
        Channel storage channel = _channels[channelId];
        channel.sender = sender;
        channel.deposit = uint96(deposit);
        channel.receiver = receiver;
        emit ChannelCreated(channelId, sender, receiver, deposit);
    }

    /// @dev Records `signer` for the channel just created (whose receiver is `receiver`); never changed after.
    function _setBalanceSigner(bytes32 channelId, address receiver, address signer) private {
        if (signer == address(0) || signer == receiver || signer == address(this)) revert InvalidSigner(signer);
        _balanceSigners[channelId] = signer;
        emit ChannelSignerSet(channelId, signer);
    }

    function _topUp(address sender, bytes32 channelId, uint256 amount) private {
        Channel storage channel = _existingChannel(channelId);
        if (sender != channel.sender) revert NotSender(sender);
        if (channel.settleAt != 0) revert ChannelIsClosing(channelId);
        if (amount == 0) revert ZeroAmount();
        uint256 deposit = channel.deposit + amount;
        if (deposit > type(uint96).max) revert DepositTooLarge(deposit, type(uint96).max);

        channel.deposit = uint96(deposit);
        emit ChannelToppedUp(channelId, sender, channel.receiver, amount, deposit);
    }

    function _onTokensReceived(address from, uint256 value, bytes calldata data) private {
        if (msg.sender != address(token)) revert UnsupportedToken(msg.sender);
        if (data.length != 64) revert InvalidTransferData();
        uint256 action = uint256(bytes32(data[0:32]));
        bytes32 arg = bytes32(data[32:64]);
        if (action == ACTION_CREATE) {
            // A dirty upper part means the data was not built by abi.encode(uint8, address-as-bytes32).
            if (uint256(arg) >> 160 != 0) revert InvalidTransferData();
            _createChannel(from, address(uint160(uint256(arg))), value);
        } else if (action == ACTION_TOP_UP) {
            _topUp(from, arg, value);
        } else {
            revert InvalidTransferData();
        }
    }

    /// @dev Pays out and deletes the channel. Deleting first makes the id (and all its proofs) dead.
    function _settle(bytes32 channelId, Channel storage channel, uint256 balance) private {
        address sender = channel.sender;
        address receiver = channel.receiver;
        uint256 deposit = channel.deposit;
        uint256 withdrawn = channel.withdrawn;
        if (balance < withdrawn) balance = withdrawn;
        uint256 receiverPaid = balance - withdrawn;
        uint256 senderRefund = deposit - balance;

        delete _channels[channelId];
        emit ChannelSettled(channelId, sender, receiver, balance, receiverPaid, senderRefund);
        if (receiverPaid != 0) token.safeTransfer(receiver, receiverPaid);
        if (senderRefund != 0) token.safeTransfer(sender, senderRefund);
    }

    /// @dev Runs the permit but tolerates its failure when the allowance is already there: a permit
    /// seen in the mempool can be front-run by anyone, which must not make this transaction fail.
    function _permit(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        // The success branch is empty on purpose: only a failed permit needs handling.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(token)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch (
            bytes memory reason
        ) {
            if (token.allowance(msg.sender, address(this)) < value) {
                // Re-throws the token's own error unchanged, which Solidity cannot do without assembly.
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
    }

    function _requireBalanceProof(
        bytes32 channelId,
        address sender,
        address receiver,
        uint256 balance,
        bytes calldata balanceSig
    ) private view {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(BALANCE_PROOF_TYPEHASH, channelId, receiver, balance)));
        address recovered = _signer(digest, balanceSig);
        if (recovered == sender) return;
        // Read only when the sender did not sign, so sender-signed proofs cost what they did before signers.
        // `recovered` is never zero here (the sender is not), and a channel without a signer stores zero.
        if (recovered == address(0) || recovered != _balanceSigners[channelId]) revert InvalidBalanceSignature();
    }

    /// @dev The signer of `digest`, or the zero address (never a channel party) for a malformed, wrong-length
    /// or malleable (high-s) signature.
    function _signer(bytes32 digest, bytes calldata signature) private pure returns (address) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        return err == ECDSA.RecoverError.NoError ? recovered : address(0);
    }

    /**
     * @dev What a signed `balance` is worth on chain: at most the deposit. A proof above the deposit is not
     * invalid, only under-funded: the deposit it was signed against can shrink when a reorg drops a top-up, and
     * the receiver must still be able to take what the channel holds. The sender never pays more than it signed.
     */
    function _claimable(uint256 balance, uint256 deposit) private pure returns (uint256) {
        return balance < deposit ? balance : deposit;
    }

    function _existingChannel(bytes32 channelId) private view returns (Channel storage channel) {
        channel = _channels[channelId];
        if (channel.sender == address(0)) revert ChannelNotFound(channelId);
    }
}
