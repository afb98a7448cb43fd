"""Messages of the rating proposal: how the methods were reconciled, the rationale points and the
scorecard factors. key -> {"en": ..., "zh": ...}."""

MESSAGES: dict[str, dict[str, str]] = {
    # reconciliation
    "nr_residual": {
        "en": "{tranche}: not rated (NR). A residual tranche without a promised coupon is not "
        "rated by default "
        "(the agencies left the 建鑫 subordinated tranches unrated); its expected yield and loss "
        "are shown.",
        "zh": "{tranche}：未予评级。无承诺票息的剩余收益档默认不予评级（建鑫系列次级档均未评级），仅列示其预期收益率与预期损失。",
    },
    "mc_lower": {
        "en": "{tranche}: the Monte Carlo EL supports only {mc}, {notches} notches below the "
        "stress rating {stress} "
        "(more than the {tolerance} allowed), so the lower, {mc}, is proposed.",
        "zh": "{tranche}：蒙特卡洛预期损失仅支持 {mc}，较压力测试评级 {stress} 低 {notches} 个子级（超过允许的 {tolerance} "
        "个），故建议取较低者 {mc}。",
    },
    "mc_not_binding": {
        "en": "{tranche}: the Monte Carlo EL gives {mc}, {notches} notches below the stress rating {stress} (more than the {tolerance} allowed), but its inputs are assumptions (the recovery volatility or the idealised-EL table is not the analyst's own), so it is reported and the stress rating {stress} stands. Set both on the deal workbook's Assumptions and IdealisedEL sheets to make the cross-check binding.",
        "zh": "{tranche}：蒙特卡洛预期损失对应 {mc}，较压力测试评级 {stress} 低 {notches} 个子级（超过允许的 {tolerance} 个），但其输入为假设值（回收波动率或理想化损失表并非分析师设定），故仅作披露，维持压力测试评级 {stress}。在交易工作簿的 Assumptions 与 IdealisedEL 表中设定二者后，该交叉验证方具约束力。",
    },
    "mc_within": {
        "en": "{tranche}: the stress rating {stress} stands; the Monte Carlo EL gives {mc}, "
        "{notches} notch(es) "
        "lower, within the {tolerance} allowed.",
        "zh": "{tranche}：维持压力测试评级 {stress}；蒙特卡洛预期损失对应 {mc}，低 {notches} 个子级，在允许的 {tolerance} 个之内。",
    },
    "stress_binding": {
        "en": "{tranche}: the stress rating {stress} is proposed; the Monte Carlo EL ({mc}) is at "
        "least as good.",
        "zh": "{tranche}：建议采用压力测试评级 {stress}；蒙特卡洛预期损失（{mc}）不低于该级别。",
    },
    "kmv_agrees": {
        "en": "{tranche}: the modified KMV gives {kmv}, consistent with the proposal.",
        "zh": "{tranche}：改进 KMV 模型结果为 {kmv}，与建议评级一致。",
    },
    "kmv_differs": {
        "en": "{tranche}: the modified KMV gives {kmv}, {notches} notches from {rating}. KMV sees "
        "the pool as one "
        "lognormal value at the tranche's WAL; it ignores the timing of recoveries, the reserve "
        "and the "
        "stress scenarios, so it is a cross-check, not the rating.",
        "zh": "{tranche}：改进 KMV 模型结果为 {kmv}，与 {rating} 相差 {notches} 个子级。KMV "
        "将资产池视为到加权平均期限时的单一对数正态价值，未考虑回收时间、储备与压力情景，故仅作交叉验证，不作为评级依据。",
    },
    # rationale
    "granular": {
        "en": "Granular pool: the ten largest borrowers hold {share:.1%} of the balance.",
        "zh": "资产池分散：前十大借款人仅占 {share:.1%}。",
    },
    "concentrated": {
        "en": "Borrower concentration: the ten largest borrowers hold {share:.1%} of the balance.",
        "zh": "借款人集中：前十大借款人占 {share:.1%}。",
    },
    "region_concentration": {
        "en": "Regional concentration: one province holds {share:.1%} of the balance.",
        "zh": "地区集中：单一省份占 {share:.1%}。",
    },
    "long_overdue": {
        "en": "Long overdue: weighted average {months:.1f} months past due lowers expected "
        "recoveries.",
        "zh": "逾期时间长：加权平均逾期 {months:.1f} 个月，不利于回收。",
    },
    "short_overdue": {
        "en": "Recently defaulted: weighted average {months:.1f} months past due supports "
        "recoveries.",
        "zh": "逾期时间短：加权平均逾期 {months:.1f} 个月，有利于回收。",
    },
    "secured": {
        "en": "Secured pool: {share:.1%} of the balance has mortgage or pledge collateral.",
        "zh": "有抵质押：{share:.1%} 的资产有抵押或质押。",
    },
    "unsecured": {
        "en": "Mostly unsecured: only {share:.1%} of the balance has collateral.",
        "zh": "以信用类为主：仅 {share:.1%} 的资产有抵质押。",
    },
    "cushion": {
        "en": "The senior survives {cushion:.1%} more haircut than its rating requires "
        "({required:.1%}).",
        "zh": "优先档可承受的折损率比其评级要求（{required:.1%}）高 {cushion:.1%}。",
    },
    "thin_cushion": {
        "en": "Thin cushion: the senior survives only {cushion:.1%} more haircut than required "
        "({required:.1%}).",
        "zh": "安全边际薄：优先档可承受的折损率仅比要求（{required:.1%}）高 {cushion:.1%}。",
    },
    "reserve": {
        "en": "Liquidity reserve of {multiple:g}x next period's senior fees and interest.",
        "zh": "设有流动性储备，为下期优先费用与利息的 {multiple:g} 倍。",
    },
    "no_reserve": {
        "en": "No liquidity reserve: senior interest depends on each period's collections.",
        "zh": "未设流动性储备：优先档利息依赖当期回收。",
    },
    "default_event": {
        "en": "Unpaid senior interest triggers a default event that turns the waterfall "
        "sequential.",
        "zh": "优先档利息未付即触发违约事件，现金流转为顺序支付。",
    },
    "illustrative": {
        "en": "The stress and idealised-loss tables are illustrative, not an agency's.",
        "zh": "压力表与理想化损失表为示意参数，非评级机构公布。",
    },
    "scorecard": {
        "en": "Scorecard: {factor} scored {score} (3 is neutral) moved the stress.",
        "zh": "定性评分：{factor} 得分 {score}（3 为中性），调整了压力参数。",
    },
    # scorecard factors
    "factor_servicer": {"en": "originator and servicer record", "zh": "发起机构与贷款服务机构履历"},
    "factor_collection": {"en": "collection capacity", "zh": "清收处置能力"},
    "factor_legal": {"en": "true sale and bankruptcy remoteness", "zh": "真实出售与破产隔离"},
    "factor_commingling": {"en": "commingling and set-off", "zh": "资金混同与抵销风险"},
    "factor_disclosure": {"en": "disclosure", "zh": "信息披露"},
    "factor_region": {"en": "regional economy", "zh": "区域经济"},
}
