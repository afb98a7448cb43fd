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
    "memo_title": {"en": "Rating memo: {deal}", "zh": "信用评级报告：{deal}"},
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
        "en": "3. Residual tranches without a promised coupon are not rated (NR) unless the deal workbook asks for it (Deal sheet, rate_subordinated); their expected yield and loss are shown.",
        "zh": "3. 无承诺票息的剩余收益档默认不予评级，除非交易工作簿要求（Deal 表 rate_subordinated）；报告列示其预期收益率与预期损失。",
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
}
