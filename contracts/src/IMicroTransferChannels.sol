// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1363Receiver} from "@openzeppelin/contracts/interfaces/IERC1363Receiver.sol";
import {IERC223Recipient} from "./IERC223Recipient.sol";

/**
 * @title µRaiden unidirectional ERC-20 payment channels
 * @notice A sender escrows tokens for one receiver and pays off-chain by signing cumulative EIP-712
 * balance proofs. The receiver cashes them in at any time ({withdraw}) or closes the channel
 * ({receiverClose}); both parties can close at once together ({cooperativeClose}); the sender alone
 * closes through a challenge period ({uncooperativeClose}, then {settle}).
 *
 * EIP-712 domain: `{ name: "MicroTransferChannels", version: "1", chainId, verifyingContract }`.
 * Signed by the sender (or the channel's balance signer): `BalanceProof(bytes32 channelId,address receiver,uint256 balance)`.
 * Signed by the receiver: `ClosingProof(bytes32 channelId,address sender,uint256 balance)`.
 * `balance` is always cumulative: the total the sender owes on the channel.
 *
 * A balance proof above the deposit is worth the deposit: {withdraw}, {cooperativeClose} and {receiverClose}
 * use `min(balance, deposit)`. The deposit a proof was signed against can shrink when a chain reorganisation
 * drops a top-up; the receiver can then still take everything the channel holds with its latest proof, and the
 * sender never pays more than it signed. Only the sender's own {uncooperativeClose} claim must fit the deposit.
 *
 * Session signers: a channel opened with {createChannelWithSigner} or {createChannelWithPermitAndSigner} names a
 * second key, the balance signer, whose balance proofs count as the sender's. A browser can keep such a key to
 * pay page after page without asking the sender's wallet each time. It can spend at most the channel's deposit,
 * like the sender's own proofs. It is fixed for the channel's life: rotating or revoking it could invalidate
 * proofs the receiver already accepted as payment, so a sender who wants the key dead closes the channel.
 */
interface IMicroTransferChannels is IERC1363Receiver, IERC223Recipient {
    /// @notice A channel was opened with `deposit` tokens escrowed.
    event ChannelCreated(bytes32 indexed channelId, address indexed sender, address indexed receiver, uint256 deposit);

    /// @notice `added` tokens were escrowed on top; `deposit` is the new total.
    event ChannelToppedUp(
        bytes32 indexed channelId,
        address indexed sender,
        address indexed receiver,
        uint256 added,
        uint256 deposit
    );

    /// @notice The sender started closing with `balance` owed; anyone may {settle} from `settleAt` on.
    event ChannelCloseRequested(
        bytes32 indexed channelId,
        address indexed sender,
        address indexed receiver,
        uint256 balance,
        uint64 settleAt
    );

    /// @notice The channel was paid out and deleted: `balance` was the final cumulative balance, of which
    /// `receiverPaid` was paid now (the rest had been withdrawn before); `senderRefund` went back to the sender.
    event ChannelSettled(
        bytes32 indexed channelId,
        address indexed sender,
        address indexed receiver,
        uint256 balance,
        uint256 receiverPaid,
        uint256 senderRefund
    );

    /// @notice The receiver was paid `amount`; `withdrawn` is the new cumulative total paid out of the channel.
    event ChannelWithdrawn(
        bytes32 indexed channelId,
        address indexed sender,
        address indexed receiver,
        uint256 amount,
        uint256 withdrawn
    );

    /// @notice The channel accepts balance proofs signed by `signer` as well as by its sender, for its whole life.
    /// Emitted right after {ChannelCreated} by {createChannelWithSigner} and {createChannelWithPermitAndSigner}.
    event ChannelSignerSet(bytes32 indexed channelId, address indexed signer);

    /// @notice No channel with this id exists (never created, or already settled).
    error ChannelNotFound(bytes32 channelId);
    /// @notice Only the channel's sender may do this.
    error NotSender(address caller);
    /// @notice Only the channel's receiver may do this.
    error NotReceiver(address caller);
    /// @notice The channel is in its challenge period; only closing operations remain possible.
    error ChannelIsClosing(bytes32 channelId);
    /// @notice The channel is open: there is nothing to settle.
    error ChannelNotClosing(bytes32 channelId);
    /// @notice Settling is possible only from `settleAt` on.
    error ChallengePeriodNotOver(uint64 settleAt);
    /// @notice The receiver could dispute only before `settleAt`; now only {settle} remains.
    error ChallengePeriodOver(uint64 settleAt);
    /// @notice The balance proof was not signed by the channel's sender (or its balance signer) for exactly these
    /// values.
    error InvalidBalanceSignature();
    /// @notice The closing proof was not signed by the channel's receiver for exactly these values.
    error InvalidClosingSignature();
    /// @notice The sender's {uncooperativeClose} claimed more than it escrowed.
    error BalanceExceedsDeposit(uint256 balance, uint256 deposit);
    /// @notice A withdrawal must pay something: the proof's balance (at most the deposit) must exceed what was
    /// already withdrawn.
    error BalanceNotAboveWithdrawn(uint256 balance, uint256 withdrawn);
    /// @notice Deposits and top-ups must move tokens.
    error ZeroAmount();
    /// @notice The receiver may be neither the zero address, the sender, nor this contract.
    error InvalidReceiver(address receiver);
    /// @notice The challenge period must leave the receiver time to react.
    error ChallengePeriodTooShort(uint64 given, uint64 minimum);
    /// @notice Only the configured token (a contract) is accepted.
    error UnsupportedToken(address token);
    /// @notice Token callback data must be `abi.encode(uint8 action, bytes32 arg)` with action 1 or 2.
    error InvalidTransferData();
    /// @notice A balance signer may be neither the zero address, the channel's receiver (who would then sign its own
    /// proofs), nor this contract.
    error InvalidSigner(address signer);
    /// @notice A channel's deposit is stored in 96 bits; `deposit` would exceed `maximum`.
    error DepositTooLarge(uint256 deposit, uint256 maximum);

    /// @notice The ERC-20 token every channel of this contract escrows.
    function token() external view returns (IERC20);

    /// @notice Seconds the receiver has to dispute an {uncooperativeClose}.
    function challengePeriod() external view returns (uint64);

    /// @notice The smallest challenge period the constructor accepts (1 hour).
    function MIN_CHALLENGE_PERIOD() external view returns (uint64);

    /// @notice The nonce the next channel created by `sender` will use; starts at 0, +1 on every create.
    function channelNonce(address sender) external view returns (uint256);

    /**
     * @notice The id of the channel `sender` opens to `receiver` with nonce `nonce`:
     * `keccak256(abi.encode(block.chainid, address(this), sender, receiver, nonce))`.
     */
    function channelIdOf(address sender, address receiver, uint256 nonce) external view returns (bytes32);

    /**
     * @notice The state of a channel. It exists iff `sender != address(0)`; it is closing iff `settleAt != 0`.
     * @return sender The payer.
     * @return receiver The payee.
     * @return deposit Total tokens escrowed.
     * @return withdrawn Cumulative amount already paid to the receiver by {withdraw}.
     * @return closingBalance The balance recorded by {uncooperativeClose} (0 while open).
     * @return settleAt When {settle} becomes possible (0 while open).
     */
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
        );

    /**
     * @notice Opens a channel from the caller to `receiver`, pulling `deposit` tokens from the caller.
     * @dev Emits {ChannelCreated}.
     *
     * Requirements:
     *
     * - `receiver` is not the zero address, the caller, or this contract.
     * - `deposit` is not zero and fits in 96 bits.
     * - the caller has approved this contract for at least `deposit` tokens and holds them.
     *
     * @return channelId The id of the new channel, `channelIdOf(msg.sender, receiver, nonce)`.
     */
    function createChannel(address receiver, uint256 deposit) external returns (bytes32 channelId);

    /**
     * @notice Like {createChannel}, with an EIP-2612 permit for `deposit` tokens in the same transaction.
     * @dev If the permit fails but the allowance is already in place (for instance because someone
     * submitted the same permit first), the channel is still created. Emits {ChannelCreated}.
     *
     * Requirements:
     *
     * - `v`, `r`, `s` are the caller's EIP-2612 signature allowing this contract `deposit` tokens until
     *   `deadline`, or the allowance already covers `deposit`; otherwise the token's permit error is re-thrown.
     * - the requirements of {createChannel}.
     */
    function createChannelWithPermit(
        address receiver,
        uint256 deposit,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 channelId);

    /**
     * @notice Like {createChannel}, and balance proofs signed by `signer` count as the sender's on this channel.
     * @dev For a session key: the sender's wallet approves once, a key the client holds signs every payment.
     * The signer can spend at most the deposit (proofs are worth `min(balance, deposit)`), as the sender can.
     * It cannot be changed or removed: proofs it signed, which the receiver holds as payment, must stay valid
     * until the channel settles. To retire the key, the sender closes the channel.
     * Emits {ChannelCreated}, then {ChannelSignerSet}.
     *
     * Requirements:
     *
     * - `signer` is not the zero address, `receiver`, or this contract.
     * - the requirements of {createChannel}.
     *
     * @return channelId The id of the new channel.
     */
    function createChannelWithSigner(
        address receiver,
        uint256 deposit,
        address signer
    ) external returns (bytes32 channelId);

    /**
     * @notice Like {createChannelWithSigner}, with an EIP-2612 permit for `deposit` tokens in the same
     * transaction, as in {createChannelWithPermit}: one wallet signature and one transaction open the channel.
     * @dev Emits {ChannelCreated}, then {ChannelSignerSet}.
     *
     * Requirements:
     *
     * - a valid permit (or an existing allowance) for `deposit`, as in {createChannelWithPermit}.
     * - the requirements of {createChannelWithSigner}.
     *
     * @return channelId The id of the new channel.
     */
    function createChannelWithPermitAndSigner(
        address receiver,
        uint256 deposit,
        address signer,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 channelId);

    /**
     * @notice The channel's balance signer, whose balance proofs count as the sender's; the zero address when it
     * has none or the channel does not exist (kept apart from {getChannel}, whose return values predate it).
     */
    function balanceSignerOf(bytes32 channelId) external view returns (address);

    /**
     * @notice Escrows `amount` more tokens in an open channel, pulling them from the caller.
     * @dev Emits {ChannelToppedUp}.
     *
     * Requirements:
     *
     * - the channel exists and is not closing.
     * - the caller is the channel's sender.
     * - `amount` is not zero and the new deposit fits in 96 bits.
     * - the caller has approved this contract for at least `amount` tokens and holds them.
     */
    function topUp(bytes32 channelId, uint256 amount) external;

    /**
     * @notice Like {topUp}, with an EIP-2612 permit for `amount` tokens in the same transaction.
     * @dev Emits {ChannelToppedUp}.
     *
     * Requirements:
     *
     * - a valid permit (or an existing allowance) for `amount`, as in {createChannelWithPermit}.
     * - the requirements of {topUp}.
     */
    function topUpWithPermit(
        bytes32 channelId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /**
     * @notice Pays the receiver `min(balance, deposit) - withdrawn` against the sender's balance proof, keeping
     * the channel open.
     * @dev Emits {ChannelWithdrawn}, whose `withdrawn` is `min(balance, deposit)`.
     *
     * Requirements:
     *
     * - the channel exists and is not closing.
     * - the caller is the channel's receiver.
     * - `withdrawn < min(balance, deposit)`.
     * - `balanceSig` is the sender's (or the balance signer's) 65-byte, non-malleable EIP-712 signature of
     *   `BalanceProof(channelId, receiver, balance)`.
     */
    function withdraw(bytes32 channelId, uint256 balance, bytes calldata balanceSig) external;

    /**
     * @notice Closes and settles at once with both parties' signatures: the receiver gets
     * `balance - withdrawn`, the sender `deposit - balance`. Anyone may submit.
     * @dev Works while open and during the challenge period. A `balance` above the deposit settles at the
     * deposit; one below `withdrawn` settles at `withdrawn` (paid tokens are never clawed back).
     * Emits {ChannelSettled}.
     *
     * Requirements:
     *
     * - the channel exists.
     * - `balanceSig` is the sender's (or the balance signer's) signature of
     *   `BalanceProof(channelId, receiver, balance)`.
     * - `closingSig` is the receiver's signature of `ClosingProof(channelId, sender, balance)`.
     */
    function cooperativeClose(
        bytes32 channelId,
        uint256 balance,
        bytes calldata balanceSig,
        bytes calldata closingSig
    ) external;

    /**
     * @notice The sender starts closing without the receiver's cooperation, declaring `balance` as owed.
     * The receiver can dispute with {receiverClose} until `block.timestamp + challengePeriod`.
     * @dev A `balance` below `withdrawn` is raised to `withdrawn`. Emits {ChannelCloseRequested}.
     *
     * Requirements:
     *
     * - the channel exists and is not closing.
     * - the caller is the channel's sender.
     * - `balance <= deposit`.
     */
    function uncooperativeClose(bytes32 channelId, uint256 balance) external;

    /**
     * @notice The receiver closes and settles at once with the sender's balance proof: receiver gets
     * `balance - withdrawn`, sender `deposit - balance`. During a challenge period this is the dispute.
     * @dev A `balance` above the deposit settles at the deposit (so the latest proof always wins the most the
     * channel holds); one below `withdrawn` settles at `withdrawn`. Emits {ChannelSettled}.
     *
     * Requirements:
     *
     * - the channel exists.
     * - the caller is the channel's receiver.
     * - if closing, `block.timestamp < settleAt`.
     * - `balanceSig` is the sender's (or the balance signer's) signature of
     *   `BalanceProof(channelId, receiver, balance)`.
     */
    function receiverClose(bytes32 channelId, uint256 balance, bytes calldata balanceSig) external;

    /**
     * @notice Pays out a closing channel once its challenge period is over: the receiver gets
     * `closingBalance - withdrawn`, the sender `deposit - closingBalance`. Anyone may call.
     * @dev Emits {ChannelSettled}.
     *
     * Requirements:
     *
     * - the channel exists and is closing.
     * - `block.timestamp >= settleAt`.
     */
    function settle(bytes32 channelId) external;
}
