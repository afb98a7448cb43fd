"""Messages of the rating memo (sheet names, headings, labels, method). key -> {"en": ..., "zh": ...};
keep both languages in one entry."""

MESSAGES: dict[str, dict[str, str]] = {
    # sheet names
    "sheet_summary": {"en": "Summary", "zh": "评级摘要"},
    "sheet_method": {"en": "Method", "zh": "评级方法"},
    "sheet_pool": {"en": "Pool", "zh": "资产池"},
    "sheet_recovery": {"en": "Recovery", "zh": "回收"},
    "sheet_cash_flows": {"en": "Cash flows", "zh": "现金流"},
    "sheet_stress_matrix": {"en": "Stress matrix", "zh": "压力矩阵"},
    "sheet_stress": {"en": "Stress", "zh": "压力测试"},
    "sheet_kmv": {"en": "KMV", "zh": "KMV"},
    "sheet_loss": {"en": "Loss distribution", "zh": "损失分布"},
    "sheet_bet": {"en": "BET", "zh": "二项展开"},
    "sheet_scorecard": {"en": "Scorecard", "zh": "定性评分"},
    "sheet_provenance": {"en": "Provenance", "zh": "数据来源"},
    # summary
    "memo_title": {"en": "Rating analysis: {deal}", "zh": "评级分析报告：{deal}"},
    "memo_subtitle": {
        "en": "npl-xl {version}, {time}; amounts in {unit}; {paths:,} Monte Carlo scenarios, seed "
        "{seed}",
        "zh": "npl-xl {version}，{time}；金额单位：{unit}；蒙特卡洛情景 {paths:,} 个，随机种子 {seed}",
    },
    "illustrative_warning": {
        "en": "Ratings use ILLUSTRATIVE tables (stress levels and idealised losses not published "
        "by an agency); "
        "replace them on the deal workbook's Stress and IdealisedEL sheets for a real rating.",
        "zh": "本报告使用示意性压力表与理想化损失表（非评级机构公布的参数）；正式评级前请在交易工作簿的 Stress 与 IdealisedEL 表中替换。",
    },
    "proposed_ratings": {"en": "Proposed ratings", "zh": "建议评级"},
    "rationale": {"en": "Rationale", "zh": "评级理由"},
    "strengths": {"en": "Strengths", "zh": "优势"},
    "concerns": {"en": "Concerns", "zh": "关注"},
    "reconciliation": {"en": "How the methods were reconciled", "zh": "各方法结果的协调"},
    "col_tranche": {"en": "Tranche", "zh": "档次"},
    "col_balance": {"en": "Balance", "zh": "发行金额"},
    "col_coupon": {"en": "Coupon", "zh": "票面利率"},
    "col_pool_share": {"en": "% of pool", "zh": "占资产池"},
    "col_base_share": {"en": "% of base-case recovery", "zh": "占基准回收"},
    "col_stress_share": {"en": "% of rated-stress recovery", "zh": "占评级压力下回收"},
    "col_subordination": {"en": "Subordination", "zh": "次级支持"},
    "col_reserve": {"en": "Reserve (x senior interest and fees)", "zh": "流动性储备（倍数）"},
    "col_proposed": {"en": "Proposed rating", "zh": "建议评级"},
    "col_stress_rating": {"en": "Stress rating", "zh": "压力测试评级"},
    "col_mc_rating": {"en": "Monte Carlo rating (EL)", "zh": "蒙特卡洛评级（预期损失）"},
    "col_kmv_rating": {"en": "KMV rating (PD)", "zh": "KMV 评级（违约概率）"},
    "col_breakeven": {"en": "Break-even haircut", "zh": "盈亏平衡折损率"},
    "col_breakeven_at": {
        "en": "Break-even haircut at the rating's delay",
        "zh": "评级延迟下的盈亏平衡折损率",
    },
    "col_required": {"en": "Haircut required at the rating", "zh": "评级要求折损率"},
    "col_cushion": {"en": "Cushion", "zh": "安全边际"},
    "col_be_delay": {"en": "Break-even delay (months)", "zh": "盈亏平衡延迟（月）"},
    "col_wal": {"en": "WAL (years)", "zh": "加权平均期限（年）"},
    "col_maturity": {"en": "Expected maturity (years)", "zh": "预期到期（年）"},
    "col_yield": {"en": "Yield at issue price", "zh": "发行价收益率"},
    "col_mc_pd": {"en": "MC PD", "zh": "违约概率（模拟）"},
    "col_mc_el": {"en": "MC EL", "zh": "预期损失（模拟）"},
    "col_kmv_pd": {"en": "KMV PD", "zh": "KMV 违约概率"},
    "nr": {"en": "NR", "zh": "未予评级"},
    # method sheet
    "method_title": {"en": "How the proposed ratings are set", "zh": "建议评级的确定方法"},
    "method_1": {
        "en": "1. Stress rating: the highest level of the stress table whose recovery haircut and delay (per asset class, the pool stressed by its mix) the tranche survives, paid in full by legal maturity. This is the agencies' cash-flow approach for NPL ABS.",
        "zh": "1. 压力测试评级：在分资产类别的压力表中（资产池按其类别构成承压），档次在相应回收折损与延迟下于法定到期日前足额兑付的最高级别，即评级机构对不良资产证券化采用的现金流方法。",
    },
    "method_2": {
        "en": "2. Cross-check: the Monte Carlo expected loss at the tranche's WAL against the idealised expected-loss table. If it is more than {tolerance} notches below the stress rating, the lower rating is proposed and the reason given.",
        "zh": "2. 交叉验证：以档次加权平均期限处的蒙特卡洛预期损失对照理想化预期损失表；若比压力测试评级低 {tolerance} 个子级以上，则取较低评级并说明原因。",
    },
    "method_3": {
        "en": "3. Residual tranches without a promised coupon are not rated (NR) unless the deal workbook asks for it (the Deal sheet's option to rate subordinated tranches); their expected yield and loss are shown.",
        "zh": "3. 无承诺票息的剩余收益档默认不予评级，除非交易工作簿要求（交易工作簿 Deal 表的次级档评级选项）；报告列示其预期收益率与预期损失。",
    },
    "method_4": {
        "en": "4. Modified KMV (Chinese NPL ABS literature, Yan & Cai 2005) as a supporting metric: volatility from the deal's own recovery uncertainty ({vol_source}); horizon the tranche's WAL; one continuous rate for discounting and drift.",
        "zh": "4. 改进 KMV 模型（国内不良资产证券化文献，阎、蔡 2005）作为辅助指标：波动率取自本交易回收的不确定性（{vol_source}）；期限为档次加权平均期限；贴现与漂移采用同一连续复利利率。",
    },
    "method_5": {
        "en": "5. Qualitative scorecard: each factor 1-5 (3 neutral); each point below 3 adds 1 percentage point of haircut to every stress level (above 3 takes one away). This deal: {addon:+.0%}.",
        "zh": "5. 定性评分：各因素 1-5 分（3 为中性）；每低于 3 分一分，各压力级别折损率增加 1 个百分点（高于 3 分则减少）。本交易调整：{addon:+.0%}。",
    },
    "method_6": {
        "en": "Sources of every table and figure: the Provenance sheet and the project's docs/methodology.md.",
        "zh": "各表格与数据的来源见“数据来源”表及项目文档 docs/methodology.md。",
    },
    "col_factor": {"en": "Factor", "zh": "因素"},
    "col_score": {"en": "Score", "zh": "得分"},
    "col_comment": {"en": "Comment", "zh": "说明"},
    "reserve_line": {
        "en": "Liquidity reserve: {multiple:g}x next period's senior fees and interest; initial {initial:,.2f}.",
        "zh": "流动性储备：下期优先费用与利息的 {multiple:g} 倍；初始 {initial:,.2f}。",
    },
    "kmv_line": {"en": "KMV volatility: {source}.", "zh": "KMV 波动率：{source}。"},
    "na": {"en": "n/a", "zh": "不适用"},
    # detail sheets
    "title_pool": {
        "en": "Pool stratification (loan tape; amounts in {unit})",
        "zh": "资产池分布（逐笔数据；金额单位：{unit}）",
    },
    "no_tape": {
        "en": "The deal workbook has no loan tape: no stratification.",
        "zh": "交易工作簿无逐笔资产数据，无法分布统计。",
    },
    "title_recovery": {
        "en": "Recovery curve: base case and the most severe stress",
        "zh": "回收曲线：基准情景与最严重压力情景",
    },
    "title_cash_flows": {
        "en": "Base-case waterfall (amounts in {unit})",
        "zh": "基准情景现金流分配（金额单位：{unit}）",
    },
    "title_coverage": {
        "en": "Coverage ratios, base case: OC = collections still to come / notes outstanding of "
        "the tranche and those above; IC = collections net of senior fees / interest due of the "
        "tranche and those above",
        "zh": "覆盖倍数（基准情景）：OC = 剩余待回收现金 / 本档及以上未偿本金；IC = 扣除优先费用后的"
        "当期回收 / 本档及以上应付利息",
    },
    "title_structures": {
        "en": "Triggers and credit support (base case)",
        "zh": "触发事件与信用支持（基准情景）",
    },
    "no_structures": {
        "en": "No triggers beyond the default event; no facility, guarantee or account.",
        "zh": "除违约事件外无其他触发事件；无流动性支持、差额支付或超额利差账户。",
    },
    "title_triggers_mc": {
        "en": "Triggers hit in the Monte Carlo (share of scenarios)",
        "zh": "蒙特卡洛模拟中触发事件发生概率（情景占比）",
    },
    "title_stress": {
        "en": "Stress levels: paid in full under each (haircut and delay per asset class)",
        "zh": "各级压力测试结果（分资产类别的折损与延迟）",
    },
    "title_matrix": {
        "en": "Stress matrix: break-even haircut by delay (months)",
        "zh": "压力矩阵：不同延迟（月）下的盈亏平衡折损率",
    },
    "title_sizing": {
        "en": "Sizing: largest {tranche} balance paid in full under each level (rest to {junior})",
        "zh": "规模测算：各级压力下 {tranche} 可足额兑付的最大规模（其余计入 {junior}）",
    },
    "col_max_size": {"en": "Largest balance ({unit})", "zh": "最大规模（{unit}）"},
    "col_issued": {"en": "Issued ({unit})", "zh": "发行规模（{unit}）"},
    "title_kmv": {
        "en": "Modified KMV per tranche (supporting metric)",
        "zh": "各档次改进 KMV 结果（辅助指标）",
    },
    "title_loss": {
        "en": "Monte Carlo recoveries and tranche losses",
        "zh": "蒙特卡洛回收模拟与档次损失",
    },
    "title_bet": {
        "en": "Binomial expansion with the cash-flow engine",
        "zh": "基于现金流的二项展开法",
    },
    "title_provenance": {
        "en": "Provenance: inputs, versions, seed and the source of every table",
        "zh": "数据来源：输入、版本、随机种子与各表来源",
    },
    "col_period": {"en": "Period", "zh": "期次"},
    "col_years": {"en": "Years", "zh": "年"},
    "col_base": {"en": "Base collections", "zh": "基准回收"},
    "col_stressed": {"en": "Stressed collections", "zh": "压力回收"},
    "col_cum_base": {"en": "Cumulative base", "zh": "累计基准回收"},
    "col_cum_stressed": {"en": "Cumulative stressed", "zh": "累计压力回收"},
    "col_rating": {"en": "Rating", "zh": "级别"},
    "col_delay": {"en": "Delay (months)", "zh": "延迟（月）"},
    "paid_in_full": {"en": "{tranche} paid in full", "zh": "{tranche} 足额兑付"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "total": {"en": "Total", "zh": "合计"},
    "col_item": {"en": "Item", "zh": "项目"},
    "col_value": {"en": "Value", "zh": "数值"},
    "benchmark_line": {
        "en": "Model benchmark recovery {rate:.1%} (90 % interval {lo:.1%} to {hi:.1%}) vs base case {base:.1%} of principal + interest + fees (recovery-rate regression on public deals, Method sheet).",
        "zh": "回归模型基准回收率 {rate:.1%}（90% 区间 {lo:.1%} 至 {hi:.1%}），基准情景为本息费的 {base:.1%}（基于公开交易的回收率回归，见评级方法）。",
    },
    # words for the engine's labels (npl_xl.workbook.memo.labels)
    "with_unit": {"en": "{what} ({unit})", "zh": "{what}（{unit}）"},
    "pl_totals": {"en": "Pool totals", "zh": "资产池概况"},
    "pl_by_balance": {"en": "By balance", "zh": "按未偿本息费余额分布"},
    "pl_by_overdue": {"en": "By months overdue", "zh": "按逾期期限分布"},
    "pl_by_region": {"en": "By region", "zh": "按地区分布"},
    "pl_by_five_category": {"en": "By five-category class", "zh": "按五级分类分布"},
    "pl_by_security": {"en": "By security type", "zh": "按担保方式分布"},
    "pl_by_product": {"en": "By product", "zh": "按产品分布"},
    "pl_by_borrower_age": {"en": "By borrower age", "zh": "按借款人年龄分布"},
    "pl_by_legal_stage": {"en": "By legal stage", "zh": "按诉讼阶段分布"},
    "pl_by_ltv": {"en": "By LTV", "zh": "按抵押率（LTV）分布"},
    "pl_diversity": {"en": "Diversity", "zh": "分散度"},
    "pl_loans": {"en": "Loans", "zh": "笔数"},
    "pl_balance": {"en": "Balance", "zh": "未偿本息费"},
    "pl_share": {"en": "Share", "zh": "占比"},
    "pl_total": {"en": "Balance band", "zh": "余额区间"},
    "pl_months_overdue": {"en": "Months overdue", "zh": "逾期月数"},
    "pl_region": {"en": "Region", "zh": "地区"},
    "pl_five_category": {"en": "Five-category class", "zh": "五级分类"},
    "pl_security": {"en": "Security type", "zh": "担保方式"},
    "pl_product": {"en": "Product", "zh": "产品"},
    "pl_borrower_age": {"en": "Borrower age", "zh": "借款人年龄"},
    "pl_legal_stage": {"en": "Legal stage", "zh": "诉讼阶段"},
    "pl_ltv": {"en": "LTV", "zh": "抵押率（LTV）"},
    "pl_borrowers": {"en": "Borrowers", "zh": "借款人户数"},
    "pl_principal": {"en": "Principal", "zh": "未偿本金"},
    "pl_interest": {"en": "Interest", "zh": "未偿利息"},
    "pl_fees": {"en": "Fees", "zh": "未偿费用"},
    "pl_total_due": {"en": "Principal + interest + fees", "zh": "未偿本息费合计"},
    "pl_average": {"en": "Average balance per loan", "zh": "单笔平均未偿本息费"},
    "pl_wa_overdue": {"en": "Weighted average months overdue", "zh": "加权平均逾期期限（月）"},
    "pl_wa_age": {"en": "Weighted average loan age (months)", "zh": "加权平均账龄（月）"},
    "pl_cutoff": {"en": "Cut-off date", "zh": "初始起算日"},
    "pl_wa_borrower_age": {"en": "Weighted average borrower age", "zh": "加权平均借款人年龄"},
    "pl_wa_income": {"en": "Weighted average annual income", "zh": "加权平均年收入"},
    "pl_secured": {"en": "Secured share (mortgage or pledge)", "zh": "抵质押贷款占比"},
    "pl_guaranteed": {"en": "Share with a guarantee", "zh": "附保证担保贷款占比"},
    "pl_largest": {"en": "Largest borrower share", "zh": "最大单一借款人占比"},
    "pl_top10": {"en": "Top-10 borrowers share", "zh": "前十大借款人占比"},
    "pl_obligors": {"en": "Obligors", "zh": "债务人户数"},
    "pl_groups": {"en": "Groups (regions)", "zh": "分组数（地区）"},
    "pl_diversity_score": {
        "en": "Diversity score (regions, Moody's table)",
        "zh": "分散度指数（按地区，Moody's 表）",
    },
    "pl_hhi": {"en": "Regional HHI", "zh": "地区 HHI 指数"},
    "pl_by_collateral": {"en": "By collateral type", "zh": "按抵押物类型"},
    "pl_agency_stats": {"en": "Agency pool statistics", "zh": "资产池统计（评级机构口径）"},
    "pl_collateral_type": {"en": "Collateral type", "zh": "抵押物类型"},
    "pl_litigated": {"en": "Litigated share (sued or later)", "zh": "已诉讼占比（起诉及以后阶段）"},
    "pl_legal_stage_share": {"en": "Legal stage share: {value}", "zh": "诉讼阶段占比：{value}"},
    "pl_five_category_share": {"en": "Five-category share: {value}", "zh": "五级分类占比：{value}"},
    "pl_wa_ltv_of": {"en": "Weighted average LTV, {value}", "zh": "加权平均抵押率：{value}"},
    "pl_largest_region": {"en": "Largest region share ({value})", "zh": "最大地区占比（{value}）"},
    "pl_wa_ltv": {"en": "Weighted average LTV", "zh": "加权平均抵押率（LTV）"},
    "v_mortgage": {"en": "mortgage", "zh": "抵押"},
    "v_pledge": {"en": "pledge", "zh": "质押"},
    "v_unsecured": {"en": "unsecured", "zh": "信用类"},
    "v_guaranteed": {"en": "guaranteed", "zh": "保证"},
    "v_other": {"en": "other", "zh": "其他"},
    "v_land": {"en": "land", "zh": "土地"},
    "v_sme": {"en": "small business", "zh": "小微企业"},
    "v_residential": {"en": "residential", "zh": "个人住房"},
    "v_commercial": {"en": "commercial", "zh": "商业用房"},
    "v_lt10k": {"en": "<10k", "zh": "<1万"},
    "v_10k_50k": {"en": "10k-50k", "zh": "1万-5万"},
    "v_50k_100k": {"en": "50k-100k", "zh": "5万-10万"},
    "v_100k_500k": {"en": "100k-500k", "zh": "10万-50万"},
    "v_ge500k": {"en": ">=500k", "zh": "≥50万"},
    "v_unknown": {"en": "unknown", "zh": "未知"},
    "pool_chart": {"en": "{what}: share of balance", "zh": "{what}：余额占比"},
    # the waterfall's columns
    "cf_collections": {"en": "Collections", "zh": "回收款"},
    "cf_fees": {"en": "Fees", "zh": "税费及服务费"},
    "cf_reserve_release": {"en": "Reserve release", "zh": "储备释放"},
    "cf_reserve_topup": {"en": "Reserve top-up", "zh": "储备补足"},
    "cf_reserve_balance": {"en": "Reserve balance", "zh": "储备余额"},
    "cf_incentive_fee": {"en": "Incentive fee", "zh": "超额奖励服务费"},
    "cf_residual": {"en": "Residual", "zh": "剩余收益"},
    "cf_default_event": {"en": "Default event", "zh": "违约事件"},
    "cf_tranche_interest": {"en": "{tranche} interest", "zh": "{tranche} 利息"},
    "cf_tranche_principal": {"en": "{tranche} principal", "zh": "{tranche} 本金"},
    "cf_tranche_balance": {"en": "{tranche} balance", "zh": "{tranche} 余额"},
    "cf_tranche_interest_shortfall": {
        "en": "{tranche} interest shortfall",
        "zh": "{tranche} 利息短缺",
    },
    # steps of a priority of payments (npl_xl.deal.STEP_KINDS)
    "step_senior_fees": {"en": "Taxes and senior fees", "zh": "税费及优先支付的费用"},
    "step_fee": {"en": "Fee: {name}", "zh": "费用：{name}"},
    "step_reserve": {"en": "Top up the liquidity reserve", "zh": "补足流动性储备账户"},
    "step_interest": {"en": "Interest of {name}", "zh": "{name}利息"},
    "step_principal": {"en": "Principal of {name}", "zh": "{name}本金"},
    "step_fixed_return": {"en": "Fixed return of {name}", "zh": "{name}固定资金成本"},
    "step_incentive_fee": {"en": "Servicer incentive fee", "zh": "贷款服务机构超额奖励服务费"},
    "step_fee_excess": {"en": "Fees above their caps", "zh": "超过上限的费用"},
    "step_draw": {"en": "Draw on {name}", "zh": "动用{name}"},
    "step_repay": {"en": "Repay {name}", "zh": "偿还{name}"},
    "step_trap": {"en": "Trap excess spread into {name}", "zh": "超额利差存入{name}"},
    # triggers and credit support
    "kind_trigger": {"en": "trigger", "zh": "触发事件"},
    "kind_liquidity_facility": {"en": "liquidity facility", "zh": "流动性支持"},
    "kind_guarantee": {"en": "guarantee", "zh": "差额支付/保证"},
    "kind_excess_spread_account": {"en": "excess spread account", "zh": "超额利差账户"},
    "trig_default_event": {"en": "default event", "zh": "违约事件"},
    "test_cumulative_collections_ratio": {
        "en": "cumulative collections below {threshold:.0%} of plan",
        "zh": "累计回收低于预测的 {threshold:.0%}",
    },
    "test_senior_interest_unpaid": {
        "en": "senior interest unpaid",
        "zh": "优先档利息未足额支付",
    },
    "test_reserve_below_target": {
        "en": "reserve below {threshold:.0%} of target",
        "zh": "储备低于目标的 {threshold:.0%}",
    },
    "test_notes_below": {
        "en": "notes below {threshold:.0%} of issue",
        "zh": "证券余额低于发行规模的 {threshold:.0%}",
    },
    "effect_post_default_order": {
        "en": "post-default priority of payments",
        "zh": "转为违约事件后的分配顺序",
    },
    "effect_sequential_turbo": {"en": "sequential, schedules suspended", "zh": "改为顺序偿付"},
    "effect_stop_incentive_fee": {"en": "incentive fee stops", "zh": "停止支付超额奖励服务费"},
    "effect_clean_up_call": {"en": "clean-up call", "zh": "清仓回购"},
    "support_terms": {
        "en": "limit {limit:,.2f}; covers {covers}",
        "zh": "额度 {limit:,.2f}；覆盖 {covers}",
    },
    "cover_senior_fees": {"en": "senior fees", "zh": "优先费用"},
    "cover_senior_interest": {"en": "senior interest", "zh": "优先档利息"},
    "cover_senior_principal": {"en": "senior principal", "zh": "优先档本金"},
    "col_kind": {"en": "Kind", "zh": "类别"},
    "col_name": {"en": "Name", "zh": "名称"},
    "col_terms": {"en": "Terms", "zh": "条款"},
    "col_effect": {"en": "Effect / rating", "zh": "后果 / 评级"},
    "col_first": {"en": "First period in force / drawn", "zh": "首次触发期次 / 动用金额"},
    "col_repaid": {"en": "Repaid", "zh": "偿还金额"},
    # stress, KMV, loss, BET
    "col_haircut_of": {"en": "Haircut {what}", "zh": "{what}折损率"},
    "col_delay_of": {"en": "Delay {what} (months)", "zh": "{what}延迟（月）"},
    "recovery_stress_line": {
        "en": "Most severe level {rating}: {classes}",
        "zh": "最严重压力级别 {rating}：{classes}",
    },
    "recovery_stress_class": {
        "en": "{what} {share:.0%} of recovery, haircut {haircut:.0%}, delay {delay:g} months",
        "zh": "{what}占回收 {share:.0%}，折损 {haircut:.0%}，延迟 {delay:g} 个月",
    },
    "kmv_source": {
        "en": "log standard deviation {sd} of the Monte Carlo's pool recovery (closed form) over "
        "a {life}-year collection life: {sigma} a year",
        "zh": "蒙特卡洛资产池回收的对数标准差 {sd}（解析式），按 {life} 年回收期折算为年化 {sigma}",
    },
    "col_v0": {"en": "Asset value V0", "zh": "资产价值 V0"},
    "col_default_point": {"en": "Default point", "zh": "违约点"},
    "col_horizon": {"en": "Horizon (years)", "zh": "期限（年）"},
    "col_dd": {"en": "Distance to default", "zh": "违约距离"},
    "col_pd": {"en": "PD", "zh": "违约概率 PD"},
    "col_rating_pd": {"en": "Rating (PD)", "zh": "级别（按 PD）"},
    "col_rating_el": {"en": "Rating (EL)", "zh": "级别（按 EL）"},
    "col_tranche_pd": {"en": "{tranche} PD", "zh": "{tranche} 违约概率"},
    "kmv_recovery_vol": {"en": "Recovery volatility", "zh": "回收波动率"},
    "kmv_issuance_size": {"en": "Issuance size (x base)", "zh": "发行规模（倍数）"},
    "kmv_recovery_rate": {"en": "Recovery (x base)", "zh": "回收（倍数）"},
    "kmv_maturity": {"en": "Horizon (years)", "zh": "期限（年）"},
    "kmv_discount_rate": {"en": "Discount rate", "zh": "贴现率"},
    "kmv_coupon": {"en": "Coupon of {tranche}", "zh": "{tranche} 票面利率"},
    "loss_line": {
        "en": "{paths:,} scenarios, seed {seed}; recovery volatility {vol:.0%}, systematic share "
        "{corr:.0%}, delay {beta:g} period(s) per unit of adverse factor",
        "zh": "情景 {paths:,} 个，随机种子 {seed}；回收波动率 {vol:.0%}，系统性因素占比 {corr:.0%}，"
        "不利因素每单位延迟 {beta:g} 期",
    },
    "col_el": {"en": "EL", "zh": "预期损失 EL"},
    "col_el_se": {"en": "EL standard error", "zh": "EL 标准误"},
    "col_pv_loss": {"en": "PV loss", "zh": "损失现值"},
    "col_tranche_loss": {"en": "Tranche loss", "zh": "档次损失"},
    "quantile": {"en": "{q:.0%} quantile", "zh": "{q:.0%} 分位数"},
    "no_losses": {
        "en": "No tranche loses in any scenario: every loss quantile is 0.",
        "zh": "所有情景下各档次均无损失，各损失分位数均为 0。",
    },
    "col_probability": {"en": "Probability", "zh": "概率"},
    "col_recovery_ratio": {"en": "Recovery / base case", "zh": "回收 / 基准情景"},
    "bet_tape_diversity": {
        "en": "Diversity score of the tape (regions, Moody's table)",
        "zh": "逐笔数据分散度指数（按地区，Moody's 表）",
    },
    "bet_d": {"en": "D used (whole units, 1-200)", "zh": "采用的 D（整数，1-200）"},
    "bet_p": {"en": "Probability a recovery unit fails", "zh": "回收单元违约概率"},
    "bet_r": {
        "en": "Share of base recovery a failing unit recovers",
        "zh": "违约单元回收占基准回收比例",
    },
    "col_bet_el": {"en": "Expected loss (share of tranche)", "zh": "预期损失（占档次本金）"},
    "bet_no_loss": {
        "en": "No tranche loses in the binomial expansion: the expected losses are all 0.",
        "zh": "二项展开法下各档次预期损失均为 0。",
    },
    # provenance
    "pv_workbook": {"en": "Input workbook", "zh": "输入工作簿"},
    "pv_sha": {"en": "SHA-256 of the input", "zh": "输入文件 SHA-256"},
    "pv_linked_tape": {"en": "Linked loan tape", "zh": "关联资产清单文件"},
    "pv_linked_value": {
        "en": "{file} (SHA-256 {sha256}, {rows:,} loans; checked against the workbook)",
        "zh": "{file}（SHA-256 {sha256}，{rows:,} 笔贷款；已与工作簿核对）",
    },
    "pv_run_at": {"en": "Run at", "zh": "运行时间"},
    "pv_paths": {"en": "Monte Carlo scenarios", "zh": "蒙特卡洛情景数"},
    "pv_seed": {"en": "Seed", "zh": "随机种子"},
    "pv_versions": {"en": "Versions", "zh": "软件版本"},
    "pv_unit": {"en": "Currency unit", "zh": "金额单位"},
    "pv_assumption": {"en": "Assumptions sheet: {what}", "zh": "假设表：{what}"},
    "pv_notes": {"en": "Deal notes", "zh": "交易备注"},
    "pv_stress": {"en": "Stress table", "zh": "压力表"},
    "pv_stress_packaged": {"en": "packaged, illustrative", "zh": "内置示意表"},
    "pv_stress_own": {"en": "the deal workbook's", "zh": "交易工作簿提供"},
    "pv_el_table": {"en": "Idealised EL table", "zh": "理想化预期损失表"},
    "pv_illustrative": {"en": "{what} (illustrative)", "zh": "{what}（示意）"},
    "pv_el_user": {"en": "the deal workbook's table", "zh": "交易工作簿提供的表"},
    "pv_el_packaged": {"en": "packaged {file}", "zh": "内置表 {file}"},
    "pv_kmv": {"en": "KMV volatility", "zh": "KMV 波动率"},
    "pv_structures": {"en": "Structures", "zh": "交易结构安排"},
    "pv_none": {"en": "none", "zh": "无"},
    "pv_rate": {"en": "rate {name}: {level}", "zh": "利率 {name}：{level}"},
    "pv_path": {"en": "a path", "zh": "路径"},
    "col_sheet": {"en": "Sheet", "zh": "工作表"},
    "col_source": {"en": "Source", "zh": "来源"},
    "src_summary": {
        "en": "rating.propose on the stress ratings, the Monte Carlo tranche statistics and the "
        "tranche KMV",
        "zh": "rating.propose：综合压力测试评级、蒙特卡洛档次统计与档次 KMV 结果",
    },
    "src_pool": {
        "en": "workbook.tape.pool_tables on the LoanTape sheet",
        "zh": "workbook.tape.pool_tables：基于 LoanTape 表逐笔数据",
    },
    "src_recovery": {
        "en": "Deal.base_collections and analysis.stress_collections (most severe level)",
        "zh": "Deal.base_collections 与 analysis.stress_collections（最严重压力级别）",
    },
    "src_cash_flows": {
        "en": "models.waterfall.run_waterfall on the base collections; totals are sums; coverage, "
        "triggers and support from its result",
        "zh": "models.waterfall.run_waterfall：基准回收下的现金流分配；合计为逐期加总；覆盖倍数、"
        "触发事件与信用支持取自其结果",
    },
    "src_stress": {
        "en": "analysis.stress_ratings and analysis.breakeven_haircut by delay",
        "zh": "analysis.stress_ratings 与 analysis.breakeven_haircut（按延迟）",
    },
    "src_kmv": {
        "en": "analysis.tranche_kmv and analysis.kmv_sensitivity",
        "zh": "analysis.tranche_kmv 与 analysis.kmv_sensitivity",
    },
    "src_loss": {
        "en": "simulation.simulate_collections and simulation.tranche_statistics (a rated "
        "guarantor fails with its rating's idealised PD, same seed)",
        "zh": "simulation.simulate_collections 与 simulation.tranche_statistics（有评级的担保人按其"
        "级别的理想化违约概率违约，同一随机种子）",
    },
    "src_bet": {
        "en": "analysis.bet_cashflow_expected_loss",
        "zh": "analysis.bet_cashflow_expected_loss（基于现金流的二项展开预期损失）",
    },
    "src_methods": {
        "en": "docs/methodology.md in the npl-xl repository",
        "zh": "npl-xl 代码库中的 docs/methodology.md",
    },
    "sheet_methods_tables": {"en": "Methods and tables", "zh": "方法与参数表"},
    "assumption_total": {
        "en": "Expected total recovery (base case)",
        "zh": "预期回收总额（基准情景）",
    },
    "assumption_cost_rate": {"en": "Collection cost rate", "zh": "处置费用率"},
    "assumption_recovery_vol": {"en": "Recovery volatility", "zh": "回收波动率"},
    "assumption_discount_rate": {"en": "Discount rate", "zh": "贴现率"},
    "assumption_recovery_correlation": {
        "en": "Systematic share of recovery variance",
        "zh": "回收方差中系统性因素占比",
    },
    "assumption_delay_beta": {
        "en": "Systematic delay (periods per unit of adverse factor)",
        "zh": "系统性延迟（不利因素每单位延迟期数）",
    },
    "assumption_unit_default_probability": {
        "en": "BET: probability a recovery unit fails",
        "zh": "BET：回收单元违约概率",
    },
    "assumption_stressed_recovery": {
        "en": "BET: share of base recovery a failing unit recovers",
        "zh": "BET：违约单元回收占基准回收比例",
    },
    "assumption_paths": {"en": "Monte Carlo scenarios", "zh": "蒙特卡洛情景数"},
    "assumption_seed": {"en": "Monte Carlo seed", "zh": "蒙特卡洛随机种子"},
    "assumption_source": {"en": "Source of the recovery assumptions", "zh": "回收假设来源"},
    # overview, rating definitions, surveillance, evidence, defaults
    "sheet_overview": {"en": "Overview", "zh": "交易概况"},
    "title_overview": {"en": "Transaction overview: {deal}", "zh": "交易概况：{deal}"},
    "not_given": {"en": "not given in the deal workbook", "zh": "交易工作簿未提供"},
    "ov_transaction": {"en": "Transaction and parties", "zh": "交易要素与参与机构"},
    "ov_closing": {"en": "Closing date", "zh": "信托生效日"},
    "ov_first_payment": {"en": "First payment date", "zh": "首个支付日"},
    "ov_frequency": {"en": "Payment frequency", "zh": "支付频率"},
    "ov_per_year": {"en": "{n} a year", "zh": "每年 {n} 次"},
    "ov_legal_maturity": {"en": "Legal maturity", "zh": "法定到期日"},
    "ov_periods": {"en": "{n} payment periods after closing", "zh": "信托生效后第 {n} 个支付期"},
    "ov_day_count": {"en": "Day count", "zh": "计息基准"},
    "ov_unit": {"en": "Currency unit", "zh": "金额单位"},
    "ov_recovery_total": {
        "en": "Expected total recovery, base case ({unit})",
        "zh": "基准情景预期回收总额（{unit}）",
    },
    "ov_notes_total": {"en": "Notes issued ({unit})", "zh": "证券发行总额（{unit}）"},
    "party_originator": {"en": "Originator", "zh": "发起机构"},
    "party_servicer": {"en": "Servicer", "zh": "贷款服务机构"},
    "party_trustee": {"en": "Trustee and issuer", "zh": "受托机构/发行人"},
    "party_custodian": {"en": "Custodian", "zh": "资金保管机构"},
    "party_lead_underwriter": {"en": "Lead underwriter", "zh": "主承销商"},
    "ov_notes": {"en": "The notes", "zh": "证券结构"},
    "col_balance_unit": {"en": "Balance ({unit})", "zh": "发行金额（{unit}）"},
    "col_share_notes": {"en": "Share of the notes", "zh": "占比"},
    "col_basis": {"en": "Rating basis", "zh": "评级对象"},
    "basis_timely": {"en": "timely payment", "zh": "按期足额偿付"},
    "basis_ultimate": {"en": "ultimate payment", "zh": "最终足额偿付"},
    "ov_priority": {
        "en": "Priority of payments (the deal's orders)",
        "zh": "现金流支付顺序（交易文件约定）",
    },
    "ov_pre_default": {"en": "Before a default event", "zh": "违约事件发生前"},
    "ov_post_default": {"en": "After a default event", "zh": "违约事件发生后"},
    "ov_before_closing": {
        "en": "Recoveries between the cut-off date and closing",
        "zh": "初始起算日至信托生效日期间的回收",
    },
    "before_closing_line": {
        "en": "{amount:,.2f} {unit} ({share:.1%} of the base-case recovery) were collected "
        "before closing: cash in the trust at closing, paid on the first payment date and never "
        "stressed.",
        "zh": "信托生效前已回收 {amount:,.2f}（{unit}），占基准回收的 {share:.1%}；作为信托生效时的"
        "现金于首个支付日分配，压力测试中不作折损。",
    },
    "before_closing_none": {
        "en": "The deal workbook records no collections between the cut-off date and closing: the "
        "whole base case is still to be collected.",
        "zh": "交易工作簿未记录初始起算日至信托生效日期间的回收，基准回收全部为未来回收。",
    },
    "ov_surveillance": {"en": "Surveillance", "zh": "跟踪评级安排"},
    "surveillance_text": {
        "en": "After issue the deal is re-rated on each trustee report: collections against the "
        "base case, the tranche balances and the triggers (npl-xl surveil on the trustee "
        "reports; a regular review once a year and an ad hoc review when a trigger is hit or "
        "collections fall well behind the base case).",
        "zh": "发行后依据每期受托机构报告进行跟踪：对比实际回收与基准情景、各档证券余额及触发事件"
        "（npl-xl surveil 读取受托机构报告）；每年进行一次定期跟踪评级，触发事件发生或回收明显落后"
        "于基准情景时进行不定期跟踪评级。",
    },
    "title_definitions": {"en": "Rating definitions", "zh": "评级定义"},
    "definition_basis": {
        "en": "A rating addresses the likelihood that a tranche is paid as its basis says: for the "
        "most senior tranche timely interest on every payment date and principal by legal "
        "maturity; for the others interest and principal in full by legal maturity (ultimate "
        "payment). This follows the Chinese agencies' 按期足额偿付 (timely and full payment) for "
        "senior notes; a tranche's basis is shown on the Overview sheet.",
        "zh": "评级反映档次按其评级对象获得偿付的可能性：最优先档为各支付日按期足额偿付利息、法定到期日前"
        "足额偿付本金（按期足额偿付）；其余档次为法定到期日前足额偿付本金及收益（最终偿付）。各档评级"
        "对象见“交易概况”表。",
    },
    "definition_scale": {
        "en": "Ratings carry the structured-finance suffix sf, on the scale AAAsf to B-sf (NR: not "
        "rated); a tranche below the stress table's lowest level is shown as 'below B-sf'. A "
        "model's proposal for a rating committee, not an agency's rating.",
        "zh": "评级以 sf 后缀标示结构融资产品，级别自 AAAsf 至 B-sf（NR：未予评级）；低于压力表最低级别的"
        "档次标为 below B-sf。本报告为供评审委员会参考的模型分析，并非评级机构的信用评级。",
    },
    "title_stresses": {"en": "Stresses applied", "zh": "压力情景设置"},
    "stresses_text": {
        "en": "Each level of the stress table cuts the base-case recoveries of each asset class by "
        "its haircut and delays them by its delay (recovery amount and timing); the issue rate "
        "is raised by the level's issue-rate shift ({shift}); fees are paid at their contract "
        "rates before the notes. Levels and figures: the Stress sheet.",
        "zh": "压力表每一级别对各资产类别的基准回收按折损率下调、按延迟期推后（回收金额与回收时间）；"
        "发行利率按该级别的利率上浮（{shift}）；各项费用按合同费率优先于证券支付。各级别参数见"
        "“压力测试”表。",
    },
    "col_issue_rate": {"en": "Issue-rate shift", "zh": "发行利率上浮"},
    "title_evidence": {"en": "Recovery evidence", "zh": "回收依据"},
    "evidence_total": {
        "en": "Base-case recovery {total:,.2f} {unit}: {source}",
        "zh": "基准回收 {total:,.2f}（{unit}）：{source}",
    },
    "evidence_curve": {
        "en": "Collection curve used: {periods} periods, {first:.0%} collected in the first year, "
        "{half:.0%} by the middle of the curve.",
        "zh": "采用的回收时间分布：共 {periods} 期，第一年回收 {first:.0%}，前半程累计回收 {half:.0%}。",
    },
    "evidence_static": {
        "en": "Static-pool curve {segment}: {source}",
        "zh": "静态池回收曲线 {segment}：{source}",
    },
    "pv_default": {"en": "Default taken: {what}", "zh": "采用默认值：{what}"},
    "pv_no_defaults": {
        "en": "Every optional input was given in the deal workbook",
        "zh": "交易工作簿已填写全部可选输入",
    },
    "pv_defaults": {"en": "Defaults taken", "zh": "采用默认值的输入"},
}
