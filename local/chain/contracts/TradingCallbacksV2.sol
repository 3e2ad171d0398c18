// SPDX-License-Identifier: MIT
// TradingCallbacks v2: the keeper's side of the two-step execution. A market order registered by
// TradingV2 is filled (or cancelled) here in a later block at the oracle price then, with the pair's
// spread against the trader, the opening fee, the OI / wallet / max-trades caps, the slippage bound
// and, on closes, the closing fee, rollover, funding and max-gain cap. Emits the v2 MarketExecuted,
// LimitExecuted, MarketOpenCanceled, MarketCloseCanceled, SpreadCharged, PositionSizeIncreased and
// IncreasePositionCanceled from this (the v1) address.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';
import './AvantisV2Types.sol';

contract TradingCallbacksV2 is ICallbacksV2 {
    uint256 private constant PRECISION = 1e10;
    uint8 public constant TP = 0;
    uint8 public constant SL = 1;
    uint8 public constant LIQ = 2;

    // ---- v1.5 layout (TradingCallbacks), in order ----
    address public owner;
    address public trading;
    // ---- v2 ----
    mapping(address => bool) private _keepers;
    bool public v2Initialized;

    ITradingStorageV2 public immutable storageT;
    IPairStorageV2 public immutable pairStorage;
    IPairInfosV2 public immutable pairInfos;
    IPriceFeed public immutable priceFeed;

    event MarketExecuted(
        uint256 orderId,
        Trade t,
        bool open,
        uint256 price,
        uint256 positionSizeUSDC,
        int256 percentProfit,
        uint256 usdcSentToTrader,
        bool isPnl,
        uint256 coinExposure,
        bool isCoinExposureFixed
    );
    event LimitExecuted(
        uint256 orderId,
        uint256 limitIndex,
        Trade t,
        uint8 orderType,
        uint256 price,
        uint256 positionSizeUSDC,
        int256 percentProfit,
        uint256 usdcSentToTrader,
        bool isPnl,
        uint256 coinExposure
    );
    event MarketOpenCanceled(uint256 orderId, address indexed trader, uint256 pairIndex);
    event MarketCloseCanceled(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 timestamp);
    event SpreadCharged(address indexed trader, uint256 pairIndex, uint256 index, bool open, uint256 price, uint256 spreadP, uint256 spreadUsdc);
    event PositionSizeIncreased(
        uint256 orderId,
        Trade t,
        bool isPnl,
        uint256 price,
        uint256 addedCollateral,
        uint256 addedLeverage,
        uint256 openingFee,
        uint256 coinExposureAdded,
        bool isCoinExposureFixed
    );
    event IncreasePositionCanceled(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index);
    event KeeperSet(address keeper, bool enabled);

    constructor(address _storageT, address _pairStorage, address _pairInfos, address _priceFeed) {
        storageT = ITradingStorageV2(_storageT);
        pairStorage = IPairStorageV2(_pairStorage);
        pairInfos = IPairInfosV2(_pairInfos);
        priceFeed = IPriceFeed(_priceFeed);
    }

    /// Runs in the upgrade transaction.
    function initializeV2(address[] calldata keepers) external {
        require(!v2Initialized, 'INITIALIZED');
        v2Initialized = true;
        for (uint256 i = 0; i < keepers.length; i++) _setKeeper(keepers[i], true);
    }

    function setKeeper(address keeper, bool enabled) external {
        require(msg.sender == owner, 'NOT_OWNER');
        _setKeeper(keeper, enabled);
    }

    function isKeeper(address who) external view returns (bool) {
        return _keepers[who];
    }

    function _setKeeper(address keeper, bool enabled) private {
        _keepers[keeper] = enabled;
        emit KeeperSet(keeper, enabled);
    }

    // ---- market orders ----

    /// Fills or cancels a registered market order; not in the block it was registered in.
    function executeMarketOrder(uint256 orderId) external {
        _settleOrder(orderId, false);
    }

    /// [local] Declines a registered order exactly as an execution-time refusal does (same events,
    /// same fee consequences): the batched-market service's `cancelNext` fault, nothing else.
    function cancelMarketOrder(uint256 orderId) external {
        _settleOrder(orderId, true);
    }

    function _settleOrder(uint256 orderId, bool decline) private {
        if (!_keepers[msg.sender]) revert NotKeeper();
        PendingOrder memory o = storageT.pendingOrder(orderId);
        if (o.kind == 0) revert UnknownOrder();
        if (block.number <= o.blockNumber) revert OrderNotReady();
        storageT.takePendingOrder(orderId);
        if (o.kind == ORDER_OPEN) _executeOpen(orderId, o, decline);
        else if (o.kind == ORDER_CLOSE) _executeClose(orderId, o, decline);
        else _executeIncrease(orderId, o, decline);
    }

    function _executeOpen(uint256 orderId, PendingOrder memory o, bool decline) private {
        PairParamsV2 memory pp = pairStorage.pairParamsV2(o.pairIndex);
        uint256 fill = AvantisMathV2.withSpread(priceFeed.getPrice(o.pairIndex), pp.spreadP, o.buy);
        uint256 notional = (o.collateral * o.leverage) / PRECISION;
        uint256 fee = _openFee(o.pairIndex, o.collateral, o.leverage, o.buy);
        // Kept on a cancel too (v1 behaviour, docs/avantis.md v1 §7.5; docs/avantis.md v2 §4: v2 sources silent) [inferred].
        storageT.chargeOpenFee(o.trader, o.pairIndex, o.buy, fee);
        if (
            decline ||
            !_inSlippage(o.buy, fill, o.wantedPrice, o.slippageP) ||
            !_withinCaps(o.trader, o.pairIndex, o.buy, notional, pp) ||
            storageT.openTradesCount(o.trader, o.pairIndex) >= storageT.maxTradesPerPair() ||
            (o.tp != 0 && (o.buy ? fill >= o.tp : fill <= o.tp)) ||
            (o.sl != 0 && (o.buy ? fill <= o.sl : fill >= o.sl))
        ) {
            storageT.transferUSDC(address(storageT), o.trader, o.collateral - fee);
            emit MarketOpenCanceled(orderId, o.trader, o.pairIndex);
            return;
        }
        Trade memory n = Trade({
            trader: o.trader,
            pairIndex: o.pairIndex,
            index: 0,
            initialPosToken: o.collateral - fee,
            positionSizeUSDC: block.timestamp, // docs/avantis.md v2 §7 trap: a timestamp, not a size
            openPrice: fill,
            buy: o.buy,
            leverage: o.leverage,
            tp: o.tp,
            sl: o.sl,
            timestamp: block.timestamp
        });
        n.index = storageT.storeTrade(n);
        emit SpreadCharged(o.trader, o.pairIndex, n.index, true, fill, pp.spreadP, (notional * pp.spreadP) / 100 / PRECISION);
        emit MarketExecuted(orderId, n, true, fill, n.initialPosToken, 0, 0, false, 0, false);
    }

    /// Closes fill at the oracle price with the spread against the trader; the intent carries no
    /// slippage (docs/avantis.md v2 Gaps), so only a changed position cancels: gone, re-timestamped, or smaller.
    function _executeClose(uint256 orderId, PendingOrder memory o, bool decline) private {
        Trade memory t = storageT.openTrades(o.trader, o.pairIndex, o.index);
        if (decline || t.leverage == 0 || t.timestamp != o.openTimestamp || o.collateral > t.initialPosToken) {
            emit MarketCloseCanceled(orderId, o.trader, o.pairIndex, o.index, o.openTimestamp);
            return;
        }
        PairParamsV2 memory pp = pairStorage.pairParamsV2(o.pairIndex);
        uint256 fill = AvantisMathV2.withSpread(priceFeed.getPrice(o.pairIndex), pp.spreadP, !t.buy);
        (int256 p, uint256 value) = _settle(t, o.collateral, fill, pp);
        emit SpreadCharged(o.trader, o.pairIndex, o.index, false, fill, pp.spreadP, AvantisMathV2.levFee(o.collateral, t.leverage, pp.spreadP));
        emit MarketExecuted(orderId, t, false, fill, o.collateral, p, value, false, 0, false);
    }

    struct Increase {
        uint256 fill;
        uint256 fee;
        uint256 oldNotional;
        uint256 addNotional;
        uint256 collateral;
    }

    /// Blends the open price by notional, settles the accrued rollover/funding of the existing part,
    /// refreshes the timestamp. Cancelled (opening fee kept, [inferred] as for opens) when the trade is
    /// gone, the fill is outside the slippage, a cap would be exceeded or the result is over-levered.
    function _executeIncrease(uint256 orderId, PendingOrder memory o, bool decline) private {
        Trade memory t = storageT.openTrades(o.trader, o.pairIndex, o.index);
        PairParamsV2 memory pp = pairStorage.pairParamsV2(o.pairIndex);
        Increase memory x;
        x.fill = AvantisMathV2.withSpread(priceFeed.getPrice(o.pairIndex), pp.spreadP, o.buy);
        x.fee = _openFee(o.pairIndex, o.collateral, o.leverage, o.buy);
        x.addNotional = (o.collateral * o.leverage) / PRECISION;
        storageT.chargeOpenFee(o.trader, o.pairIndex, o.buy, x.fee);
        if (t.leverage > 0) {
            x.oldNotional = (t.initialPosToken * t.leverage) / PRECISION;
            int256 accrued = _accrued(t, t.initialPosToken, pp);
            int256 c = int256(t.initialPosToken + o.collateral - x.fee) - accrued;
            x.collateral = c > 0 ? uint256(c) : 0;
        }
        if (
            decline ||
            t.leverage == 0 ||
            x.collateral == 0 ||
            !_inSlippage(o.buy, x.fill, o.wantedPrice, o.slippageP) ||
            !_withinCaps(o.trader, o.pairIndex, o.buy, x.addNotional, pp) ||
            ((x.oldNotional + x.addNotional) * PRECISION) / x.collateral > pairStorage.pairMaxLeverage(o.pairIndex, false)
        ) {
            storageT.transferUSDC(address(storageT), o.trader, o.collateral - x.fee);
            emit IncreasePositionCanceled(orderId, o.trader, o.pairIndex, o.index);
            return;
        }
        Trade memory n = _copy(t);
        n.openPrice = (x.oldNotional * t.openPrice + x.addNotional * x.fill) / (x.oldNotional + x.addNotional);
        n.initialPosToken = x.collateral;
        n.leverage = ((x.oldNotional + x.addNotional) * PRECISION) / x.collateral;
        n.timestamp = block.timestamp;
        n.positionSizeUSDC = block.timestamp;
        storageT.updateTrade(n);
        storageT.setAccrualStart(n.trader, n.pairIndex, n.index, block.timestamp);
        emit SpreadCharged(o.trader, o.pairIndex, o.index, true, x.fill, pp.spreadP, (x.addNotional * pp.spreadP) / 100 / PRECISION);
        emit PositionSizeIncreased(orderId, n, false, x.fill, o.collateral, o.leverage, x.fee, 0, false);
    }

    // ---- TP / SL / liquidation ----

    /// TP and SL fill at their own level, a liquidation at the oracle price (as in v1).
    function executeLimitV2(
        address keeper,
        uint256 orderId,
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint8 orderType
    ) external {
        require(msg.sender == trading, 'NOT_TRADING');
        if (!_keepers[keeper]) revert NotKeeper();
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        if (t.leverage == 0) revert NoTrade();
        PairParamsV2 memory pp = pairStorage.pairParamsV2(pairIndex);
        uint256 price = priceFeed.getPrice(pairIndex);
        if (!_triggered(t, price, orderType, pp)) revert WrongOrderType();
        uint256 execPrice = orderType == TP ? t.tp : orderType == SL ? t.sl : price;
        (int256 p, uint256 value) = _settle(t, t.initialPosToken, execPrice, pp);
        emit LimitExecuted(orderId, t.index, t, orderType, execPrice, t.initialPosToken, p, value, false, 0);
    }

    /// Whether a keeper may execute `orderType` (0 TP, 1 SL, 2 LIQ) on this trade right now.
    function canExecute(address trader, uint256 pairIndex, uint256 index, uint8 orderType) external view returns (bool) {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        if (t.leverage == 0) return false;
        return _triggered(t, priceFeed.getPrice(pairIndex), orderType, pairStorage.pairParamsV2(pairIndex));
    }

    function _triggered(Trade memory t, uint256 price, uint8 orderType, PairParamsV2 memory pp) private view returns (bool) {
        if (orderType == TP) return t.tp > 0 && (t.buy ? price >= t.tp : price <= t.tp);
        if (orderType == SL) return t.sl > 0 && (t.buy ? price <= t.sl : price >= t.sl);
        if (orderType == LIQ) {
            int256 p = AvantisMathV2.percentProfit(t.openPrice, price, t.buy, t.leverage, pp.maxGainP);
            uint256 since = storageT.accrualStart(t.trader, t.pairIndex, t.index);
            uint256 elapsed = block.timestamp > since ? block.timestamp - since : 0;
            uint256 fees = _closingFee(t, t.initialPosToken) + AvantisMathV2.rolloverFee(t.initialPosToken, pp.rolloverFeePerHourP, elapsed);
            int256 funding = AvantisMathV2.fundingFee(t.initialPosToken, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed);
            return AvantisMathV2.tradeValue(t.initialPosToken, p, fees, funding) == 0;
        }
        return false;
    }

    // ---- settlement ----

    /// Closes `amount` of collateral at `price`: PairInfos values it with the part's own closing fee,
    /// rollover and funding (and emits the fee breakdown), the slot shrinks or is freed, the vault pays.
    /// A partial close refreshes Trade.timestamp (docs/avantis.md v2 §3); the rest keeps accruing from where it did.
    function _settle(Trade memory t, uint256 amount, uint256 price, PairParamsV2 memory pp) private returns (int256 p, uint256 value) {
        p = AvantisMathV2.percentProfit(t.openPrice, price, t.buy, t.leverage, pp.maxGainP);
        uint256 since = storageT.accrualStart(t.trader, t.pairIndex, t.index);
        value = _value(t, amount, p, pp, since);
        if (amount == t.initialPosToken) {
            storageT.unregisterTrade(t.trader, t.pairIndex, t.index);
            storageT.setAccrualStart(t.trader, t.pairIndex, t.index, 0);
        } else {
            Trade memory rest = _copy(t);
            rest.initialPosToken -= amount;
            rest.timestamp = block.timestamp;
            rest.positionSizeUSDC = block.timestamp;
            storageT.updateTrade(rest);
            storageT.setAccrualStart(t.trader, t.pairIndex, t.index, since);
        }
        storageT.transferUSDC(address(storageT), t.trader, value);
    }

    function _value(Trade memory t, uint256 amount, int256 p, PairParamsV2 memory pp, uint256 since) private returns (uint256) {
        uint256 elapsed = block.timestamp > since ? block.timestamp - since : 0;
        uint256 rollover = AvantisMathV2.rolloverFee(amount, pp.rolloverFeePerHourP, elapsed);
        int256 funding = AvantisMathV2.fundingFee(amount, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed);
        return pairInfos.getTradeValueV2(t, amount, p, _closingFee(t, amount), rollover, funding);
    }

    function _accrued(Trade memory t, uint256 collateral, PairParamsV2 memory pp) private view returns (int256) {
        uint256 since = storageT.accrualStart(t.trader, t.pairIndex, t.index);
        uint256 elapsed = block.timestamp > since ? block.timestamp - since : 0;
        return
            int256(AvantisMathV2.rolloverFee(collateral, pp.rolloverFeePerHourP, elapsed)) +
            AvantisMathV2.fundingFee(collateral, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed);
    }

    /// Skew-adjusted on the OI at the fill, before this trade is counted (AvantisMathV2.skewOpenFeeP).
    function _openFee(uint256 pairIndex, uint256 collateral, uint256 leverage, bool buy) private view returns (uint256 fee) {
        uint256 notional = (collateral * leverage) / PRECISION;
        uint256 feeP = AvantisMathV2.skewOpenFeeP(
            pairStorage.pairOpenFeeP(pairIndex, notional, buy),
            storageT.openInterestUSDC(pairIndex, buy ? 0 : 1),
            storageT.openInterestUSDC(pairIndex, buy ? 1 : 0),
            notional
        );
        fee = AvantisMathV2.levFee(collateral, leverage, feeP);
        if (fee > collateral) fee = collateral;
    }

    /// Maker/taker on the OI before the close, this trade still counted (AvantisMathV2.closeFeeP).
    function _closingFee(Trade memory t, uint256 amount) private view returns (uint256) {
        uint256 feeP = AvantisMathV2.closeFeeP(
            pairStorage.pairCloseFeeP(t.pairIndex),
            storageT.openInterestUSDC(t.pairIndex, 0),
            storageT.openInterestUSDC(t.pairIndex, 1),
            (amount * t.leverage) / PRECISION,
            t.buy
        );
        return AvantisMathV2.levFee(amount, t.leverage, feeP);
    }

    function _inSlippage(bool buy, uint256 fill, uint256 wanted, uint256 slippageP) private pure returns (bool) {
        uint256 maxSlippage = (wanted * slippageP) / 100 / PRECISION;
        return buy ? fill <= wanted + maxSlippage : fill + maxSlippage >= wanted;
    }

    function _withinCaps(address trader, uint256 pairIndex, bool buy, uint256 notional, PairParamsV2 memory pp) private view returns (bool) {
        if (pp.maxOI > 0 && storageT.openInterestUSDC(pairIndex, buy ? 0 : 1) + notional > pp.maxOI) return false;
        if (pp.maxWalletOI > 0 && storageT.walletPairOI(trader, pairIndex) + notional > pp.maxWalletOI) return false;
        return true;
    }

    function _copy(Trade memory t) private pure returns (Trade memory) {
        return Trade(t.trader, t.pairIndex, t.index, t.initialPosToken, t.positionSizeUSDC, t.openPrice, t.buy, t.leverage, t.tp, t.sl, t.timestamp);
    }
}
