"""Labels, prompts and messages of the deal workbook (sheet prompts, key/value labels, table
headers, input prompts). key -> {"en": ..., "zh": ...}.

The Chinese follows the vocabulary of Chinese NPL ABS deal documents (发行说明书, 受托机构报告):
优先级/次级资产支持证券, 发行金额, 票面利率, 期间收益, 回收款, 违约事件, 流动性支持, 差额支付.
Keys (defined names, table names, option keys in column A of the Deal sheet, list choices) stay in
English in both languages: the reader and the Excel functions key on them, never on a label.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "wb_deal_title": {"en": "Deal terms", "zh": "交易要素"},
    "wb_key": {"en": "Key", "zh": "键（勿改）"},
    "wb_value": {"en": "Value", "zh": "值"},
    "wb_meaning": {"en": "Meaning", "zh": "说明"},
    "wb_assumption": {"en": "Assumption", "zh": "假设"},
    "wb_footer": {
        "en": "Written by npl-xl {version}. Yellow cells are inputs; grey cells are formulas. "
        "Rates are decimals (0.033, not 3.3).",
        "zh": "由 npl-xl {version} 生成。黄色单元格为输入，灰色单元格为公式。利率以小数填写（0.033，"
        "而非 3.3）。",
    },
    "wb_tranches_title": {
        "en": "Tranches, most senior first (seniority 1 = most senior). A floating coupon: leave "
        "Coupon blank and give Index (a rate of the Structures sheet), Spread, and optionally Floor, "
        "Cap and Reset periods.",
        "zh": "资产支持证券分档，优先级最高者在前（优先级 1 为最优先）。档次名称可自由填写（优先A档、"
        "优先B档、次级档……）。浮动利率：票面利率留空，填写基准利率（Structures 表中的利率）、利差，"
        "以及可选的下限、上限和重置周期。",
    },
    "wb_fees_title": {
        "en": "Taxes and fees in priority order. Basis: fixed (Amount a period), collections (Rate x "
        "collections), notes_balance (Rate a year x notes outstanding). Cap: most paid a period at "
        "its position.",
        "zh": "税费按支付顺序排列。计费基础：fixed（每期固定金额）、collections（费率 × 当期回收款）、"
        "notes_balance（年费率 × 证券未偿本金）。上限：该顺序位置每期最多支付的金额。",
    },
    "wb_waterfall_title": {
        "en": "Priority of payments, one step a row: senior_fees, fee:<fee>, reserve, "
        "interest:<tranche>, principal:<tranche>, fixed_return:<tranche>, incentive_fee, "
        "fee_excess, draw:<facility>, repay:<facility>, trap:<account>",
        "zh": "现金流支付顺序（违约事件发生前 / 后），每行一步：senior_fees、fee:<费用>、reserve、"
        "interest:<档次>、principal:<档次>、fixed_return:<档次>、incentive_fee、fee_excess、"
        "draw:<流动性支持>、repay:<流动性支持>、trap:<账户>",
    },
    "wb_structures_title": {
        "en": "Floating-rate indexes, triggers (tested at each period end, latched, effective next "
        "period) and a liquidity facility, guarantee or excess-spread account (steps draw:<name>, "
        "repay:<name>, trap:<name> in the Waterfall sheet). Leave a table blank if unused.",
        "zh": "浮动利率基准、触发事件（每期末测试，一经触发不再恢复，下一期生效）以及流动性支持、"
        "差额支付（担保）或超额利差账户（在 Waterfall 表中用 draw:<名称>、repay:<名称>、"
        "trap:<名称> 步骤）。不适用的表格留空。",
    },
    "wb_assumptions_title": {"en": "Recovery and model assumptions", "zh": "回收与模型假设"},
    "wb_recovery_title": {
        "en": "Recovery timing: cumulative share of the total recovery collected by each period end "
        "(ends at 1)",
        "zh": "回收时间分布：各期末累计回收款占预期回收总额的比例（最后一期为 1）",
    },
    "wb_stress_title": {
        "en": "Recovery stress per rating level (best first) and asset class: haircut of the "
        "base-case recovery and delay in months, and a shift added to every coupon (the issue rate "
        "is uncertain when a deal is rated); a tranche must be paid in full under it",
        "zh": "各评级级别（由高到低）与资产类别的回收压力：基准回收金额的折扣、回收延迟月数，"
        "以及加于各档票面利率的发行利率上浮（评级时发行利率尚未确定）；证券须在该压力下足额偿付",
    },
    "wb_asset_mix_title": {
        "en": "Asset mix: share of base-case recovery by class",
        "zh": "资产构成：各类资产占基准回收金额的比例",
    },
    "wb_scorecard_title": {
        "en": "Qualitative scorecard: 1 weak .. 5 strong, 3 neutral",
        "zh": "定性评分卡：1 最弱 … 5 最强，3 为中性",
    },
    "wb_scorecard_note": {
        "en": "Each point below 3 adds {step:.0%} of haircut to every stress level and asset class "
        "(each point above takes it away); all 3 changes nothing.",
        "zh": "每低于 3 分一分，各压力级别与资产类别的回收折扣增加 {step:.0%}（每高一分则减少）；"
        "全部为 3 分时不作调整。",
    },
    "wb_idealised_el_title": {
        "en": "Idealised expected loss by rating and horizon (years), best rating first; replace "
        "with an agency table",
        "zh": "各评级级别与期限（年）的理想化预期损失，由高到低；可替换为评级机构的表格",
    },
    # input prompts of validated cells (DataValidation promptTitle / prompt)
    "wb_prompt_title": {"en": "npl-xl input", "zh": "npl-xl 输入"},
    "wb_prompt_choice": {"en": "Choose one of: {values}", "zh": "请选择：{values}"},
    "wb_prompt_range": {
        "en": "{what}: a decimal from {lo} to {hi}",
        "zh": "{what}：{lo} 至 {hi} 之间的小数",
    },
    "wb_prompt_coupon": {
        "en": "Annual coupon as a decimal (0.033 = 3.3 %); 0 for a tranche without one; blank "
        "only for a floating coupon (give Index)",
        "zh": "年票面利率，小数（0.033 即 3.3%）；无票面利率的档次填 0；仅浮动利率档次留空（填写基准利率）",
    },
    "wb_prompt_rating_basis": {
        "en": "timely: timely interest and ultimate principal; ultimate: ultimate payment of both; "
        "blank: by seniority",
        "zh": "timely：利息及时支付、本金最终偿付；ultimate：本息最终偿付；留空：按优先级默认",
    },
    "wb_prompt_fee_basis": {
        "en": "fixed: Amount a period; collections: Rate x collections; notes_balance: Rate a year x "
        "notes outstanding",
        "zh": "fixed：每期固定金额；collections：费率 × 回收款；notes_balance：年费率 × 证券未偿本金",
    },
    "wb_prompt_position": {
        "en": "senior: paid in the senior fees step; subordinated: after the notes",
        "zh": "senior：在优先费用步骤支付；subordinated：在证券之后支付",
    },
    "wb_prompt_fixed_return_base": {
        "en": "The fixed return accrues on the initial balance or on principal outstanding",
        "zh": "期间收益按初始本金或未偿本金计提",
    },
    "wb_prompt_cumulative": {
        "en": "Cumulative share of the total recovery collected by this period's end (never "
        "decreasing, ends at 1)",
        "zh": "截至本期末累计回收款占预期回收总额的比例（不减少，最后为 1）",
    },
    "wb_prompt_trigger_test": {
        "en": "What the trigger tests at each period end",
        "zh": "触发事件在每期末测试的指标",
    },
    "wb_prompt_trigger_effect": {
        "en": "What happens from the next period once the trigger is hit",
        "zh": "触发后自下一期起的后果",
    },
    "wb_prompt_support_kind": {
        "en": "liquidity_facility, guarantee (差额支付) or excess_spread_account",
        "zh": "liquidity_facility（流动性支持）、guarantee（差额支付/担保）或 excess_spread_account（超额利差账户）",
    },
}

#: Chinese labels of the Deal sheet's keys: key -> (label, help)
DEAL_LABELS_ZH: dict[str, tuple[str, str]] = {
    "name": ("交易名称", "在报告中显示的名称"),
    "payments_per_year": ("每年支付次数", "1、2、4 或 12（必填）"),
    "legal_maturity_periods": ("法定到期期数", "至法定到期日的支付期数（必填）"),
    "reserve_multiple": ("流动性储备倍数", "目标 = 倍数 × (下一期优先费用 + 优先档利息)"),
    "reserve_initial": ("初始储备金额", "信托设立时存入（货币单位）"),
    "incentive_fee_share": ("超额奖励服务费比例", "剩余资金中支付给贷款服务机构的比例（小数）"),
    "default_event": (
        "违约事件规则",
        "senior_interest：优先档利息未足额支付即转入违约事件后的支付顺序",
    ),
    "unit": ("货币单位", "本工作簿所有金额的单位：万元 或 元"),
    "notes": ("备注", "交易要素的来源与假设"),
    "language": ("报告语言", "评级分析报告的语言：en 或 zh（npl-xl rate --lang）"),
    "rate_subordinated": (
        "对次级档评级",
        "no：无约定票面利率的档次不予评级（NR）；yes：予以评级",
    ),
    "cutoff_date": ("初始起算日（封包日）", "资产池封包日"),
    "closing_date": ("信托生效日", "信托设立 / 证券发行日"),
    "expected_senior_maturity": (
        "优先档预期到期（年）",
        "发行说明书中优先档证券的预期到期期限，自信托生效日起算（年）",
    ),
    "collected_before_closing": (
        "封包期回收款",
        "初始起算日至信托生效日之间的回收款（本工作簿的货币单位）",
    ),
    "originator": ("发起机构", "出售资产的银行或资产管理公司"),
    "servicer": ("贷款服务机构", "负责资产的清收处置"),
    "trustee": ("受托机构", "发行人（信托公司）"),
    "custodian": ("资金保管机构", "信托资金账户的保管银行"),
    "lead_underwriter": ("主承销商", ""),
}

#: Chinese labels of the Assumptions sheet: defined name -> (label, help)
ASSUMPTION_LABELS_ZH: dict[str, tuple[str, str]] = {
    "TotalRecovery": ("预期回收总额（基准情形）", "本工作簿的货币单位；评级机构的基准情形（必填）"),
    "CollectionCostRate": ("处置费用率", "占各期回收款的比例（小数）"),
    "RecoveryVolatility": ("回收波动率", "年化小数；用于分档 KMV 与模拟"),
    "DiscountRate": ("折现率", "年化小数，用于现值"),
    "RecoveryCorrelation": ("回收方差中的系统性比例", "0 至 1"),
    "DelayBeta": ("系统性延迟（每单位不利因子的延迟期数）", ">= 0"),
    "UnitDefaultProbability": ("BET：回收单元失败概率", "小数"),
    "StressedRecovery": ("BET：失败单元保留的基准回收比例", "小数"),
    "Paths": ("蒙特卡洛情景数", "npl-xl rate --paths 的默认值"),
    "Seed": ("蒙特卡洛随机种子", "npl-xl rate --seed 的默认值"),
    "RecoverySource": ("回收假设来源", "基准情形由谁估计、如何估计"),
}

_CLASSES_ZH = {
    "unsecured": "无抵押",
    "sme": "小微企业",
    "residential": "住房抵押",
    "commercial": "商业房产",
}
#: English table header -> Chinese header (tranche and fee headers are aliases the Excel
#: functions know: npl_xl.tables.TRANCHE_COLUMNS / FEE_COLUMNS)
HEADERS_ZH: dict[str, str] = {
    # Tranches
    "Name": "名称",
    "Balance": "发行金额",
    "Coupon": "票面利率",
    "Seniority": "优先级",
    "Issue price": "发行价格",
    "Fixed return": "期间收益",
    "Fixed return base": "期间收益基数",
    "Index": "基准利率",
    "Spread": "利差",
    "Floor": "下限",
    "Cap": "上限",
    "Reset periods": "重置周期",
    "Rating basis": "评级基础",
    # Fees ("Name" of a fee is 费用, as the Excel functions read it)
    "Basis": "计费基础",
    "Rate": "费率",
    "Amount": "金额",
    "Position": "顺序",
    # Recovery curve
    "Period": "期数",
    "Cumulative share": "累计回收比例",
    "Collections": "回收款",
    # Waterfall
    "Pre-default order": "违约事件前支付顺序",
    "Post-default order": "违约事件后支付顺序",
    # Structures
    "Level": "利率水平",
    "Path": "利率路径",
    "Source": "来源",
    "Test": "测试指标",
    "Threshold": "阈值",
    "Effect": "触发后果",
    "Kind": "类型",
    "Limit": "额度",
    "Covers": "覆盖项目",
    "Fee rate": "承诺费率",
    "Interest rate": "借款利率",
    # Stress, asset mix, scorecard, idealised EL
    "Rating": "评级",
    "Issue rate shift": "发行利率上浮",
    "Status": "状态",
    "Asset class": "资产类别",
    "Share of base recovery": "基准回收占比",
    "Factor": "因素",
    "Description": "说明",
    "Score (1-5, 3 neutral)": "评分（1-5，3 为中性）",
    "Comment": "评语",
} | {
    f"{k} {c}": f"{zk}（{zc}）"
    for c, zc in _CLASSES_ZH.items()
    for k, zk in (("Haircut", "回收折扣"), ("Delay", "延迟月数"))
}
#: the header of a fee's name in Chinese (费用: the alias the Excel functions read)
FEE_NAME_ZH = "费用"

#: Chinese table header -> the English header the reader keys on
HEADER_KEYS: dict[str, str] = {zh: en for en, zh in HEADERS_ZH.items()} | {FEE_NAME_ZH: "Name"}
