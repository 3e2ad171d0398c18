// SPDX-License-Identifier: MIT
// Types, interfaces, custom errors and the fee arithmetic of the local Avantis v2 contracts. The
// intent structs are docs/avantis.md v2 §3's, field for field (their EIP-712 hashing is in
// TradingRouter); the errors are the v2 names (docs/avantis.md v2 §9) plus the [local] ones
// docs/local-avantis.md lists, all without parameters, so their selectors are the ones v2 §9 lists.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

struct OpenTradeReq {
    Trade _t;
    uint8 _type;
    uint256 _slippageP;
    uint256 _deadline;
    uint256 _nonce;
}

struct CloseTradeReq {
    address _trader;
    uint256 _pairIndex;
    uint256 _index;
    uint256 _openTimestamp;
    uint256 _amount;
    uint256 _wantedPrice;
    uint256 _deadline;
    uint256 _nonce;
}

struct UpdatePositionSize {
    address trader;
    uint256 pairIndex;
    uint256 index;
    uint256 openPrice;
    uint256 initialPosToken;
    uint256 leverage;
}

struct IncreasePositionSizeReq {
    UpdatePositionSize _updateInfo;
    uint256 _slippageP;
    uint256 _deadline;
    uint256 _nonce;
}

/// `trader` is unprefixed, the rest prefixed (upstream quirk, docs/avantis.md v2 §3). Both legs always.
struct UpdateTpSlReq {
    address trader;
    uint256 _pairIndex;
    uint256 _index;
    uint256 _newTp;
    uint256 _newSl;
    uint256 _deadline;
    uint256 _nonce;
}

/// Solidity (ABI) order; the EIP-712 typehash order is trader, delegate, expiry, deadline, tnc, nonce.
struct DelegateReq {
    address trader;
    address delegate;
    uint256 expiry;
    string tnc;
    uint256 deadline;
    uint256 nonce;
}

/// The v2 catalog fields v1's PairConfig has no room for (docs/avantis.md "Data files": pair-limits.json; caps and rollover [local]).
struct PairParamsV2 {
    uint256 spreadP; // percent 1e10, charged against the trader on open and on close
    uint256 maxGainP; // percent 1e10: the profit cap
    uint256 fundingFeePerHourP; // percent 1e10 of the notional per hour
    uint256 rolloverFeePerHourP; // percent 1e10 of the collateral per hour [local]
    uint256 maxOI; // per side, notional USDC 1e6 [local]
    uint256 maxWalletOI; // per trader and pair, notional USDC 1e6 [local]
    bool pnlTypeAllowed; // Upside (zero-fee) orders; no local pair has them
}

uint8 constant ORDER_OPEN = 1;
uint8 constant ORDER_CLOSE = 2;
uint8 constant ORDER_INCREASE = 3;

/// A market order between its registration and the keeper's fill (or cancel) in a later block.
struct PendingOrder {
    uint8 kind; // ORDER_OPEN, ORDER_CLOSE, ORDER_INCREASE (0: none)
    bool buy;
    address trader;
    uint256 pairIndex;
    uint256 index; // close, increase: the trade's slot
    uint256 collateral; // open, increase: collateral pulled (1e6); close: collateral to close
    uint256 leverage; // 1e10 (increase: of the added part)
    uint256 wantedPrice; // 1e10
    uint256 slippageP; // percent 1e10 (open, increase)
    uint256 tp;
    uint256 sl;
    uint256 openTimestamp; // close: the Trade.timestamp the intent bound
    uint256 blockNumber; // registered in; fillable from the next block on
}

error InvalidNonce();
error PositionMismatch();
error InvalidDeadline();
error InvalidSignature();
error NotDelegate();
error DelegateExpired();
error WrongSl();
error WrongTp();
error HighSlippage();
error PnlOrderNotAllowed();
error BelowMinPosition();
error LeverageIncorrect();
error PairNotListed();
error MaxTradesPerPair();
error WrongAmount();
error NoTrade();
error InvalidExpiry();
error InvalidTnc();
error NotLive();
error OrderNotReady();
error NotKeeper();
error UnknownOrder();
error WrongOrderType();
error WrongPrice();
error NotAllowed();

interface IPairStorageV2 is IPairStorage {
    function pairParamsV2(uint256 pairIndex) external view returns (PairParamsV2 memory);
    function pairConfig(uint256 pairIndex) external view returns (PairConfig memory);
}

interface ITradingStorageV2 is ITradingStorage {
    function walletPairOI(address trader, uint256 pairIndex) external view returns (uint256);
    function openInterestUSDC(uint256 pairIndex, uint256 side) external view returns (uint256);
    function pendingOpens(address trader, uint256 pairIndex) external view returns (uint256);
    function storePendingOrder(uint256 orderId, PendingOrder memory o) external;
    function takePendingOrder(uint256 orderId) external returns (PendingOrder memory);
    function pendingOrder(uint256 orderId) external view returns (PendingOrder memory);
    function accrualStart(address trader, uint256 pairIndex, uint256 index) external view returns (uint256);
    function setAccrualStart(address trader, uint256 pairIndex, uint256 index, uint256 since) external;
}

interface IPairInfosV2 {
    function getTradeValueV2(
        Trade memory t,
        uint256 collateral,
        int256 percentProfit,
        uint256 closingFee,
        uint256 rolloverFee,
        int256 fundingFee
    ) external returns (uint256);
}

interface ICallbacksV2 {
    function executeLimitV2(address keeper, uint256 orderId, address trader, uint256 pairIndex, uint256 index, uint8 orderType) external;
    function isKeeper(address who) external view returns (bool);
}

interface ITradingV2 {
    function openTradeV2(Trade calldata t, uint8 orderType, uint256 slippageP) external returns (uint256 orderId);
    function closeTradeV2(
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint256 openTimestamp,
        uint256 amount,
        uint256 wantedPrice
    ) external returns (uint256 orderId);
    function increasePositionV2(UpdatePositionSize calldata u, uint256 slippageP) external returns (uint256 orderId);
    function updateTpSlV2(address trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 newSl) external;
    function delegatedCall(address trader, bytes calldata callData) external returns (bytes memory);
}

/// The v2 PnL and fee arithmetic, shared by TradingCallbacksV2 (settlement), TradingV2 (margin
/// updates) and the views, so a keeper's trigger check and the settlement cannot disagree.
library AvantisMathV2 {
    uint256 internal constant PRECISION = 1e10;
    uint256 internal constant LIQ_THRESHOLD_P = 85;

    /// Percent 1e10, clamped to [-100%, +maxGainP].
    function percentProfit(
        uint256 openPrice,
        uint256 price,
        bool buy,
        uint256 leverage,
        uint256 maxGainP
    ) internal pure returns (int256 p) {
        int256 diff = buy ? int256(price) - int256(openPrice) : int256(openPrice) - int256(price);
        p = (diff * 100 * int256(leverage)) / int256(openPrice);
        if (p > int256(maxGainP)) p = int256(maxGainP);
        if (p < -100 * int256(PRECISION)) p = -100 * int256(PRECISION);
    }

    /// `feeP` (percent 1e10) of the notional of `collateral` at `leverage`.
    function levFee(uint256 collateral, uint256 leverage, uint256 feeP) internal pure returns (uint256) {
        return (((collateral * leverage) / PRECISION) * feeP) / 100 / PRECISION;
    }

    /// Price moved against the trader by spreadP: up for an opening long or a closing short.
    function withSpread(uint256 price, uint256 spreadP, bool up) internal pure returns (uint256) {
        uint256 d = (price * spreadP) / 100 / PRECISION;
        return up ? price + d : price - d;
    }

    /// Skew-adjusted opening fee, percent 1e10 (docs/avantis.md v2 §8; the SDK's skew_adjusted_open_fee): with the
    /// trade's side holding `sameOI + notional` after it, oiPct = floor(100·oppositeOI/total OI) and
    /// feeP = (a·oiPct + b)/10000 from the decile's skewEqParams line. [local] Base's skewEqParams
    /// are not public: one line for every decile, anchored at the catalog's openFeeP, which is the
    /// fee at balance (oiPct 50); 1.5x when the trade's side holds all the OI (oiPct 0, the first
    /// trade on an empty pair too), 0.5x when it is a sliver (oiPct 100):
    /// feeP = openFeeP·(150 − oiPct)/100.
    function skewOpenFeeP(uint256 openFeeP, uint256 sameOI, uint256 oppositeOI, uint256 notional) internal pure returns (uint256) {
        uint256 total = sameOI + notional + oppositeOI;
        uint256 oiPct = total == 0 ? 0 : (100 * oppositeOI) / total;
        return (openFeeP * (150 - oiPct)) / 100;
    }

    /// Maker/taker closing fee, percent 1e10 (docs/avantis.md v2 §8; the SDK's pair_close_maker_taker_fee_p): a
    /// close moving the long share of OI toward 50% is maker, away from it (or from exactly 50%) is
    /// taker, crossing 50% is mixed, the part up to balance at the maker rate. [local] Measured on the
    /// USDC notional OI of each side (Avantis uses coin OI), with taker = the catalog's closeFeeP and
    /// maker = half of it (Base's maker/taker close rates are not in the catalog).
    function closeFeeP(uint256 closeFee, uint256 longOI, uint256 shortOI, uint256 size, bool buy) internal pure returns (uint256) {
        uint256 makerP = closeFee / 2;
        uint256 l1 = buy ? (longOI > size ? longOI - size : 0) : longOI;
        uint256 s1 = buy ? shortOI : (shortOI > size ? shortOI - size : 0);
        if (size == 0 || longOI + shortOI == 0 || l1 + s1 == 0) return closeFee;
        if (longOI > shortOI) {
            // long share after > before: away from 50%
            if (l1 * (longOI + shortOI) > longOI * (l1 + s1)) return closeFee;
            if (l1 >= s1) return makerP;
            return (makerP * (longOI - shortOI) + closeFee * (size - (longOI - shortOI))) / size;
        }
        if (longOI < shortOI) {
            if (l1 * (longOI + shortOI) < longOI * (l1 + s1)) return closeFee;
            if (l1 <= s1) return makerP;
            return (makerP * (shortOI - longOI) + closeFee * (size - (shortOI - longOI))) / size;
        }
        return closeFee;
    }

    function rolloverFee(uint256 collateral, uint256 perHourP, uint256 elapsed) internal pure returns (uint256) {
        return (collateral * perHourP * elapsed) / 3600 / 100 / PRECISION;
    }

    /// Longs pay, shorts receive [local: Avantis' funding is skew-dependent, docs/avantis.md v2 §8].
    function fundingFee(
        uint256 collateral,
        uint256 leverage,
        bool buy,
        uint256 perHourP,
        uint256 elapsed
    ) internal pure returns (int256) {
        int256 f = int256((((collateral * leverage) / PRECISION) * perHourP * elapsed) / 3600 / 100 / PRECISION);
        return buy ? f : -f;
    }

    /// collateral + pnl - fees, or 0 at or past the 85% liquidation threshold.
    function tradeValue(
        uint256 collateral,
        int256 p,
        uint256 fees,
        int256 funding
    ) internal pure returns (uint256) {
        int256 pnl = (int256(collateral) * p) / int256(PRECISION) / 100;
        int256 value = int256(collateral) + pnl - int256(fees) - funding;
        if (value <= int256((collateral * (100 - LIQ_THRESHOLD_P)) / 100)) return 0;
        return uint256(value);
    }
}
