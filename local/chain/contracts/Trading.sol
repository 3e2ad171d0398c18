// SPDX-License-Identifier: MIT
// Local Trading: the entry point traders (and their delegates) call, with Avantis v1.5 function
// signatures and selectors, emitting MarketOrderInitiated, LimitOrderInitiated, TpUpdated, SlUpdated
// and MarginUpdated from this address. Market orders and keeper triggers are executed by
// TradingCallbacks within the same transaction (on Base a keeper calls back later). Behind an
// AlfaProxy: owner set by initialize(), immutables in the implementation; TradingV2 keeps this layout.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

contract Trading {
    uint256 private constant PRECISION = 1e10;
    /// Percent 1e10 (80%), Avantis' documented cap.
    uint256 public constant _MAX_SLIPPAGE = 80e10;
    /// An SL may not lose more than this percent of the collateral.
    uint256 public constant MAX_SL_P = 80;
    /// A margin withdrawal may not leave the trade more than this percent in loss.
    uint256 public constant WITHDRAW_THRESHOLD_P = 80;
    uint8 private constant MARKET = 0;
    uint8 private constant DEPOSIT = 0;
    uint8 private constant WITHDRAW = 1;

    address public owner;
    bool public paused;
    /// No timelock locally: TP/SL updates apply at once.
    uint256 public limitOrdersTimelock;
    uint256 public lastOrderId;

    ITradingStorage public immutable storageT;
    IPairStorage public immutable pairStorage;
    address public immutable pairInfos;
    ITradingCallbacks public immutable callbacks;
    IPriceFeed public immutable priceFeed;

    /// trader => the one wallet allowed to act for them (v1.5: one delegate per trader).
    mapping(address => address) public delegations;
    /// The trader a delegatedAction runs for; zero outside one.
    address private senderOverride;

    event MarketOrderInitiated(
        address indexed trader,
        uint256 pairIndex,
        bool open,
        uint256 orderId,
        uint256 timestamp,
        bool isBuy,
        bool isPnl,
        uint256 initialPosToken,
        uint256 leverage
    );
    event LimitOrderInitiated(address indexed trader, uint256 pairIndex, uint256 orderId, uint256 timestamp);
    event TpUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 timestamp);
    event SlUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp);
    event MarginUpdated(
        address indexed trader,
        uint256 pairIndex,
        uint256 index,
        uint8 _type,
        Trade newTrade,
        uint256 marginFees,
        uint256 lossProtectionTier,
        uint256 timestamp
    );

    constructor(address _storageT, address _pairStorage, address _pairInfos, address _callbacks, address _priceFeed) {
        storageT = ITradingStorage(_storageT);
        pairStorage = IPairStorage(_pairStorage);
        pairInfos = _pairInfos;
        callbacks = ITradingCallbacks(_callbacks);
        priceFeed = IPriceFeed(_priceFeed);
    }

    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
    }

    modifier notPaused() {
        require(!paused, 'PAUSED');
        _;
    }

    function setPaused(bool value) external {
        require(msg.sender == owner, 'NOT_OWNER');
        paused = value;
    }

    // ---- delegation (gTrade-style Delegatable) ----

    function _msgSender() private view returns (address) {
        return senderOverride == address(0) ? msg.sender : senderOverride;
    }

    function __msgSender() external view returns (address) {
        return _msgSender();
    }

    /// Called by the trader. Not through delegatedAction: a delegate cannot appoint delegates.
    function setDelegate(address delegate) external {
        require(senderOverride == address(0), 'NOT_ALLOWED_IN_DELEGATED_ACTION');
        delegations[msg.sender] = delegate;
    }

    function removeDelegate() external {
        require(senderOverride == address(0), 'NOT_ALLOWED_IN_DELEGATED_ACTION');
        delete delegations[msg.sender];
    }

    /// Runs `call_data` on this contract as `trader`: funds are pulled from and paid to the trader,
    /// the delegate only pays gas and msg.value.
    function delegatedAction(address trader, bytes calldata call_data) external payable returns (bytes memory) {
        require(senderOverride == address(0), 'NOT_ALLOWED_IN_DELEGATED_ACTION');
        require(trader != address(0) && delegations[trader] == msg.sender, 'DELEGATE_NOT_APPROVED');
        senderOverride = trader;
        (bool ok, bytes memory result) = address(this).delegatecall(call_data);
        senderOverride = address(0);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    // ---- trading ----

    /// SDK convention: collateral (USDC 1e6) in t.positionSizeUSDC, wanted price in t.openPrice,
    /// leverage 1e10. msg.value is the execution fee: any amount is accepted (0 too) and kept here.
    function openTrade(Trade calldata t, uint8 _type, uint256 _slippageP) external payable notPaused returns (uint256 orderId) {
        address sender = _msgSender();
        require(t.trader == sender, 'WRONG_TRADER');
        require(_type == MARKET, 'ORDER_TYPE_NOT_SUPPORTED');
        require(_slippageP <= _MAX_SLIPPAGE, 'WRONG_SLIPPAGE');
        require(t.openPrice > 0, 'WRONG_PRICE');
        require(pairStorage.isListed(t.pairIndex), 'PAIR_NOT_LISTED');
        require(storageT.openTradesCount(sender, t.pairIndex) < storageT.maxTradesPerPair(), 'MAX_TRADES_PER_PAIR');
        require(
            t.leverage >= pairStorage.pairMinLeverage(t.pairIndex, false) &&
                t.leverage <= pairStorage.pairMaxLeverage(t.pairIndex, false),
            'LEVERAGE_INCORRECT'
        );
        require(
            (t.positionSizeUSDC * t.leverage) / PRECISION >= pairStorage.pairMinLevPosUSDC(t.pairIndex),
            'BELOW_MIN_POS'
        );
        require(t.tp == 0 || (t.buy ? t.tp > t.openPrice : t.tp < t.openPrice), 'WRONG_TP');
        require(t.sl == 0 || (t.buy ? t.sl < t.openPrice : t.sl > t.openPrice), 'WRONG_SL');

        storageT.transferUSDC(sender, address(storageT), t.positionSizeUSDC);
        orderId = ++lastOrderId;
        emit MarketOrderInitiated(
            sender,
            t.pairIndex,
            true,
            orderId,
            block.timestamp,
            t.buy,
            false,
            t.positionSizeUSDC,
            t.leverage
        );
        callbacks.openTradeMarketCallback(orderId, t, _slippageP);
    }

    /// `_amount` is collateral to close (USDC 1e6); less than the trade's collateral is a partial close.
    function closeTradeMarket(
        uint256 _pairIndex,
        uint256 _index,
        uint256 _amount
    ) external payable notPaused returns (uint256 orderId) {
        address sender = _msgSender();
        Trade memory t = storageT.openTrades(sender, _pairIndex, _index);
        require(t.leverage > 0, 'NO_TRADE');
        require(_amount > 0 && _amount <= t.initialPosToken, 'WRONG_AMOUNT');
        orderId = ++lastOrderId;
        emit MarketOrderInitiated(sender, _pairIndex, false, orderId, block.timestamp, t.buy, false, _amount, t.leverage);
        callbacks.closeTradeMarketCallback(orderId, sender, _pairIndex, _index, _amount);
    }

    /// SL comes before TP, as in Avantis. TP must be set (the SDK refuses 0); SL 0 removes it.
    /// The price update arguments are accepted and ignored (no Pyth locally).
    function updateTpAndSl(
        uint256 _pairIndex,
        uint256 _index,
        uint256 _newSl,
        uint256 _newTP,
        bytes[] calldata,
        uint8
    ) external payable notPaused {
        address sender = _msgSender();
        Trade memory t = storageT.openTrades(sender, _pairIndex, _index);
        require(t.leverage > 0, 'NO_TRADE');
        require(_newTP > 0 && (t.buy ? _newTP > t.openPrice : _newTP < t.openPrice), 'WRONG_TP');
        uint256 maxSlDist = (t.openPrice * MAX_SL_P * PRECISION) / t.leverage / 100;
        require(
            _newSl == 0 || (t.buy ? _newSl + maxSlDist >= t.openPrice : _newSl <= t.openPrice + maxSlDist),
            'SL_TOO_BIG'
        );
        storageT.updateTp(sender, _pairIndex, _index, _newTP);
        storageT.updateSl(sender, _pairIndex, _index, _newSl);
        emit TpUpdated(sender, _pairIndex, _index, _newTP, block.timestamp);
        emit SlUpdated(sender, _pairIndex, _index, _newSl, block.timestamp);
    }

    /// Deposit or withdraw collateral; the leveraged size stays, so the leverage moves. No fee.
    function updateMargin(
        uint256 _pairIndex,
        uint256 _index,
        uint8 _type,
        uint256 _amount,
        bytes[] calldata,
        uint8
    ) external payable notPaused returns (uint256 orderId) {
        address sender = _msgSender();
        Trade memory t = storageT.openTrades(sender, _pairIndex, _index);
        require(t.leverage > 0, 'NO_TRADE');
        require(_type == DEPOSIT || _type == WITHDRAW, 'WRONG_TYPE');
        require(_amount > 0, 'WRONG_AMOUNT');
        uint256 levPos = (t.initialPosToken * t.leverage) / PRECISION;
        if (_type == DEPOSIT) {
            storageT.transferUSDC(sender, address(storageT), _amount);
            t.initialPosToken += _amount;
        } else {
            require(_amount < t.initialPosToken, 'WRONG_AMOUNT');
            t.initialPosToken -= _amount;
        }
        t.leverage = (levPos * PRECISION) / t.initialPosToken;
        require(
            t.leverage >= pairStorage.pairMinLeverage(_pairIndex, false) &&
                t.leverage <= pairStorage.pairMaxLeverage(_pairIndex, false),
            'LEVERAGE_INCORRECT'
        );
        if (_type == WITHDRAW) {
            int256 p = AvantisMath.percentProfit(t.openPrice, priceFeed.getPrice(_pairIndex), t.buy, t.leverage);
            require(p > -int256(WITHDRAW_THRESHOLD_P * PRECISION), 'WITHDRAW_THRESHOLD');
            storageT.transferUSDC(address(storageT), sender, _amount);
        }
        storageT.updateTrade(t);
        orderId = ++lastOrderId;
        emit MarginUpdated(sender, _pairIndex, _index, _type, t, 0, 0, block.timestamp);
    }

    /// Keeper entry: closes a trade whose TP (0), SL (1) or liquidation (2) condition holds at the
    /// current PriceFeed price, or reverts (NO_TP, NO_SL, NO_LIQ). Open to anyone, like Avantis' bots.
    function executeLimit(
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint8 orderType
    ) external notPaused returns (uint256 orderId) {
        require(orderType <= 2, 'WRONG_ORDER_TYPE');
        orderId = ++lastOrderId;
        emit LimitOrderInitiated(trader, pairIndex, orderId, block.timestamp);
        callbacks.executeLimitCallback(orderId, trader, pairIndex, index, orderType);
    }
}
