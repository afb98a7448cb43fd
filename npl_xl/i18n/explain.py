"""Messages of the priority-of-payments explanation (:func:`npl_xl.explain.explain`)."""

MESSAGES: dict[str, dict[str, str]] = {
    "pop_title": {"en": "Priority of payments: {deal}", "zh": "{deal} 支付顺序"},
    "pop_pre": {"en": "Before a default event", "zh": "违约事件发生前"},
    "pop_post": {"en": "After a default event", "zh": "违约事件发生后"},
    "pop_residual": {
        "en": "What remains goes to the holders of {tranche}.",
        "zh": "剩余资金分配给{tranche}持有人。",
    },
    "pop_senior_fees": {"en": "Senior taxes and fees: {fees}", "zh": "优先支付的税费：{fees}"},
    "pop_fee_senior": {"en": "{fee} (senior fee)", "zh": "{fee}（优先费用）"},
    "pop_fee_subordinated": {
        "en": "{fee} (subordinated fee, all it is owed)",
        "zh": "{fee}（次级费用，全部应付金额）",
    },
    "pop_reserve": {
        "en": "Liquidity reserve topped up to {multiple} x next period's senior fees and senior "
        "interest (the excess is released)",
        "zh": "补足流动性储备至下一期优先费用与优先档利息的{multiple}倍（超出部分释放）",
    },
    "pop_reserve_release": {
        "en": "Liquidity reserve released into the available funds",
        "zh": "流动性储备全部释放，计入可分配资金",
    },
    "pop_interest": {
        "en": "Interest on {tranche} (with arrears)",
        "zh": "{tranche}利息（含拖欠利息）",
    },
    "pop_interest_reserve": {
        "en": "Interest on {tranche} (with arrears); the reserve covers a shortfall",
        "zh": "{tranche}利息（含拖欠利息），不足部分由流动性储备补足",
    },
    "pop_principal": {
        "en": "Principal of {tranche} until repaid",
        "zh": "{tranche}本金，直至清偿完毕",
    },
    "pop_principal_scheduled": {
        "en": "Scheduled principal of {tranche} (all of it at legal maturity or under a turbo "
        "trigger)",
        "zh": "{tranche}计划摊还本金（法定到期日或加速清偿触发后为全部本金）",
    },
    "pop_fixed_return": {"en": "Fixed return of {tranche}", "zh": "{tranche}期间收益"},
    "pop_incentive_fee": {
        "en": "Servicer incentive fee: {share} of what remains",
        "zh": "贷款服务机构超额奖励服务费：剩余资金的{share}",
    },
    "pop_fee_excess": {
        "en": "Fees above their caps and subordinated fees",
        "zh": "超过上限的费用及次级费用",
    },
    "pop_draw": {"en": "Draw on {support} for {covers}", "zh": "动用{support}，弥补{covers}的不足"},
    "pop_repay": {
        "en": "Repay {support}: fees, interest, then what was drawn",
        "zh": "偿还{support}：费用、利息及已动用金额",
    },
    "pop_trap": {
        "en": "Trap cash into {support} up to {limit}",
        "zh": "将资金存入{support}，至{limit}",
    },
    "pop_kind_liquidity_facility": {
        "en": "the liquidity facility {name}",
        "zh": "流动性支持{name}",
    },
    "pop_kind_guarantee": {"en": "the guarantee {name}", "zh": "差额支付承诺{name}"},
    "pop_kind_excess_spread_account": {
        "en": "the excess-spread account {name}",
        "zh": "超额利差账户{name}",
    },
    "pop_cover_senior_fees": {"en": "senior fees", "zh": "优先费用"},
    "pop_cover_senior_interest": {"en": "senior interest", "zh": "优先档利息"},
    "pop_cover_senior_principal": {"en": "senior principal due", "zh": "优先档应付本金"},
    "pop_and": {"en": ", ", "zh": "、"},
    "pop_triggers": {"en": "Triggers (tested at each period end)", "zh": "触发事件（每期末检验）"},
    "pop_trigger": {
        "en": "{name}: {test}; from the next payment date it {effect}",
        "zh": "{name}：{test}；自下一支付日起{effect}",
    },
    "pop_default_event": {"en": "default event", "zh": "违约事件"},
    "pop_test_cumulative_collections_ratio": {
        "en": "cumulative collections below {threshold:.0%} of the base case",
        "zh": "累计回收款低于基准情景的{threshold:.0%}",
    },
    "pop_test_senior_interest_unpaid": {
        "en": "senior interest left unpaid on a payment date",
        "zh": "某一支付日优先档利息未足额支付",
    },
    "pop_test_senior_interest_unpaid_above": {
        "en": "senior interest left unpaid on a payment date above {threshold:,.2f}",
        "zh": "某一支付日优先档未付利息超过{threshold:,.2f}",
    },
    "pop_test_reserve_below_target": {
        "en": "the reserve below {threshold:.0%} of its target",
        "zh": "流动性储备低于目标金额的{threshold:.0%}",
    },
    "pop_test_notes_below": {
        "en": "notes outstanding below {threshold:.0%} of the notes issued",
        "zh": "证券未偿本金低于发行金额的{threshold:.0%}",
    },
    "pop_effect_post_default_order": {
        "en": "switches to the post-default order",
        "zh": "适用违约事件发生后的支付顺序",
    },
    "pop_effect_sequential_turbo": {
        "en": "suspends principal schedules (principal takes all it can; no fixed return or "
        "incentive fee)",
        "zh": "暂停计划摊还，本金加速清偿（不再支付期间收益与超额奖励服务费）",
    },
    "pop_effect_stop_incentive_fee": {
        "en": "stops the incentive fee",
        "zh": "停止支付超额奖励服务费",
    },
    "pop_effect_clean_up_call": {
        "en": "lets the seller buy the pool back for the notes and interest outstanding, on the "
        "first payment date the pool is worth it",
        "zh": "委托人可按证券未偿本息回购资产池（自资产池价值不低于回购价格的首个支付日）",
    },
    "pop_bases": {"en": "Rating basis", "zh": "评级基础"},
    "pop_basis_timely": {
        "en": "{tranche}: timely (interest in full on every payment date, principal by legal "
        "maturity)",
        "zh": "{tranche}：按时（每个支付日足额付息，法定到期日前偿还本金）",
    },
    "pop_basis_ultimate": {
        "en": "{tranche}: ultimate (principal and interest by legal maturity)",
        "zh": "{tranche}：最终（法定到期日前足额偿付本息）",
    },
}
