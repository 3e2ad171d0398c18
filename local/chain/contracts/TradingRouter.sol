// SPDX-License-Identifier: MIT
// The v2 TradingRouter: verifies EIP-712 intents (domain AvantisTrading / 1 / chainId / this proxy)
// signed by the trader or by a delegate the trader registered (isEnabled && expiry > now), marks the
// signer's unordered nonce used (Permit2-style bitmap), checks the millisecond deadline, and hands
// the order to TradingV2, which registers it for the keeper. Also the delegate registry (directly,
// or gaslessly by a DelegateReq the trader signed with the exact ToS text) and direct-mode
// delegatedAction. Hashing follows docs/avantis.md v2 §2-3 field for field; `digestOf` exposes it so a test can
// compare it with ethers' TypedDataEncoder (layers/core/domain/avantis/intents.ts).
pragma solidity ^0.8.20;

import './AvantisTypes.sol';
import './AvantisV2Types.sol';

contract TradingRouter {
    struct Delegation {
        bool isEnabled;
        uint256 expiry; // unix seconds
    }

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)');
    bytes32 private constant NAME_HASH = keccak256('AvantisTrading');
    bytes32 private constant VERSION_HASH = keccak256('1');
    bytes32 private constant TRADE_TYPEHASH =
        keccak256(
            'Trade(address trader,uint256 pairIndex,uint256 index,uint256 initialPosToken,uint256 positionSizeUSDC,uint256 openPrice,bool buy,uint256 leverage,uint256 tp,uint256 sl,uint256 timestamp)'
        );
    bytes32 private constant OPEN_TYPEHASH =
        keccak256(
            'OpenTradeReq(Trade _t,uint8 _type,uint256 _slippageP,uint256 _deadline,uint256 _nonce)Trade(address trader,uint256 pairIndex,uint256 index,uint256 initialPosToken,uint256 positionSizeUSDC,uint256 openPrice,bool buy,uint256 leverage,uint256 tp,uint256 sl,uint256 timestamp)'
        );
    bytes32 private constant CLOSE_TYPEHASH =
        keccak256(
            'CloseTradeReq(address _trader,uint256 _pairIndex,uint256 _index,uint256 _openTimestamp,uint256 _amount,uint256 _wantedPrice,uint256 _deadline,uint256 _nonce)'
        );
    bytes32 private constant UPS_TYPEHASH =
        keccak256(
            'UpdatePositionSize(address trader,uint256 pairIndex,uint256 index,uint256 openPrice,uint256 initialPosToken,uint256 leverage)'
        );
    bytes32 private constant INCREASE_TYPEHASH =
        keccak256(
            'IncreasePositionSizeReq(UpdatePositionSize _updateInfo,uint256 _slippageP,uint256 _deadline,uint256 _nonce)UpdatePositionSize(address trader,uint256 pairIndex,uint256 index,uint256 openPrice,uint256 initialPosToken,uint256 leverage)'
        );
    bytes32 private constant UPDATE_TPSL_TYPEHASH =
        keccak256(
            'UpdateTpSlReq(address trader,uint256 _pairIndex,uint256 _index,uint256 _newTp,uint256 _newSl,uint256 _deadline,uint256 _nonce)'
        );
    bytes32 private constant DELEGATE_TYPEHASH =
        keccak256(
            'DelegateReq(address trader,address delegate,uint256 expiry,uint256 deadline,string tnc,uint256 nonce)'
        );
    /// docs/avantis.md v2 §2: 250 ASCII bytes, signed exactly.
    bytes32 private constant TNC_HASH =
        keccak256(
            'I accept the Avantis Terms of Service: https://www.avantisfi.com/docs/tos.I confirm that I am not a resident of any of the following countries/regions: Belarus, Cuba, Iran, North Korea, Russia, Syria, Crimea, United Kingdom, United States of America.'
        );
    /// secp256k1n / 2: higher s values are the malleable twin (EIP-2).
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    uint8 public constant KIND_OPEN = 0;
    uint8 public constant KIND_CLOSE = 1;
    uint8 public constant KIND_INCREASE = 2;
    uint8 public constant KIND_DELEGATE = 3;
    uint8 public constant KIND_UPDATE_TPSL = 4;

    // ---- storage (a new proxy: nothing to keep from v1) ----
    mapping(address => mapping(address => Delegation)) public delegation;
    mapping(address => mapping(uint256 => uint256)) public nonceBitmap;

    ITradingV2 public immutable trading;

    event DelegateSet(address indexed trader, address indexed delegate, uint256 expiry);
    event DelegateRemoved(address indexed trader, address indexed delegate);
    event NonceUsed(address indexed signer, uint256 nonce);

    constructor(address _trading) {
        trading = ITradingV2(_trading);
    }

    // ---- intents ----

    function openTradeWithSig(OpenTradeReq calldata req, bytes calldata signature) external returns (uint256 orderId) {
        _checkDeadline(req._deadline);
        address signer = _recover(_hashOpen(req), signature);
        _authorize(req._t.trader, signer);
        _useNonce(signer, req._nonce);
        orderId = trading.openTradeV2(req._t, req._type, req._slippageP);
    }

    function closeTradeWithSig(CloseTradeReq calldata req, bytes calldata signature) external returns (uint256 orderId) {
        _checkDeadline(req._deadline);
        address signer = _recover(_hashClose(req), signature);
        _authorize(req._trader, signer);
        _useNonce(signer, req._nonce);
        orderId = trading.closeTradeV2(req._trader, req._pairIndex, req._index, req._openTimestamp, req._amount, req._wantedPrice);
    }

    function increasePositionWithSig(IncreasePositionSizeReq calldata req, bytes calldata signature) external returns (uint256 orderId) {
        _checkDeadline(req._deadline);
        address signer = _recover(_hashIncrease(req), signature);
        _authorize(req._updateInfo.trader, signer);
        _useNonce(signer, req._nonce);
        orderId = trading.increasePositionV2(req._updateInfo, req._slippageP);
    }

    /// [local] Upstream, TP/SL updates are intents to the core API's price triggers (docs/avantis.md v2 §5);
    /// locally the same signed UpdateTpSlReq goes straight to the router.
    function updateTpSlWithSig(UpdateTpSlReq calldata req, bytes calldata signature) external {
        _checkDeadline(req._deadline);
        address signer = _recover(_hashUpdateTpSl(req), signature);
        _authorize(req.trader, signer);
        _useNonce(signer, req._nonce);
        trading.updateTpSlV2(req.trader, req._pairIndex, req._index, req._newTp, req._newSl);
    }

    // ---- delegates ----

    function setDelegate(address delegate, uint256 expiry) external {
        _setDelegate(msg.sender, delegate, expiry);
    }

    function removeDelegate(address delegate) external {
        delete delegation[msg.sender][delegate];
        emit DelegateRemoved(msg.sender, delegate);
    }

    /// Gasless registration: anyone submits a DelegateReq the trader signed (docs/avantis.md v2 §2).
    function setDelegateWithSig(bytes calldata signature, bytes calldata encodedIntent) external {
        DelegateReq memory req = abi.decode(encodedIntent, (DelegateReq));
        if (keccak256(bytes(req.tnc)) != TNC_HASH) revert InvalidTnc();
        _checkDeadline(req.deadline);
        address signer = _recover(_hashDelegate(req), signature);
        // Only the trader may sign it: a delegate cannot appoint delegates.
        if (signer != req.trader) revert InvalidSignature();
        _useNonce(signer, req.nonce);
        _setDelegate(req.trader, req.delegate, req.expiry);
    }

    /// Direct mode: an active delegate runs a trader-scoped Trading entry as the trader.
    function delegatedAction(address trader, bytes calldata callData) external returns (bytes memory) {
        _authorize(trader, msg.sender);
        return trading.delegatedCall(trader, callData);
    }

    // ---- views ----

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// [local] The EIP-712 digest of an abi-encoded intent: 0 Open, 1 Close, 2 Increase, 3 Delegate.
    function digestOf(uint8 kind, bytes calldata encodedIntent) external view returns (bytes32) {
        if (kind == KIND_OPEN) return _hashOpen(abi.decode(encodedIntent, (OpenTradeReq)));
        if (kind == KIND_CLOSE) return _hashClose(abi.decode(encodedIntent, (CloseTradeReq)));
        if (kind == KIND_INCREASE) return _hashIncrease(abi.decode(encodedIntent, (IncreasePositionSizeReq)));
        if (kind == KIND_DELEGATE) return _hashDelegate(abi.decode(encodedIntent, (DelegateReq)));
        if (kind == KIND_UPDATE_TPSL) return _hashUpdateTpSl(abi.decode(encodedIntent, (UpdateTpSlReq)));
        revert WrongOrderType();
    }

    function isNonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return (nonceBitmap[signer][nonce >> 8] >> (nonce & 0xff)) & 1 == 1;
    }

    // ---- internals ----

    function _setDelegate(address trader, address delegate, uint256 expiry) private {
        if (expiry <= block.timestamp) revert InvalidExpiry();
        if (delegate == address(0) || delegate == trader) revert NotAllowed();
        delegation[trader][delegate] = Delegation(true, expiry);
        emit DelegateSet(trader, delegate, expiry);
    }

    /// Rights are checked at submission, so revoking kills in-flight intents (docs/avantis.md v2 §2).
    function _authorize(address trader, address signer) private view {
        if (signer == trader) return;
        Delegation memory d = delegation[trader][signer];
        if (!d.isEnabled) revert NotDelegate();
        if (d.expiry <= block.timestamp) revert DelegateExpired();
    }

    /// Deadlines are unix milliseconds (docs/avantis.md v2 §3).
    function _checkDeadline(uint256 deadlineMs) private view {
        if (deadlineMs / 1000 < block.timestamp) revert InvalidDeadline();
    }

    function _useNonce(address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = nonceBitmap[signer][nonce >> 8];
        if (word & bit != 0) revert InvalidNonce();
        nonceBitmap[signer][nonce >> 8] = word | bit;
        emit NonceUsed(signer, nonce);
    }

    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27;
        if ((v != 27 && v != 28) || uint256(s) > HALF_N) revert InvalidSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked('\x19\x01', domainSeparator(), structHash));
    }

    // A static struct's abi.encode is its fields one word each, which is EIP-712's encodeData for
    // atomic fields (address and bool padded to 32 bytes): hashing it with the typehash is exact.
    function _hashOpen(OpenTradeReq memory req) private view returns (bytes32) {
        bytes32 tradeHash = keccak256(abi.encode(TRADE_TYPEHASH, req._t));
        return _digest(keccak256(abi.encode(OPEN_TYPEHASH, tradeHash, uint256(req._type), req._slippageP, req._deadline, req._nonce)));
    }

    function _hashClose(CloseTradeReq memory req) private view returns (bytes32) {
        return _digest(keccak256(abi.encode(CLOSE_TYPEHASH, req)));
    }

    function _hashIncrease(IncreasePositionSizeReq memory req) private view returns (bytes32) {
        bytes32 infoHash = keccak256(abi.encode(UPS_TYPEHASH, req._updateInfo));
        return _digest(keccak256(abi.encode(INCREASE_TYPEHASH, infoHash, req._slippageP, req._deadline, req._nonce)));
    }

    function _hashUpdateTpSl(UpdateTpSlReq memory req) private view returns (bytes32) {
        return _digest(keccak256(abi.encode(UPDATE_TPSL_TYPEHASH, req)));
    }

    function _hashDelegate(DelegateReq memory req) private view returns (bytes32) {
        return
            _digest(
                keccak256(
                    abi.encode(DELEGATE_TYPEHASH, req.trader, req.delegate, req.expiry, req.deadline, keccak256(bytes(req.tnc)), req.nonce)
                )
            );
    }
}
