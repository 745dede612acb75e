"""The report's language: text in Chinese, English or both (:class:`Lang`), metric and
lever labels, zone names and short names, and how numbers and money are written."""

from __future__ import annotations

import numpy as np

from sim.report.style import cjk_font
from sim.scenario import levers

FAN_METRICS = ["hte", "enterprises", "revenue_wan", "rd_intensity", "gazelles", "employees",
               "subsidy_wan"]
LADDER = ["startups", "tech_smes", "hte", "gazelles", "leaders"]
INVEST = ["projects_arrived", "projects_landed", "projects_referred", "projects_lost",
          "investment_landed_wan", "investment_credited_wan"]
SECTOR_METRICS = ["enterprises", "hte", "revenue_wan"]

# metric -> (zh, en, unit kind): "count", "money" (万元 in the data), "ratio"
METRIC_LABELS = {
    "hte": ("高新技术企业（高企）", "High-tech enterprises (HTE)", "count"),
    "enterprises": ("企业数", "Enterprises", "count"),
    "revenue_wan": ("营业收入", "Revenue", "money"),
    "rd_intensity": ("研发投入强度", "R&D intensity", "ratio"),
    "gazelles": ("瞪羚企业", "Gazelles", "count"),
    "leaders": ("领军企业", "Leaders", "count"),
    "startups": ("初创企业", "Start-ups", "count"),
    "tech_smes": ("科技型中小企业", "Tech SMEs", "count"),
    "subsidy_wan": ("奖补支出", "Awards paid", "money"),
    "specialised": ("专精特新企业", "Specialised SMEs", "count"),
    "rd_wan": ("研发投入", "R&D spending", "money"),
    "projects_landed": ("落地项目", "Projects landed", "count"),
    "projects_arrived": ("到达项目", "Projects arrived", "count"),
    "projects_referred": ("推荐项目", "Projects referred", "count"),
    "projects_lost": ("流失项目", "Projects lost", "count"),
    "investment_landed_wan": ("落地投资", "Investment landed", "money"),
    "investment_credited_wan": ("计入考核的投资", "Investment credited", "money"),
    "awards_to_date_wan": ("累计奖补", "Awards to date", "money"),
    "obligations_to_date_wan": ("累计承诺奖补", "Obligations to date", "money"),
    "arrears_wan": ("欠付奖补", "Arrears (earned, not paid)", "money"),
    "tax_expenditure_to_date_wan": ("累计税式支出", "Tax expenditure to date", "money"),
    "awards_earned_wan": ("应付奖补（承诺）", "Awards earned (obligations)", "money"),
    "awards_waiting_wan": ("待付奖补（欠付）", "Awards waiting (arrears)", "money"),
    "awards_lapsed_wan": ("失效奖补", "Awards lapsed", "money"),
    "awards_paid_from_transfer_wan": ("园区以省级转移资金支付", "Paid by zones out of transfers",
                                      "money"),
    "employees": ("从业人员", "Employees", "count"),
    "tax_expenditure_wan": ("税式支出（高企税率与研发加计扣除）",
                            "Tax expenditure (高企 rate and R&D super-deduction)", "money"),
}
# what a count metric counts (zh unit, en noun): firms unless said here
COUNT_UNITS = {
    "projects_arrived": ("个", "projects"), "projects_landed": ("个", "projects"),
    "projects_referred": ("个", "projects"), "projects_lost": ("个", "projects"),
    "pilots": ("个", "pilots"), "claims_lapsed": ("笔", "claims"),
    "national_clusters": ("个", "clusters"), "national_zones": ("个", "zones"),
    "national_rank": ("位", "rank"), "enclaves": ("个", "parks"),
    "employees": ("人", "people"),
}


def count_unit(metric: str) -> tuple[str, str]:
    """The unit of a count metric in a chart: (zh, en), e.g. ("个", "projects") for
    projects landed, ("家", "firms") for firm counts."""
    return COUNT_UNITS.get(metric, ("家", "firms"))


# the headers of raw table columns as the page, report.xlsx and tables/*.csv show them
# (zh, en); data/*.csv keeps the raw names (scripts read them)
HEADERS = {
    "variant": ("方案", "variant"), "base": ("基准", "base"), "metric": ("指标", "metric"),
    "checkpoint": ("检查点", "checkpoint"), "quarter": ("季度", "quarter"),
    "year": ("年份", "year"), "zone": ("园区", "zone"), "sector": ("产业", "sector"),
    "lever": ("杠杆", "lever"), "payer": ("支付方", "payer"), "value": ("值", "value"),
    "base_median": ("基准中位数", "base median"),
    "variant_median": ("方案中位数", "variant median"),
    "diff_mean": ("差值均值", "difference, mean"), "diff_median": ("差值中位数", "difference, median"),
    "diff_p05": ("差值 5% 分位", "difference, 5%"), "diff_p95": ("差值 95% 分位", "difference, 95%"),
    "share_positive": ("差值为正的比例", "share positive"),
    "luck_only_diff_mean": ("仅计运气：差值均值", "luck only: mean"),
    "luck_only_diff_p05": ("仅计运气：5% 分位", "luck only: 5%"),
    "luck_only_diff_p95": ("仅计运气：95% 分位", "luck only: 95%"),
    "replicates": ("重复次数", "replicates"), "setting": ("设置", "setting"),
    "outcome": ("结果", "outcome"), "parameter": ("参数", "parameter"),
    "mean": ("均值", "mean"), "p05": ("5% 分位", "5%"), "p95": ("95% 分位", "95%"),
    "share": ("占比", "share"), "group": ("分组", "group"), "note": ("说明", "note"),
    "median": ("中位数", "median"), "p25": ("25% 分位", "25%"), "p75": ("75% 分位", "75%"),
    "0.05": ("5% 分位", "5%"), "0.5": ("中位数", "median"), "0.95": ("95% 分位", "95%"),
    "point": ("扫描点", "point"), "hte_only": ("高企（非瞪羚/领军）", "HTE only"),
    "mean_amount_wan": ("奖补均值（万元）", "mean amount (万元)"),
    # studies (sensitivity, robust)
    "quantity": ("统计量", "quantity"), "rank": ("排名", "rank"),
    "morris_rank": ("Morris 排名", "Morris rank"), "sobol_rank": ("Sobol 排名", "Sobol rank"),
    "mu": ("Morris μ", "Morris mu"), "mu_star": ("Morris μ*", "Morris mu*"),
    "mu_star_conf": ("μ* 的 95% 区间半宽", "mu* 95% half-width"), "sigma": ("Morris σ", "Morris sigma"),
    "mu_star_relative": ("相对 μ*", "relative mu*"), "S1": ("Sobol S1", "Sobol S1"),
    "S1_conf": ("S1 的 95% 区间半宽", "S1 95% half-width"), "ST": ("Sobol ST", "Sobol ST"),
    "ST_conf": ("ST 的 95% 区间半宽", "ST 95% half-width"), "sense": ("方向", "sense"),
    "regret_mean": ("平均后悔值", "mean regret"), "regret_p90": ("后悔值 90% 分位", "regret, 90%"),
    "regret_max": ("最大后悔值", "largest regret"), "best_share": ("最优世界占比", "share of worlds best"),
    "failure_rate": ("未达标率", "failure rate"), "coverage": ("覆盖率", "coverage"),
    "density": ("密度", "density"), "mass": ("质量（框内世界占比）", "mass"),
    "low": ("下限", "low"), "high": ("上限", "high"),
}
# what the codes in a table's payer column say (zh, en)
PAYERS = {"province": ("省级", "province"), "zone": ("园区", "zones")}

# sheet names of report.xlsx for the tables every report kind writes (zh, en); other
# tables are named by their captions
SHEET_NAMES = {
    "run_info": ("运行概况", "What was run"), "lever_changes": ("政策参数变化", "Lever changes"),
    "answer": ("结论", "The answer"), "headline": ("主要结果", "Headline"),
    "targets": ("目标达成概率", "Targets"), "paired_differences": ("配对差异", "Paired differences"),
    "cost_per_unit": ("单位成本", "Cost per unit"), "awards_vs_budget": ("奖补与预算", "Awards and budgets"),
    "investment_by_zone": ("分园区投资", "Investment by zone"),
    "investment_credited_changes": ("计入考核投资变化", "Credited investment changes"),
    "cluster_by_zone": ("集群增长（园区）", "Clusters by zone"),
    "cluster_by_sector": ("集群增长（产业）", "Clusters by sector"),
    "attribution": ("效果归因", "Attribution"), "groups": ("杠杆分组", "Groups of levers"),
    "probability_cost": ("概率与成本", "Probability and cost"), "regret": ("遗憾值", "Regret"),
    "prim": ("情景发现", "Scenario discovery"),
}

# lever code -> (zh, en), from the lever registry (sim/scenario/levers.py)
LEVER_NAMES = {lv.code: (lv.name_zh, lv.name_en) for lv in levers.LEVERS if lv.money}


class ReportError(Exception):
    """A folder that cannot be reported on (exit 2)."""



class Lang:
    """Text in the chosen languages: HTML text and figure text (English-only figures
    when Chinese is asked for but no CJK font is installed)."""

    def __init__(self, lang):
        if isinstance(lang, str):
            lang = [x.strip() for x in lang.split(",") if x.strip()]
        lang = tuple(lang)
        bad = [x for x in lang if x not in ("zh", "en")]
        if bad or not lang:
            raise ReportError(f"unknown language {', '.join(bad) or '(none)'} (valid: zh, en "
                              "or zh,en)")
        self.lang = lang
        self.fig_lang = lang
        if "zh" in lang:
            font = cjk_font()
            if font is None:
                self.fig_lang = ("en",)
            self.font = font
        else:
            self.font = None

    def t(self, zh: str, en: str, sep: str = " / ") -> str:
        """HTML text."""
        parts = [zh if x == "zh" else en for x in self.lang]
        return sep.join(dict.fromkeys(parts))

    def f(self, zh: str, en: str, sep: str = " / ") -> str:
        """Figure text."""
        parts = [zh if x == "zh" else en for x in self.fig_lang]
        return sep.join(dict.fromkeys(parts))


def money_scale(max_abs_wan: float) -> tuple[float, str, str]:
    """Divide by, unit zh, unit en for money shown in a chart."""
    if max_abs_wan >= 1e4:
        return 1e4, "亿元", "100M CNY"
    return 1.0, "万元", "10k CNY"


def fmt_num(x: float) -> str:
    """A number as text: no decimals from 100, one from 1, else 3 significant digits."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def fmt_count(x: float) -> str:
    """A count (firms, projects) as text: a whole number; a mean under 10 that is not whole
    keeps one decimal (a mean change of 2.5 firms is not 2 or 3)."""
    if x is None or not np.isfinite(x):
        return "–"
    if abs(x) < 10 and abs(x - round(x)) >= 0.05:
        return f"{x:,.1f}"
    return f"{int(round(x)):,d}"


def plain_number(x, kind: str = "number"):
    """A number rounded to what it means, as a number for a table's files (tables/*.csv,
    report.xlsx): a count as :func:`fmt_count` writes it, anything else (money in 万元,
    ratios, shares) as :func:`fmt_num` (whole from 100, one decimal from 1, else three
    significant digits); an int when whole (20, not 20.0). None for a missing value."""
    if x is None or isinstance(x, bool):
        return x
    x = float(x)
    if not np.isfinite(x):
        return None
    text = fmt_count(x) if kind == "count" else fmt_num(x)
    v = float(text.replace(",", ""))
    return int(v) if v.is_integer() else v


def fmt_axis(x: float, kind: str = "count") -> str:
    """A value already in a chart's unit (a count, money divided for its axis, a ratio in
    %) as a label: never in scientific notation (13,100, not 1.31e+04)."""
    if x is None or not np.isfinite(x):
        return "–"
    if kind == "count":
        return fmt_count(x)
    if kind == "ratio":
        return f"{x:.2f}%"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def fmt_money(wan: float, L: Lang) -> str:
    """万元 to text, in 亿元 when large."""
    if wan is None or not np.isfinite(wan):
        return "–"
    if abs(wan) >= 1e4:
        return f"{wan / 1e4:,.2f} " + ("亿元" if "zh" in L.lang else "亿元 (100M CNY)")
    return f"{wan:,.0f} " + ("万元" if "zh" in L.lang else "万元 (10k CNY)")


def fmt_value(metric: str, v: float, L: Lang) -> str:
    """A metric's value as text: money in 万元/亿元, ratios in %, counts as numbers."""
    kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
    if metric.endswith("_wan") or kind == "money":
        return fmt_money(v, L)
    if kind == "ratio":
        return f"{100 * v:.2f}%"
    if kind == "count":
        return fmt_count(v)
    return fmt_num(v)


def fmt_threshold(metric: str, x: float, L: Lang) -> str:
    """A target's threshold as text: money in 万元/亿元, ratios in %, counts whole from
    1,000 with separators and otherwise as they are (a scaled 4.75 stays 4.75); never in
    scientific notation."""
    if x is None or not np.isfinite(x):
        return "–"
    kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
    if metric.endswith("_wan") or kind == "money":
        return fmt_money(x, L)
    if kind == "ratio":
        return f"{100 * x:.2f}%"
    return f"{x:,.0f}" if abs(x) >= 1000 or float(x).is_integer() else f"{x:,.4g}"


def metric_label(metric: str, L: Lang, fig: bool = True) -> str:
    """A metric's label in figure (``fig``) or HTML text."""
    zh, en, _ = METRIC_LABELS.get(metric, (metric, metric, "count"))
    return L.f(zh, en) if fig else L.t(zh, en)


def item_name(items: list[dict], key: str, L: Lang, fig: bool = True) -> str:
    """The name of zone or sector ``key`` among ``items`` (the scenario's list)."""
    for it in items:
        if it.get("id") == key:
            zh, en = it.get("name_zh") or key, it.get("name_en") or key
            return L.f(zh, en) if fig else L.t(zh, en)
    if key == "ALL":
        return L.f("全部模拟园区", "all modelled zones") if fig else L.t("全部模拟园区",
                                                                  "all modelled zones")
    return key


ZONE_SUFFIXES_ZH = ("高新技术产业开发区", "工业园区(省级高新区)", "工业园区")
ZONE_SUFFIXES_EN = (" National High-tech Zone", " Provincial High-tech Zone", " High-tech Zone",
                    " High-Tech Zone", " Hi-tech Zone")


def _strip(name: str, suffixes) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def short_zone(items: list[dict], key: str, L: Lang, fig: bool = True) -> str:
    """A zone's short name, for axes and table cells: its name without the kind of zone
    (昆明 for 昆明高新技术产业开发区, Kunming for Kunming National High-tech Zone); in
    figure (``fig``) or HTML text. The one rule for short zone names (the scenario's zones
    have long names only)."""
    for it in items:
        if it.get("id") == key:
            zh = _strip(it.get("name_zh") or key, ZONE_SUFFIXES_ZH)
            en = _strip(it.get("name_en") or key, ZONE_SUFFIXES_EN)
            return L.f(zh, en, " ") if fig else L.t(zh, en, " ")
    if key == "ALL":
        return item_name(items, key, L, fig)
    return key


def zone_tooltips(items: list[dict], L: Lang) -> dict[str, str]:
    """Each zone's short name (as in a table) -> its full name: the tooltip of a table
    cell that shows the short one."""
    return {short_zone(items, it["id"], L, fig=False): item_name(items, it["id"], L, fig=False)
            for it in items if it.get("id")}


def flatten(d, prefix=""):
    """A nested mapping as ``{"a.b.c": value}`` (dated values kept whole)."""
    out = {}
    if isinstance(d, dict) and not (d and all(isinstance(k, str) and len(k) == 6
                                              and k[4] == "Q" for k in d)):
        for k, v in d.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out



_COUNTED = {"behaviour": ("行为不确定性", "behaviour uncertainty"),
            "inputs": ("输入不确定性", "input uncertainty")}


def uncertainty_text(m: dict) -> tuple[str, str]:
    """What a folder's target probabilities count, in Chinese and English, from its
    manifest: ``uncertainty`` (luck, behaviour, inputs; written by
    :func:`sim.analysis.targets.uncertainty_counted`) and ``probability_kind``. Older
    manifests without ``uncertainty`` are read from ``probability_kind``."""
    pk = str(m.get("probability_kind") or "")
    kinds = m.get("uncertainty")
    if not isinstance(kinds, list):
        kinds = ["luck"] if pk.startswith("luck only") or not pk else ["luck", "behaviour"]
    extra = [k for k in kinds if k in _COUNTED]
    if not extra:
        return ("这些概率只计运气（随机性）：每次重复使用情景设定的行为参数和输入值，未计入我们对企业行为和输入数据认识的不确定性，因此可能偏于自信。",
                "These probabilities count luck only: every replicate uses the scenario's "
                "behaviour and input values, not what we do not know about behaviour or "
                "inputs, so they may be over-confident.")
    zh = "、".join(["运气"] + [_COUNTED[k][0] for k in extra[:-1]]) + "和" + _COUNTED[extra[-1]][0]
    how_zh = "；".join(w for k, w in (("behaviour", "每次重复从合理区间抽取行为参数"),
                                     ("inputs", "每次重复从情景 inputs: 的区间抽取输入值"))
                      if k in extra)
    missing = [k for k in _COUNTED if k not in extra]
    note_zh = ("（未计入" + _COUNTED[missing[0]][0] + "）") if missing else ""
    note_en = f"; {_COUNTED[missing[0]][1]} is not counted" if missing else ""
    return (f"这些概率同时计入{zh}：{how_zh}{note_zh}。",
            f"These probabilities count {pk}{note_en}.")
