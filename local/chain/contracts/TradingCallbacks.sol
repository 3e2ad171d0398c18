// SPDX-License-Identifier: MIT
// Local TradingCallbacks: executes what Trading asked for and emits MarketExecuted, LimitExecuted
// and MarketOpenCanceled from this address with Avantis' v1.5 signatures. On Base a keeper calls
// back a block or so later with a Pyth price; here Trading calls in the same transaction with the
// PriceFeed price. Behind an AlfaProxy: owner set by initialize(), immutables in the implementation.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

contract TradingCallbacks is ITradingCallbacks {
    uint256 private constant PRECISION = 1e10;
    uint8 public constant TP = 0;
    uint8 public constant SL = 1;
    uint8 public constant LIQ = 2;

    address public owner;
    address public trading;
    ITradingStorage public immutable storageT;
    IPairStorage public immutable pairStorage;
    IPairInfos public immutable pairInfos;
    IPriceFeed public immutable priceFeed;

    event MarketExecuted(
        uint256 orderId,
        Trade t,
        bool open,
        uint256 price,
        uint256 positionSizeUSDC,
        int256 percentProfit,
        uint256 usdcSentToTrader,
        bool isPnl
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
        bool isPnl
    );
    event MarketOpenCanceled(uint256 orderId, address indexed trader, uint256 pairIndex);

    constructor(address _storageT, address _pairStorage, address _pairInfos, address _priceFeed) {
        storageT = ITradingStorage(_storageT);
        pairStorage = IPairStorage(_pairStorage);
        pairInfos = IPairInfos(_pairInfos);
        priceFeed = IPriceFeed(_priceFeed);
    }

    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
    }

    modifier onlyTrading() {
        require(msg.sender == trading, 'NOT_TRADING');
        _;
    }

    function setTrading(address _trading) external {
        require(msg.sender == owner, 'NOT_OWNER');
        trading = _trading;
    }

    /// `t` carries the collateral in positionSizeUSDC and the wanted price in openPrice (SDK
    /// convention); the collateral is already in the vault.
    function openTradeMarketCallback(uint256 orderId, Trade calldata t, uint256 slippageP) external onlyTrading {
        uint256 price = priceFeed.getPrice(t.pairIndex);
        uint256 collateral = t.positionSizeUSDC;
        uint256 fee = AvantisMath.levFee(
            collateral,
            t.leverage,
            pairStorage.pairOpenFeeP(t.pairIndex, (collateral * t.leverage) / PRECISION, t.buy)
        );
        require(fee < collateral, 'FEE_EXCEEDS_COLLATERAL');
        // Charged on a cancel too, as in the Avantis v1 source: only the rest is refunded.
        storageT.chargeOpenFee(t.trader, t.pairIndex, t.buy, fee);

        if (!_fillable(t, price, slippageP)) {
            storageT.transferUSDC(address(storageT), t.trader, collateral - fee);
            emit MarketOpenCanceled(orderId, t.trader, t.pairIndex);
            return;
        }

        Trade memory n = t;
        n.initialPosToken = collateral - fee;
        n.positionSizeUSDC = block.timestamp; // docs/avantis.md v1 §3 trap 1: not a size once registered
        n.openPrice = price;
        n.timestamp = block.timestamp;
        n.index = storageT.storeTrade(n);
        emit MarketExecuted(orderId, n, true, price, n.initialPosToken, 0, 0, false);
    }

    function closeTradeMarketCallback(
        uint256 orderId,
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint256 amount
    ) external onlyTrading {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        require(t.leverage > 0, 'NO_TRADE');
        uint256 price = priceFeed.getPrice(pairIndex);
        (int256 p, uint256 value) = _settle(t, amount, price);
        emit MarketExecuted(orderId, t, false, price, amount, p, value, false);
    }

    /// TP and SL fill at their own level (as in gTrade/Avantis v1); a liquidation at the market.
    function executeLimitCallback(
        uint256 orderId,
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint8 orderType
    ) external onlyTrading {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        require(t.leverage > 0, 'NO_TRADE');
        uint256 price = priceFeed.getPrice(pairIndex);
        require(_triggered(t, price, orderType), orderType == TP ? 'NO_TP' : orderType == SL ? 'NO_SL' : 'NO_LIQ');
        uint256 execPrice = orderType == TP ? t.tp : orderType == SL ? t.sl : price;
        (int256 p, uint256 value) = _settle(t, t.initialPosToken, execPrice);
        emit LimitExecuted(orderId, t.index, t, orderType, execPrice, t.initialPosToken, p, value, false);
    }

    /// Whether a keeper may execute `orderType` (0 TP, 1 SL, 2 LIQ) on this trade right now.
    function canExecute(address trader, uint256 pairIndex, uint256 index, uint8 orderType) external view returns (bool) {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        if (t.leverage == 0) return false;
        return _triggered(t, priceFeed.getPrice(pairIndex), orderType);
    }

    function _fillable(Trade calldata t, uint256 price, uint256 slippageP) private pure returns (bool) {
        uint256 maxSlippage = (t.openPrice * slippageP) / 100 / PRECISION;
        bool inSlippage = t.buy ? price <= t.openPrice + maxSlippage : price + maxSlippage >= t.openPrice;
        bool tpOk = t.tp == 0 || (t.buy ? price < t.tp : price > t.tp);
        bool slOk = t.sl == 0 || (t.buy ? price > t.sl : price < t.sl);
        return inSlippage && tpOk && slOk;
    }

    function _triggered(Trade memory t, uint256 price, uint8 orderType) private view returns (bool) {
        if (orderType == TP) return t.tp > 0 && (t.buy ? price >= t.tp : price <= t.tp);
        if (orderType == SL) return t.sl > 0 && (t.buy ? price <= t.sl : price >= t.sl);
        if (orderType == LIQ) {
            int256 p = AvantisMath.percentProfit(t.openPrice, price, t.buy, t.leverage);
            return AvantisMath.tradeValue(t.initialPosToken, p, _closingFee(t, t.initialPosToken)) == 0;
        }
        return false;
    }

    function _closingFee(Trade memory t, uint256 amount) private view returns (uint256) {
        return AvantisMath.levFee(amount, t.leverage, pairStorage.pairCloseFeeP(t.pairIndex));
    }

    /// Closes `amount` of collateral at `price`: PairInfos values it (and emits the fee breakdown),
    /// the slot shrinks or is freed, and the vault pays the trader.
    function _settle(Trade memory t, uint256 amount, uint256 price) private returns (int256 p, uint256 value) {
        require(amount > 0 && amount <= t.initialPosToken, 'WRONG_AMOUNT');
        p = AvantisMath.percentProfit(t.openPrice, price, t.buy, t.leverage);
        value = pairInfos.getTradeValue(t.buy, amount, t.leverage, p, _closingFee(t, amount));
        if (amount == t.initialPosToken) {
            storageT.unregisterTrade(t.trader, t.pairIndex, t.index);
        } else {
            // Memory structs alias on assignment: shrink, store, then restore so the event still
            // shows the trade as it was before this close.
            t.initialPosToken -= amount;
            storageT.updateTrade(t);
            t.initialPosToken += amount;
        }
        storageT.transferUSDC(address(storageT), t.trader, value);
    }
}
