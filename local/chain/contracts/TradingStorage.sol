// SPDX-License-Identifier: MIT
// Local TradingStorage: the USDC vault (traders approve it, it pays profits) and the open trades
// by (trader, pairIndex, index), with Avantis' slot reuse via firstEmptyTradeIndex. Emits the
// opening-fee FeesCharged from this address, as on Base. Runs behind an AlfaProxy: state is set by
// initialize(), not the constructor; TradingStorageV2 inherits this layout and appends to it.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

contract TradingStorage is ITradingStorage {
    uint256 private constant PRECISION = 1e10;

    address public owner;
    address public trading;
    address public callbacks;
    address public immutable usdc;
    /// Avantis' live value (docs/avantis.md v1 §7.5); counts open trades only, nothing is ever pending here.
    uint256 public maxTradesPerPair;
    uint256 public maxPendingMarketOrders;
    /// Opening fees kept by the vault (dev/gov share in Avantis).
    uint256 public govFeesUSDC;

    mapping(address => mapping(uint256 => mapping(uint256 => Trade))) internal _trades;
    mapping(address => mapping(uint256 => mapping(uint256 => TradeInfo))) internal _infos;
    mapping(address => mapping(uint256 => uint256)) public openTradesCount;
    /// [pairIndex][0 = long, 1 = short], leveraged USDC 1e6.
    mapping(uint256 => mapping(uint256 => uint256)) public openInterestUSDC;
    mapping(address => uint256) public walletOI;
    uint256 public totalOI;

    event FeesCharged(address _trader, uint256 _pairIndex, bool _buy, uint256 fee);

    constructor(address _usdc) {
        usdc = _usdc;
    }

    /// Through the proxy's constructor, so msg.sender is the deployer.
    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
        maxTradesPerPair = 40;
        maxPendingMarketOrders = 5;
    }

    modifier onlyOwner() {
        require(msg.sender == owner, 'NOT_OWNER');
        _;
    }

    modifier onlyCallbacks() {
        require(msg.sender == callbacks, 'NOT_CALLBACKS');
        _;
    }

    modifier onlyTrading() {
        require(msg.sender == trading, 'NOT_TRADING');
        _;
    }

    modifier onlyTradingOrCallbacks() {
        require(msg.sender == trading || msg.sender == callbacks, 'NOT_TRADING_OR_CALLBACKS');
        _;
    }

    function setTrading(address _trading) external onlyOwner {
        trading = _trading;
    }

    function setCallbacks(address _callbacks) external onlyOwner {
        callbacks = _callbacks;
    }

    function setMaxTradesPerPair(uint256 value) external onlyOwner {
        require(value > 0, 'WRONG_VALUE');
        maxTradesPerPair = value;
    }

    // ---- views (Avantis v1.5 names) ----

    function openTrades(address _trader, uint256 _pairIndex, uint256 _index) external view returns (Trade memory) {
        return _trades[_trader][_pairIndex][_index];
    }

    function openTradesInfo(
        address _trader,
        uint256 _pairIndex,
        uint256 _index
    ) external view returns (TradeInfo memory) {
        return _infos[_trader][_pairIndex][_index];
    }

    /// The lowest free slot; maxTradesPerPair when every slot is taken.
    function firstEmptyTradeIndex(address trader, uint256 pairIndex) public view returns (uint256 index) {
        for (index = 0; index < maxTradesPerPair; index++) {
            if (_trades[trader][pairIndex][index].leverage == 0) return index;
        }
    }

    /// Market orders execute in the transaction that asks for them: nothing is ever pending.
    function pendingOrderIdsCount(address) external view virtual returns (uint256) {
        return 0;
    }

    // ---- writes, Trading and TradingCallbacks only ----

    /// The vault pays out (from == this) or pulls from a trader who approved it.
    function transferUSDC(address from, address to, uint256 amount) external onlyTradingOrCallbacks {
        if (amount == 0) return;
        bool ok = from == address(this)
            ? IERC20Like(usdc).transfer(to, amount)
            : IERC20Like(usdc).transferFrom(from, to, amount);
        require(ok, 'USDC_TRANSFER_FAILED');
    }

    function chargeOpenFee(address trader, uint256 pairIndex, bool buy, uint256 fee) external onlyCallbacks {
        govFeesUSDC += fee;
        emit FeesCharged(trader, pairIndex, buy, fee);
    }

    function storeTrade(Trade memory t) external virtual onlyCallbacks returns (uint256 index) {
        index = firstEmptyTradeIndex(t.trader, t.pairIndex);
        require(index < maxTradesPerPair, 'MAX_TRADES_PER_PAIR');
        t.index = index;
        _trades[t.trader][t.pairIndex][index] = t;
        openTradesCount[t.trader][t.pairIndex] += 1;
        TradeInfo storage info = _infos[t.trader][t.pairIndex][index];
        info.tpLastUpdated = block.number;
        info.slLastUpdated = block.number;
        _setOI(t, (t.initialPosToken * t.leverage) / PRECISION);
    }

    /// Collateral and leverage changes (partial close, margin update); the slot stays.
    function updateTrade(Trade memory t) external onlyTradingOrCallbacks {
        require(_trades[t.trader][t.pairIndex][t.index].leverage > 0, 'NO_TRADE');
        _trades[t.trader][t.pairIndex][t.index] = t;
        _setOI(t, (t.initialPosToken * t.leverage) / PRECISION);
    }

    function updateTp(address trader, uint256 pairIndex, uint256 index, uint256 tp) external onlyTrading {
        _trades[trader][pairIndex][index].tp = tp;
        _infos[trader][pairIndex][index].tpLastUpdated = block.number;
    }

    function updateSl(address trader, uint256 pairIndex, uint256 index, uint256 sl) external onlyTrading {
        _trades[trader][pairIndex][index].sl = sl;
        _infos[trader][pairIndex][index].slLastUpdated = block.number;
    }

    /// Frees the slot; the next open by this trader on this pair reuses the lowest free one.
    function unregisterTrade(address trader, uint256 pairIndex, uint256 index) external onlyCallbacks {
        Trade storage t = _trades[trader][pairIndex][index];
        require(t.leverage > 0, 'NO_TRADE');
        _setOI(t, 0);
        delete _trades[trader][pairIndex][index];
        delete _infos[trader][pairIndex][index];
        openTradesCount[trader][pairIndex] -= 1;
    }

    function _setOI(Trade memory t, uint256 newOI) internal virtual {
        TradeInfo storage info = _infos[t.trader][t.pairIndex][t.index];
        uint256 old = info.openInterestUSDC;
        uint256 side = t.buy ? 0 : 1;
        openInterestUSDC[t.pairIndex][side] = openInterestUSDC[t.pairIndex][side] - old + newOI;
        walletOI[t.trader] = walletOI[t.trader] - old + newOI;
        totalOI = totalOI - old + newOI;
        info.openInterestUSDC = newOI;
    }
}
