// SPDX-License-Identifier: MIT
// Shared types, interfaces and the PnL arithmetic of the local Avantis-compatible contracts.
// Field order of Trade is the Avantis v1.5 one, so events that carry it have Avantis' topic0.
pragma solidity ^0.8.20;

struct Trade {
    address trader;
    uint256 pairIndex;
    uint256 index; // per-(trader, pair) slot; freed on a full close and reused
    uint256 initialPosToken; // collateral after the opening fee, USDC 1e6
    uint256 positionSizeUSDC; // input: collateral (1e6); once stored: block.timestamp (Avantis trap)
    uint256 openPrice; // 1e10
    bool buy;
    uint256 leverage; // 1e10
    uint256 tp; // 1e10, 0 = none
    uint256 sl; // 1e10, 0 = none
    uint256 timestamp;
}

struct TradeInfo {
    uint256 openInterestUSDC;
    uint256 tpLastUpdated;
    uint256 slLastUpdated;
    bool beingMarketClosed;
    uint256 lossProtection;
}

struct PairConfig {
    string from;
    string to;
    uint256 groupIndex;
    uint256 minLeverage; // 1e10
    uint256 maxLeverage; // 1e10
    uint256 openFeeP; // percent 1e10 of the leveraged position
    uint256 closeFeeP; // percent 1e10 of the leveraged position
    uint256 minLevPosUSDC; // 1e6
}

interface IERC20Like {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IPairStorage {
    function isListed(uint256 pairIndex) external view returns (bool);
    function pairMinLeverage(uint256 pairIndex, bool isPnl) external view returns (uint256);
    function pairMaxLeverage(uint256 pairIndex, bool isPnl) external view returns (uint256);
    function pairMinLevPosUSDC(uint256 pairIndex) external view returns (uint256);
    function pairOpenFeeP(uint256 pairIndex, uint256 leveragedPosition, bool buy) external view returns (uint256);
    function pairCloseFeeP(uint256 pairIndex) external view returns (uint256);
}

interface IPriceFeed {
    function getPrice(uint256 pairIndex) external view returns (uint256);
}

interface ITradingStorage {
    function maxTradesPerPair() external view returns (uint256);
    function openTradesCount(address trader, uint256 pairIndex) external view returns (uint256);
    function openTrades(address trader, uint256 pairIndex, uint256 index) external view returns (Trade memory);
    function transferUSDC(address from, address to, uint256 amount) external;
    function storeTrade(Trade memory t) external returns (uint256 index);
    function updateTrade(Trade memory t) external;
    function updateTp(address trader, uint256 pairIndex, uint256 index, uint256 tp) external;
    function updateSl(address trader, uint256 pairIndex, uint256 index, uint256 sl) external;
    function unregisterTrade(address trader, uint256 pairIndex, uint256 index) external;
    function chargeOpenFee(address trader, uint256 pairIndex, bool buy, uint256 fee) external;
}

interface IPairInfos {
    function getTradeValue(
        bool buy,
        uint256 collateral,
        uint256 leverage,
        int256 percentProfit,
        uint256 closingFee
    ) external returns (uint256);
}

interface ITradingCallbacks {
    function openTradeMarketCallback(uint256 orderId, Trade calldata t, uint256 slippageP) external;
    function closeTradeMarketCallback(
        uint256 orderId,
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint256 amount
    ) external;
    function executeLimitCallback(
        uint256 orderId,
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint8 orderType
    ) external;
}

/// The Avantis v1 close arithmetic (TradingCallbacks + PairInfos), kept in one place so the
/// keeper's trigger check and the settlement cannot disagree.
library AvantisMath {
    uint256 internal constant PRECISION = 1e10;
    int256 internal constant MAX_GAIN_P = 900;
    uint256 internal constant LIQ_THRESHOLD_P = 85;

    /// Percent scaled by 1e10, clamped to [-100%, +900%].
    function percentProfit(
        uint256 openPrice,
        uint256 price,
        bool buy,
        uint256 leverage
    ) internal pure returns (int256 p) {
        int256 diff = buy ? int256(price) - int256(openPrice) : int256(openPrice) - int256(price);
        p = (diff * 100 * int256(PRECISION) * int256(leverage)) / int256(PRECISION) / int256(openPrice);
        int256 maxP = MAX_GAIN_P * int256(PRECISION);
        int256 minP = -100 * int256(PRECISION);
        if (p > maxP) p = maxP;
        if (p < minP) p = minP;
    }

    /// Fee of `feeP` (percent 1e10) on the leveraged size of `collateral`.
    function levFee(uint256 collateral, uint256 leverage, uint256 feeP) internal pure returns (uint256) {
        return (((collateral * leverage) / PRECISION) * feeP) / 100 / PRECISION;
    }

    /// What the trader gets back: collateral + pnl - fees, or 0 at or past the liquidation threshold.
    function tradeValue(
        uint256 collateral,
        int256 p,
        uint256 fees
    ) internal pure returns (uint256) {
        int256 pnl = (int256(collateral) * p) / int256(PRECISION) / 100;
        int256 value = int256(collateral) + pnl - int256(fees);
        if (value <= int256((collateral * (100 - LIQ_THRESHOLD_P)) / 100)) return 0;
        return uint256(value);
    }
}
