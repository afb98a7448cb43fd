"""What a servicer tape may say, as data: header aliases, units, provinces, loan classes, security
types.

Headers and values are compared after :func:`npl_xl.workbook.intake.normalise.key` (NFKC: full-width
to half-width, lower case, no spaces, underscores, hyphens or brackets).
"""

from __future__ import annotations

import re

#: canonical column -> accepted headers (Chinese servicer and English names)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "loan_id": (
        "loan_id",
        "loan",
        "loan_no",
        "loan_number",
        "contract_id",
        "account_id",
        "借据号",
        "借据编号",
        "贷款编号",
        "合同号",
        "合同编号",
        "贷款合同号",
        "借款合同编号",
        "账号",
        "卡号",
    ),
    "borrower_id": (
        "borrower_id",
        "customer_id",
        "obligor",
        "obligor_id",
        "client_id",
        "借款人编号",
        "客户号",
        "客户编号",
        "借款人",
        "借款人id",
        "客户id",
        "债务人编号",
    ),
    "principal": (
        "principal",
        "balance",
        "outstanding_principal",
        "principal_balance",
        "未偿本金",
        "本金余额",
        "剩余本金",
        "本金",
        "未偿本金余额",
        "贷款余额",
        "未偿还本金",
    ),
    "interest": (
        "interest",
        "outstanding_interest",
        "accrued_interest",
        "未偿利息",
        "利息余额",
        "利息",
        "欠息",
        "应收未收利息",
    ),
    "fees": ("fees", "fee", "费用", "罚息及费用", "其他费用", "费用余额"),
    "months_overdue": ("months_overdue", "overdue_months", "逾期月数", "逾期期数", "逾期月份"),
    "days_overdue": ("days_overdue", "overdue_days", "dpd", "逾期天数"),
    "region": (
        "region",
        "province",
        "地区",
        "省份",
        "地域",
        "所在省份",
        "借款人所在地区",
        "所属地区",
    ),
    "five_category": (
        "five_category",
        "classification",
        "loan_class",
        "五级分类",
        "贷款分类",
        "五级分类结果",
        "风险分类",
    ),
    "borrower_age": ("borrower_age", "age", "借款人年龄", "年龄"),
    "security": (
        "security",
        "security_type",
        "collateral",
        "secured",
        "担保方式",
        "是否有抵押",
        "抵押",
        "保证方式",
        "担保类型",
        "贷款方式",
    ),
    "origination_date": (
        "origination_date",
        "loan_date",
        "start_date",
        "放款日期",
        "发放日期",
        "贷款发放日",
        "起息日",
        "借款日期",
    ),
    "default_date": (
        "default_date",
        "违约日期",
        "逾期日期",
        "首次逾期日期",
        "不良日期",
        "转不良日期",
    ),
    "annual_income": ("annual_income", "income", "年收入", "借款人年收入"),
    "product": ("product", "product_type", "产品类型", "产品", "贷款品种", "业务品种", "贷款类型"),
    "collateral_type": ("collateral_type", "抵押物类型", "抵质押物类型", "押品类型"),
    "appraisal_value": (
        "appraisal_value",
        "collateral_value",
        "评估价值",
        "抵押物评估价值",
        "押品评估价值",
        "评估值",
    ),
    "appraisal_date": ("appraisal_date", "评估日期", "评估基准日"),
    "lien_rank": ("lien_rank", "抵押顺位", "顺位"),
    "legal_stage": ("legal_stage", "诉讼阶段", "司法阶段", "诉讼状态", "处置阶段"),
    "city": ("city", "城市", "所在城市", "抵押物所在城市"),
    "city_tier": ("city_tier", "tier", "城市等级", "城市级别", "城市线级", "城市能级"),
    "purpose": ("purpose", "loan_purpose", "贷款用途", "借款用途", "用途"),
    "remarks": ("remarks", "remark", "notes", "note", "备注", "备注信息"),
    "collected": (
        "collected",
        "collections_since_cutoff",
        "recovered_since_cutoff",
        "封包后回收金额",
        "封包后回收",
        "累计回收金额",
        "已回收金额",
        "回收金额",
    ),
}
REQUIRED = ("loan_id", "principal")
#: amounts converted to yuan (their unit comes from the header, a title line or --unit)
AMOUNT_COLUMNS = ("principal", "interest", "fees", "annual_income", "appraisal_value", "collected")
NUMBER_COLUMNS = ("months_overdue", "days_overdue", "borrower_age", "lien_rank")
DATE_COLUMNS = ("origination_date", "default_date", "appraisal_date")
TEXT_COLUMNS = (
    "loan_id",
    "borrower_id",
    "region",
    "five_category",
    "security",
    "product",
    "collateral_type",
    "legal_stage",
    "city",
    "city_tier",
    "purpose",
    "remarks",
)

#: currency units -> yuan per unit; aliases as they appear in headers and title lines
UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}
UNIT_ALIASES = {
    "元": "元",
    "人民币元": "元",
    "yuan": "元",
    "cny": "元",
    "rmb": "元",
    "千元": "千元",
    "万元": "万元",
    "cny10k": "万元",
    "10kcny": "万元",
    "百万元": "百万元",
    "亿元": "亿元",
}
#: plausible range per field (amounts in 元 after conversion), wide on purpose: outside it a value
#: is more likely a unit or data error than a real loan (warned of, not refused). Income: Chinese
#: NPL tapes span 元 10^3-10^7 a year; balances of retail and small-business loans 元 10-10^8.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "principal": (10.0, 5e8, "元"),
    "annual_income": (1e3, 5e7, "元 a year"),
    "appraisal_value": (1e4, 5e9, "元"),
    "borrower_age": (18.0, 100.0, "years"),
    "months_overdue": (0.0, 360.0, "months"),
    "ltv": (0.01, 5.0, "(principal / appraisal value)"),
}
#: what is left of a unit word once its currency words (人民币, CNY, RMB, yuan, 元) are removed ->
#: the unit: '人民币万元', 'CNY 10,000', '10k CNY' -> 万元
UNIT_MULTIPLIERS = {
    "": "元",
    "1": "元",
    "千": "千元",
    "1000": "千元",
    "1k": "千元",
    "k": "千元",
    "thousand": "千元",
    "万": "万元",
    "10000": "万元",
    "10k": "万元",
    "百万": "百万元",
    "1000000": "百万元",
    "million": "百万元",
    "mn": "百万元",
    "m": "百万元",
    "亿": "亿元",
    "100000000": "亿元",
    "100m": "亿元",
    "100million": "亿元",
}
#: text that names some unit, recognised or not (a suffix or title matching this but no unit word
#: above stops the intake)
UNIT_HINT = re.compile(r"元|币|cny|rmb|yuan|usd|hkd|eur|dollar|\$|¥|单位|unit|^[千万亿]|^\d+k?$")
#: the unit words understood, as listed in error messages
UNIT_WORDS = (
    "元, 千元, 万元, 百万元, 亿元, 人民币 before any of them (人民币万元), "
    "CNY/RMB/yuan with 1, 1,000, 10,000, 1,000,000 or 100,000,000 (CNY 10,000, 10k CNY)"
)
#: words that mark a totals row
TOTAL_WORDS = ("合计", "总计", "小计", "total", "sum", "grandtotal")
#: title-line markers of the amount unit and the cut-off date
UNIT_MARKERS = ("金额单位", "单位", "unit", "currencyunit")
CUTOFF_MARKERS = (
    "封包日",
    "封包日期",
    "基准日",
    "资产池基准日",
    "初始起算日",
    "cutoffdate",
    "cutoff",
    "asof",
)

#: provincial-level divisions: short name -> (full names and pinyin spellings)
PROVINCES: dict[str, tuple[str, ...]] = {
    "北京": ("北京市", "beijing"),
    "天津": ("天津市", "tianjin"),
    "上海": ("上海市", "shanghai"),
    "重庆": ("重庆市", "chongqing"),
    "河北": ("河北省", "hebei"),
    "山西": ("山西省", "shanxi"),
    "辽宁": ("辽宁省", "liaoning"),
    "吉林": ("吉林省", "jilin"),
    "黑龙江": ("黑龙江省", "heilongjiang"),
    "江苏": ("江苏省", "jiangsu"),
    "浙江": ("浙江省", "zhejiang"),
    "安徽": ("安徽省", "anhui"),
    "福建": ("福建省", "fujian"),
    "江西": ("江西省", "jiangxi"),
    "山东": ("山东省", "shandong"),
    "河南": ("河南省", "henan"),
    "湖北": ("湖北省", "hubei"),
    "湖南": ("湖南省", "hunan"),
    "广东": ("广东省", "guangdong"),
    "海南": ("海南省", "hainan"),
    "四川": ("四川省", "sichuan"),
    "贵州": ("贵州省", "guizhou"),
    "云南": ("云南省", "yunnan"),
    "陕西": ("陕西省", "shaanxi"),
    "甘肃": ("甘肃省", "gansu"),
    "青海": ("青海省", "qinghai"),
    "台湾": ("台湾省", "taiwan"),
    "内蒙古": ("内蒙古自治区", "innermongolia", "neimenggu"),
    "广西": ("广西壮族自治区", "广西自治区", "guangxi"),
    "西藏": ("西藏自治区", "tibet", "xizang"),
    "宁夏": ("宁夏回族自治区", "宁夏自治区", "ningxia"),
    "新疆": ("新疆维吾尔自治区", "新疆自治区", "xinjiang"),
    "香港": ("香港特别行政区", "hongkong"),
    "澳门": ("澳门特别行政区", "macau", "macao"),
}

#: five-category loan classification (五级分类) -> accepted spellings
FIVE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "正常": ("正常类", "normal", "pass"),
    "关注": ("关注类", "specialmention", "special mention", "watch"),
    "次级": ("次级类", "substandard"),
    "可疑": ("可疑类", "doubtful"),
    "损失": ("损失类", "loss"),
}

#: security types, strongest collateral first; each -> words that name it
SECURITY_TYPES: dict[str, tuple[str, ...]] = {
    "mortgage": (
        "抵押",
        "房产抵押",
        "房屋抵押",
        "住房抵押",
        "不动产抵押",
        "土地抵押",
        "设备抵押",
        "车辆抵押",
        "抵押担保",
        "mortgage",
        "mortgaged",
        "secured",
        "有抵押",
        "是",
    ),
    "pledge": ("质押", "股权质押", "存单质押", "应收账款质押", "质押担保", "pledge", "pledged"),
    "guaranteed": (
        "保证",
        "担保",
        "保证人",
        "连带责任保证",
        "第三方保证",
        "保证担保",
        "guarantee",
        "guaranteed",
    ),
    "unsecured": (
        "信用",
        "纯信用",
        "无担保",
        "无",
        "否",
        "无抵押",
        "信用贷款",
        "unsecured",
        "none",
        "no",
        "clean",
    ),
}
#: how a security cell combines types ("抵押+保证")
SECURITY_SEPARATORS = r"[+＋、,，/;；&和及与]"

#: collateral types (the valuation tables' keys) -> spellings
COLLATERAL_TYPES: dict[str, tuple[str, ...]] = {
    "residential": (
        "住宅",
        "住房",
        "房产",
        "居住用房",
        "住宅用房",
        "house",
        "housing",
        "apartment",
    ),
    "commercial": (
        "商铺",
        "商业",
        "商业用房",
        "写字楼",
        "厂房",
        "办公",
        "commercial property",
        "office",
        "shop",
    ),
    "land": ("土地", "土地使用权", "land use right"),
    "equipment": ("设备", "机器设备", "车辆", "machinery", "vehicle"),
    "equity": ("股权", "股票", "shares", "stock"),
}

#: city tiers as the valuation's tier add-ons use them: '1' the four first-tier cities, '2' the
#: "new first-tier" and second-tier cities of 第一财经·新一线城市研究所《城市商业魅力排行榜》
#: (2023 and 2024 lists, either year), any other named city '3' (third tier or below)
CITY_TIERS: dict[str, tuple[str, ...]] = {
    "1": ("北京", "上海", "广州", "深圳", "beijing", "shanghai", "guangzhou", "shenzhen"),
    "2": (
        # new first tier
        "成都", "重庆", "杭州", "武汉", "苏州", "西安", "南京", "长沙", "天津", "郑州",
        "东莞", "青岛", "昆明", "宁波", "合肥", "无锡",
        # second tier
        "佛山", "沈阳", "济南", "厦门", "福州", "温州", "哈尔滨", "石家庄", "大连", "南宁",
        "泉州", "金华", "贵阳", "常州", "长春", "南昌", "南通", "嘉兴", "徐州", "惠州",
        "太原", "台州", "绍兴", "保定", "中山", "潍坊", "临沂", "珠海", "烟台", "兰州",
    ),
}  # fmt: skip
#: tier words a tape may give instead of a city ('一线', '三线城市', 'tier 2')
TIER_WORDS = {
    "1": "1", "2": "2", "3": "3", "4": "3", "5": "3",
    "一线": "1", "新一线": "2", "二线": "2", "三线": "3", "四线": "3", "五线": "3",
    "一线城市": "1", "新一线城市": "2", "二线城市": "2", "三线城市": "3", "四线城市": "3",
    "五线城市": "3", "三线及以下": "3", "tier1": "1", "tier2": "2", "tier3": "3",
}  # fmt: skip
#: legal stage words -> the disposal-months table's stages, checked in this order against the
#: stage cell (or a 备注 remark): the first word the text contains decides ('已判决未执行' ->
#: 已判决 because '未执行' comes before '执行')
LEGAL_STAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("未诉讼", "未诉讼"),
    ("未起诉", "未诉讼"),
    ("未诉", "未诉讼"),
    ("诉前", "未诉讼"),
    ("notsued", "未诉讼"),
    ("拍卖", "拍卖中"),
    ("变卖", "拍卖中"),
    ("流拍", "拍卖中"),
    ("auction", "拍卖中"),
    ("未执行", "已判决"),
    ("终本", "执行中"),
    ("终结本次执行", "执行中"),
    ("执行", "执行中"),
    ("enforcement", "执行中"),
    ("判决", "已判决"),
    ("调解", "已判决"),
    ("裁定", "已判决"),
    ("胜诉", "已判决"),
    ("judg", "已判决"),
    ("诉讼", "已起诉"),
    ("起诉", "已起诉"),
    ("立案", "已起诉"),
    ("审理", "已起诉"),
    ("sued", "已起诉"),
    ("litigat", "已起诉"),
)
