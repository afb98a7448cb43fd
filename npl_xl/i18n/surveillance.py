"""Messages of surveillance: trustee-report intake and the surveillance memo. key -> {"en": ...,
"zh": ...}."""

MESSAGES: dict[str, dict[str, str]] = {
    # sheet names
    "surv_sheet_summary": {"en": "Summary", "zh": "摘要"},
    "surv_sheet_performance": {"en": "Performance", "zh": "回收表现"},
    "surv_sheet_state": {"en": "Current state", "zh": "当前状态"},
    "surv_sheet_reprojection": {"en": "Re-projection", "zh": "回收重估"},
    "surv_sheet_stress": {"en": "Stresses", "zh": "压力测试"},
    "surv_sheet_provenance": {"en": "Provenance", "zh": "数据来源"},
    # titles
    "surv_title": {
        "en": "Surveillance memo: {deal}, period {period}{date}",
        "zh": "跟踪评级报告：{deal}，第 {period} 期{date}",
    },
    "surv_title_history": {"en": "Rating history and proposal", "zh": "评级历史与建议"},
    "surv_title_performance": {
        "en": "Actual against forecast collections ({unit})",
        "zh": "实际回收与预测对比（{unit}）",
    },
    "surv_title_state": {
        "en": "Current state after period {period} ({unit})",
        "zh": "第 {period} 期支付后的当前状态（{unit}）",
    },
    "surv_title_reconciliation": {
        "en": "Reconciliation with the trustee report (differences above {tolerance:,.2f})",
        "zh": "与受托机构报告的核对（差异超过 {tolerance:,.2f}）",
    },
    "surv_title_reprojection": {
        "en": "Re-projected recoveries ({unit})",
        "zh": "剩余回收重估（{unit}）",
    },
    "surv_title_stress": {
        "en": "Stresses from the current state",
        "zh": "基于当前状态的压力测试",
    },
    "surv_title_provenance": {"en": "Provenance", "zh": "数据来源"},
    "surv_chart": {
        "en": "Collections, actual against base case",
        "zh": "回收：实际与基准情景",
    },
    # column headers
    "surv_col_tranche": {"en": "Tranche", "zh": "证券"},
    "surv_col_previous": {"en": "Previous rating", "zh": "前次评级"},
    "surv_col_proposed": {"en": "Proposed rating", "zh": "建议评级"},
    "surv_col_change": {"en": "Change", "zh": "变动"},
    "surv_col_reason": {"en": "Reason", "zh": "理由"},
    "surv_col_period": {"en": "Period", "zh": "期数"},
    "surv_col_date": {"en": "Payment date", "zh": "支付日"},
    "surv_col_actual": {"en": "Actual", "zh": "实际回收"},
    "surv_col_forecast": {"en": "Base case", "zh": "基准预测"},
    "surv_col_ratio": {"en": "Actual / base", "zh": "实际/基准"},
    "surv_col_cum_actual": {"en": "Cumulative actual", "zh": "累计实际"},
    "surv_col_cum_forecast": {"en": "Cumulative base", "zh": "累计基准"},
    "surv_col_cum_ratio": {"en": "Cumulative actual / base", "zh": "累计实际/基准"},
    "surv_col_initial": {"en": "Issued", "zh": "发行金额"},
    "surv_col_balance": {"en": "Balance", "zh": "余额"},
    "surv_col_model_balance": {"en": "Model balance", "zh": "模型余额"},
    "surv_col_arrears": {"en": "Interest arrears", "zh": "未付利息"},
    "surv_col_item": {"en": "Item", "zh": "项目"},
    "surv_col_reported": {"en": "Reported", "zh": "报告值"},
    "surv_col_model": {"en": "Model", "zh": "模型值"},
    "surv_col_difference": {"en": "Difference", "zh": "差异"},
    "surv_col_remaining_base": {"en": "Base case remaining", "zh": "基准剩余回收"},
    "surv_col_remaining": {"en": "Re-projected", "zh": "重估剩余回收"},
    "surv_col_level": {"en": "Stress level", "zh": "压力级别"},
    "surv_col_breakeven": {"en": "Break-even haircut", "zh": "盈亏平衡折扣率"},
    "surv_col_required": {"en": "Required haircut", "zh": "所需折扣率"},
    "surv_col_cushion": {"en": "Cushion", "zh": "安全垫"},
    "surv_col_passes": {"en": "Paid in full under", "zh": "足额兑付的压力级别"},
    # labels
    "surv_reserve": {"en": "Reserve balance", "zh": "储备账户余额"},
    "surv_model_reserve": {"en": "Reserve (model)", "zh": "储备账户余额（模型）"},
    "surv_notes": {"en": "Notes outstanding", "zh": "证券未偿余额"},
    "surv_default_event": {"en": "Default event in force", "zh": "违约事件已触发"},
    "surv_yes": {"en": "yes", "zh": "是"},
    "surv_no": {"en": "no", "zh": "否"},
    "surv_no_differences": {
        "en": "The report agrees with the waterfall run on its collections (or gives no balances).",
        "zh": "报告数据与按实际回收运行的现金流瀑布一致（或报告未提供余额）。",
    },
    "surv_state_basis": {
        "en": "The re-rating starts from the trustee's balances and reserve where reported, the "
        "model's otherwise.",
        "zh": "重新评级以受托机构报告的余额与储备为起点；报告未提供的取模型值。",
    },
    "surv_total": {"en": "Total", "zh": "合计"},
    "surv_method": {
        "en": "Method: {method}. Credibility Z = {z:.1%} (the share of the base case expected by "
        "period {period}); actual / base to date {ae:.1%}; remaining re-projected at {remaining_share:.1%} "
        "of the base case's remaining, {remaining:,.2f} against {base:,.2f}. Source: Benktander "
        "(1976); Mack (2000), ASTIN Bulletin 30(2) 333-347. The remaining curve keeps the base "
        "case's shape, re-anchored at the last reported date.",
        "zh": "方法：{method}。可信度 Z = {z:.1%}（基准情景截至第 {period} 期应回收的比例）；截至目前实际/基准 "
        "{ae:.1%}；剩余回收重估为基准剩余的 {remaining_share:.1%}，即 {remaining:,.2f}（基准 {base:,.2f}）。"
        "来源：Benktander（1976）；Mack（2000），ASTIN Bulletin 30(2) 333-347。剩余回收曲线沿用基准形状，"
        "以最近一次报告日为起点。",
    },
    "surv_method_benktander": {
        "en": "Benktander credibility weighting",
        "zh": "Benktander 可信度加权",
    },
    "surv_method_override": {"en": "analyst's override", "zh": "分析师覆盖"},
    "surv_all_repaid": {
        "en": "Every note is repaid; there is nothing left to rate.",
        "zh": "全部证券已兑付，无需再评级。",
    },
    "surv_illustrative": {
        "en": "The stress table is illustrative (not calibrated): ratings are for illustration.",
        "zh": "压力表为示意性参数（未经校准），评级结果仅供示意。",
    },
    # changes
    "surv_change_affirmed": {"en": "affirmed", "zh": "维持"},
    "surv_change_upgrade": {"en": "upgrade", "zh": "上调"},
    "surv_change_downgrade": {"en": "downgrade", "zh": "下调"},
    "surv_change_paid_in_full": {"en": "paid in full", "zh": "已兑付"},
    "surv_change_not_rated": {"en": "not rated", "zh": "未予评级"},
    "surv_change_new": {"en": "first rating", "zh": "首次评级"},
    # reasons
    "surv_reason_affirmed": {
        "en": "Collections {actual_to_expected:.1%} of the base case to period {period}; "
        "remaining recovery re-projected at {remaining_share:.1%} of the base case; break-even haircut "
        "{breakeven:.1%} from the current state supports the rating.",
        "zh": "截至第 {period} 期回收为基准的 {actual_to_expected:.1%}；剩余回收重估为基准的 "
        "{remaining_share:.1%}；当前状态下盈亏平衡折扣率 {breakeven:.1%}，支持维持评级。",
    },
    "surv_reason_upgrade": {
        "en": "Up {notches} notch(es): collections {actual_to_expected:.1%} of the base case to "
        "period {period}, remaining recovery re-projected at {remaining_share:.1%}; with the notes paid "
        "down the break-even haircut is {breakeven:.1%}.",
        "zh": "上调 {notches} 个子级：截至第 {period} 期回收为基准的 {actual_to_expected:.1%}，"
        "剩余回收重估为 {remaining_share:.1%}；证券偿付后盈亏平衡折扣率为 {breakeven:.1%}。",
    },
    "surv_reason_downgrade": {
        "en": "Down {notches} notch(es): collections {actual_to_expected:.1%} of the base case to "
        "period {period}, remaining recovery re-projected at {remaining_share:.1%}; the break-even haircut "
        "from the current state is {breakeven:.1%}, too little for the previous rating.",
        "zh": "下调 {notches} 个子级：截至第 {period} 期回收仅为基准的 {actual_to_expected:.1%}，"
        "剩余回收重估为 {remaining_share:.1%}；当前状态下盈亏平衡折扣率为 {breakeven:.1%}，不足以支持前次评级。",
    },
    "surv_reason_paid_in_full": {
        "en": "Repaid in full by period {period}.",
        "zh": "已于第 {period} 期前足额兑付。",
    },
    "surv_reason_not_rated": {
        "en": "Residual tranche, not rated; collections {actual_to_expected:.1%} of the base case "
        "to period {period}.",
        "zh": "剩余收益档，未予评级；截至第 {period} 期回收为基准的 {actual_to_expected:.1%}。",
    },
    "surv_reason_new": {
        "en": "Rated for the first time: break-even haircut {breakeven:.1%} from the current "
        "state.",
        "zh": "首次评级：当前状态下盈亏平衡折扣率 {breakeven:.1%}。",
    },
    # provenance
    "surv_prov_deal": {"en": "Deal workbook", "zh": "交易工作簿"},
    "surv_prov_report": {"en": "Trustee report", "zh": "受托机构报告"},
    "surv_prov_previous": {"en": "Previous ratings", "zh": "前次评级来源"},
    "surv_prov_run": {"en": "Rating run", "zh": "评级运行"},
    "surv_prov_run_line": {
        "en": "{paths:,} Monte Carlo scenarios, seed {seed}, {timestamp}",
        "zh": "蒙特卡洛情景 {paths:,} 个，随机种子 {seed}，{timestamp}",
    },
    "surv_prov_versions": {"en": "Versions", "zh": "版本"},
    "surv_prov_intake": {"en": "Intake", "zh": "读取记录"},
}
