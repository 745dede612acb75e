"""The report of a run or a compare folder: what was run, targets, fan charts, zones,
clusters, the ladder, investment, awards against budgets and (compare) the paired
differences. Reads the folder's files and hands frames to :mod:`sim.report.figures`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim.analysis.paired import money_shifts
from sim.analysis.summaries import answer
from sim.core.calendar import q_index
from sim.report.figures import (awards, cluster_growth, compare_section, fan_section,
                                investment, ladder, zone_multiples)
from sim.report.lang import (FAN_METRICS, INVEST, LADDER, METRIC_LABELS, SECTOR_METRICS,
                             ReportError, flatten, fmt_money, fmt_threshold, fmt_value,
                             metric_label, short_zone, uncertainty_text,
                             zone_tooltips)
from sim.report.page import Page, read_json


def run_report(R: Page, m: dict, command: str) -> str:
    L, out = R.L, R.out
    variants = list(m.get("variants") or [m.get("scenario")])
    base = variants[0]
    resolved = m.get("resolved") or {}
    if command == "compare":
        rb = resolved.get(base, {})
    else:
        rb = resolved
    zones = rb.get("zones", [])
    R.zones = zones  # a table's zone ids are shown by their short names
    sectors = rb.get("sectors", [])
    cal = rb.get("calendar", {})
    scale = float(m.get("population_scale") or rb.get("population", {}).get("scale", 1.0))
    overrides = [o for o in (m.get("overrides") or []) if isinstance(o, dict) and "key" in o]
    named = str(m.get("scenario")) + "".join(f" + {override_text(o)}" for o in overrides)
    title = L.t(f"模拟结果报告：{named}", f"Simulation report: {named}", " — ")

    mp = out / "metrics.parquet"
    if not mp.exists():
        raise ReportError(f"{out}: no metrics.parquet (the run did not finish?)")
    need = sorted(set(FAN_METRICS + LADDER + INVEST + SECTOR_METRICS
                      + ["awards_waiting_wan", "specialised"])
                  | {t["metric"] for t in rb.get("targets", [])})
    met = pd.read_parquet(mp, filters=[("metric", "in", need)])
    quarters = sorted(met["quarter"].unique(), key=q_index)
    init_q = quarters[0]
    flow_qs = quarters[1:]
    last_q = quarters[-1]
    allz = met[(met.zone == "ALL") & (met.sector == "ALL")]
    targets = read_json(out / "targets.json") if (out / "targets.json").exists() else []

    # 1. what was run
    R.h2("运行概况", "What was run")
    kind_cmd = {"run": ("单一情景运行", "single scenario run"),
                "compare": ("情景比较（配对随机数）", "comparison (paired seeds)")}[
        command if command in ("run", "compare") else "run"]
    rows = [
        (L.t("命令", "Command"), L.t(*kind_cmd)),
        (L.t("情景", "Scenario"), str(m.get("scenario"))),
        (L.t("说明", "Description"), description_text(rb, overrides, L)),
        (L.t("覆盖设定（--set）", "Overrides (--set)"),
         ", ".join(override_text(o) for o in overrides) if overrides
         else L.t("无：按情景文件运行", "none: the scenario file as written")),
        (L.t("模拟园区", "Zones modelled"), zones_text(rb, L)),
        (L.t("方案", "Variants"), ", ".join(variants)),
        (L.t("重复次数", "Replicates"), str(m.get("replicates"))),
        (L.t("随机种子", "Seed"), str(m.get("seed"))),
        (L.t("人口比例", "Population scale"), f"{scale:g}"),
        (L.t("模拟期", "Calendar"), f"{cal.get('start', flow_qs[0] if flow_qs else init_q)}"
                                    f" – {cal.get('end', last_q)} "
                                    + L.t(f"（初始状态 {init_q}）", f"(initial state {init_q})")),
        (L.t("版本", "Versions"), ", ".join(f"{k} {v}" for k, v in
                                           (m.get("versions") or {}).items())),
        (L.t("开始时间", "Started"), str(m.get("started"))),
        (L.t("状态", "Status"), str(m.get("status"))
         + (f" ({len(m.get('failed') or [])} failed)" if m.get("failed") else "")),
    ]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    if scale < 1:
        R.p(f"注意：人口比例为 {scale:g}，企业数、项目数和金额按比例缩小；计数和金额目标按门槛 × {scale:g} 评估"
            "（比例、占比和排名类目标不缩放），结果不是全省的数字。",
            f"Note: population scale {scale:g}: counts of firms and projects and sums of "
            f"money are scaled down; targets on counts and money are evaluated against their "
            f"threshold × {scale:g} (ratios, shares and ranks are not scaled), so the figures "
            "are not the full province's.", "warn")
    if command == "compare":
        lever_diffs(R, resolved, variants)

    # 2. the answer, then the headline: what each variant changes, counting what we do
    # not know (read from comparison.csv and targets.json: no new simulation)
    cp = out / "comparison.csv"
    if command == "compare" and cp.exists():
        comparison = pd.read_csv(cp, encoding="utf-8-sig")
        answer_section(R, m, comparison, targets, base)
        headline_section(R, m, comparison, base)

    # 3. targets
    targets_section(R, m, targets, variants, zones)

    # 4. fan charts
    R.h2("关键指标走势（全部模拟园区）", "Key metrics over time (all modelled zones)")
    R.p("阴影为各次重复的 50% 与 90% 区间，实线为中位数；流量指标（收入、奖补）为截至该季度的四个季度之和，与目标口径一致。",
        "Shaded: 50% and 90% bands over replicates; line: median. Flows (revenue, awards) "
        "are the sum of the four quarters to each quarter, as targets are read.")
    fan_section(R, allz, quarters, flow_qs, variants, targets)

    # 5. zones small multiples
    R.h2("分园区走势", "By zone")
    for metric in ("hte", "revenue_wan"):
        zone_multiples(R, met, metric, quarters, flow_qs, base, zones, variants)

    # 5. cluster growth
    R.h2("产业集群增长", "Cluster growth")
    cluster_growth(R, met, variants, zones, sectors, init_q, flow_qs, last_q)

    # 6. ladder
    R.h2("企业梯度培育", "The enterprise ladder")
    ladder(R, allz, variants, quarters)

    # 7. investment
    R.h2("招商引资", "Investment projects")
    investment(R, met, base, zones, flow_qs, variants)

    # 8. awards
    R.h2("奖补支出与预算", "Awards paid and budgets")
    lp = out / "ledger.parquet"
    ledger = pd.read_parquet(lp) if lp.exists() else None
    cp = out / "claims.parquet"
    claims = pd.read_parquet(cp, columns=["variant", "quarter", "payer", "earned_wan"]) \
        if cp.exists() else None
    w = allz[(allz.metric == "awards_waiting_wan") & (allz.variant == base)
             & allz.quarter.str.endswith("Q4")]
    arrears = (w.groupby("quarter")["value"].mean().rename(lambda q: int(q[:4]))
               if len(w) else None)
    awards(R, ledger, m.get("replicates"), resolved if command == "compare" else {base: rb},
           variants, zones, scale, flow_qs, claims, arrears)
    drawn = [k for k in (m.get("sampled_inputs") or []) if "budget" in k]
    if m.get("inputs_sampled") and drawn:
        R.p(f"预算按重复抽取（--sample-inputs：{', '.join(drawn)}）；图表中的预算为情景设定值，各次重复的抽取值见 inputs.parquet。",
            f"Budgets are drawn per replicate (--sample-inputs: {', '.join(drawn)}); the "
            "budget shown is the scenario's value, each replicate's draw is in "
            "inputs.parquet.", "note")

    # 9. compare
    if command == "compare" and (out / "comparison.csv").exists():
        R.h2("方案与基准的配对差异", "Paired differences from the base")
        d = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
        shifts = None
        if ledger is not None and not d.empty:
            last = sorted(d.checkpoint.unique(), key=q_index)[-1]
            shifts = money_shifts(ledger, base, variants[1:], last,
                                  int(m.get("replicates") or 1))
        compare_section(R, d, base, shifts)
    return title


_LEVELS = {"national": ("国家级", "national"), "provincial": ("省级", "provincial"),
           "candidate": ("候选", "candidate")}


def zones_text(rb: dict, L) -> str:
    """Which zones the scenario models, by level, and (when the scenario gives the
    province's own count, ``province:``) what share of the province's zones they are."""
    zones = rb.get("zones") or []
    zh, en = [], []
    for level, (lzh, len_) in _LEVELS.items():
        zs = [z for z in zones if z.get("level") == level]
        if zs:
            zh.append(f"{lzh} {len(zs)} 个（" + "、".join(z.get("name_zh") or z["id"]
                                                       for z in zs) + "）")
            en.append(f"{len(zs)} {len_} (" + ", ".join(z.get("name_en") or z["id"]
                                                        for z in zs) + ")")
    text_zh = f"共 {len(zones)} 个园区：" + "；".join(zh)
    text_en = f"{len(zones)} zones: " + "; ".join(en)
    pv = rb.get("province")
    if isinstance(pv, dict):
        n_nat = sum(z.get("level") == "national" for z in zones)
        n_prov = sum(z.get("level") == "provincial" for z in zones)
        total = pv["national_zones"] + pv["provincial_zones"]
        share = (n_nat + n_prov) / total if total else float("nan")
        text_zh += (f"。全省共有国家级 {pv['national_zones']} 个、省级 {pv['provincial_zones']} "
                    f"个高新区（{pv['year']} 年，来源：{pv['source']}），模拟覆盖国家级 "
                    f"{n_nat}/{pv['national_zones']}、省级 {n_prov}/{pv['provincial_zones']}，"
                    f"合计 {100 * share:.0f}%")
        text_en += (f". The province has {pv['national_zones']} national and "
                    f"{pv['provincial_zones']} provincial zones ({pv['year']}; source: "
                    f"{pv['source']}): the model covers {n_nat} of {pv['national_zones']} "
                    f"national and {n_prov} of {pv['provincial_zones']} provincial, "
                    f"{100 * share:.0f}% of them")
    else:
        text_zh += "。情景未给出全省高新区总数，“全部模拟园区”不是全省"
        text_en += (". The scenario does not give the province's count of zones; "
                    "\"all modelled zones\" is not the whole province")
    return L.t(text_zh, text_en)


def override_text(o: dict) -> str:
    """One override as ``key=value`` (the value as --set takes it)."""
    v = o.get("value")
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return f"{o['key']}={text}"


def description_text(rb: dict, overrides: list[dict], L) -> str:
    """The scenario's description; with overrides, what was run instead (the file's own
    description, e.g. "all levers at the plan's values", no longer holds as written)."""
    desc = str(rb.get("description", "")).strip()[:300]
    if not overrides:
        return desc
    ov = ", ".join(override_text(o) for o in overrides)
    name = rb.get("name", "")
    return L.t(f"{name}，覆盖设定：{ov}（情景文件的说明描述的是未覆盖时的情景）",
               f"{name} with overrides: {ov} (the scenario file's own description is of "
               "the scenario without them)")


def lever_diffs(R: Page, resolved: dict, variants: list[str]):
    L = R.L
    base = variants[0]
    fb = flatten((resolved.get(base) or {}).get("policy", {}))
    rows = []
    for v in variants[1:]:
        fv = flatten((resolved.get(v) or {}).get("policy", {}))
        for k in sorted(set(fb) | set(fv)):
            if fb.get(k) != fv.get(k):
                rows.append({L.t("方案", "Variant"): v, L.t("政策参数", "Lever setting"):
                             f"policy.{k}", L.t("基准值", "Base value"): json.dumps(
                                 fb.get(k), ensure_ascii=False),
                             L.t("方案值", "Variant value"): json.dumps(fv.get(k),
                                                                      ensure_ascii=False)})
    R.h3("各方案改变的政策参数", "Lever values each variant changes")
    if rows:  # the first rows here (the answer follows), every row in the CSV and xlsx
        R.table(pd.DataFrame(rows), "lever_changes", max_rows=8)
    else:
        R.p("各方案的政策参数与基准相同。", "The variants' policy settings equal the base's.")


def _signed(metric: str, v, L) -> str:
    """A change with its sign (+, −), in the metric's unit; 0 without a sign."""
    if v is None or not np.isfinite(v):
        return "–"
    text = fmt_value(metric, abs(v), L)
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        return text  # shown as zero: no sign
    return ("+" if v > 0 else "−") + text


def _interval(metric: str, lo, hi, L, sep: str) -> str:
    return f"{_signed(metric, lo, L)}{sep}{_signed(metric, hi, L)}"


def _signed_points(dp: float) -> str:
    """A change in probability in percentage points, with its sign; 0 without one."""
    x = round(100 * dp)
    return "0" if x == 0 else ("+" if x > 0 else "−") + f"{abs(x):d}"


def _pct_points(p) -> str:
    return "–" if p is None or not np.isfinite(p) else f"{100 * p:.0f}%"


def answer_section(R: Page, m: dict, comparison: pd.DataFrame, targets: list[dict],
                   base: str):
    """The answer a compare report opens with: per variant, checkpoint (2028Q4, 2030Q4,
    the targets' dates) and target metric, the mean paired change with its 90% interval,
    the change in each target's probability and the change in obligations and payments
    to that checkpoint (:func:`sim.analysis.summaries.answer`), and a short reading."""
    L = R.L
    a = answer(comparison, targets, base)
    R.h2("结论：各方案与基准相比", "The answer: each variant against the base")
    if a.empty:
        R.p("比较表中没有可读的结果。", "The comparison holds nothing to read.")
        return
    rows = []
    for _, r in a.iterrows():
        mtr = r.metric
        change = (f"{_signed(mtr, r.diff_mean, L)} "
                  f"[{_interval(mtr, r.diff_p05, r.diff_p95, L, ', ')}]")
        if pd.isna(r.target):
            ptext = "–"
        else:
            pb, pv, dp = r.probability_base, r.probability_variant, r.probability_change
            ptext = (f"{r.target}: {_pct_points(pb)} → {_pct_points(pv)}"
                     + ("" if dp is None or pd.isna(dp) else
                        f" ({_signed_points(dp)} " + L.t("个百分点", "pts") + ")"))
        rows.append({
            L.t("方案", "Variant"): r.variant,
            L.t("时点", "Checkpoint"): r.checkpoint,
            L.t("指标（全部模拟园区）", "Metric (all modelled zones)"):
                metric_label(mtr, L, fig=False),
            L.t("变化：均值 [90% 区间]", "Change: mean [90% interval]"): change,
            L.t("目标达成概率：基准 → 方案", "Target probability: base → variant"): ptext,
            L.t("承诺奖补变化（累计）", "Change in obligations (to date)"):
                _signed("obligations_to_date_wan", r.obligations_change_wan, L),
            L.t("实付奖补变化（累计）", "Change in payments (to date)"):
                _signed("awards_to_date_wan", r.payments_change_wan, L)})
    R.table(pd.DataFrame(rows), "answer", csv=a,
            caption=(f"方案 − {base}，配对重复的均值与 90% 区间；概率为达成目标的重复占比",
                     f"variant − {base}: mean and 90% interval over paired replicates; "
                     "probability: share of replicates meeting the target"))
    zh, en = answer_reading(a, m, base, L)
    R.p(zh, en)


def answer_reading(a: pd.DataFrame, m: dict, base: str, L) -> tuple[str, str]:
    """Two or three sentences: each variant's change in the main answer metric (高企 when
    it is one, else the first) at the last answer checkpoint with its 90% interval and
    its cost, the target whose probability it moves most, and what the intervals count."""
    last = sorted(a.checkpoint.unique(), key=q_index)[-1]
    metric = "hte" if "hte" in set(a.metric) else a.metric.iloc[0]
    zh, en = [], []
    first = a[(a.checkpoint == last) & (a.metric == metric)]
    for v, g in list(first.groupby("variant", sort=False))[:3]:
        r = g.iloc[0]
        name_zh, name_en = _metric_names(metric)
        dm = r.diff_mean
        verb_zh = "增加" if dm > 0 else "减少" if dm < 0 else "不变"
        verb_en = "raises" if dm > 0 else "lowers" if dm < 0 else "leaves"
        amount = fmt_value(metric, abs(dm), L) if np.isfinite(dm) else "–"
        lo_hi_zh = _interval(metric, r.diff_p05, r.diff_p95, L, " 至 ")
        lo_hi_en = _interval(metric, r.diff_p05, r.diff_p95, L, " to ")
        ob = r.obligations_change_wan
        ob_zh = ("" if not np.isfinite(ob) else
                 f"，承诺奖补{'增加' if ob > 0 else '减少' if ob < 0 else '不变'}"
                 f" {fmt_money(abs(ob), L)}")
        ob_en = ("" if not np.isfinite(ob) else
                 f", and {'raises' if ob > 0 else 'lowers' if ob < 0 else 'leaves'} "
                 f"obligations to date by {fmt_money(abs(ob), L)}")
        unsure = (np.isfinite(r.diff_p05) and np.isfinite(r.diff_p95)
                  and r.diff_p05 <= 0 <= r.diff_p95 and dm != 0)
        zh.append(f"与 {base} 相比，{v} 使 {last} 的{name_zh}{verb_zh}"
                  + ("" if dm == 0 else f" {amount}")
                  + f"（90% 区间 {lo_hi_zh}）{ob_zh}"
                  + ("；区间包含 0，方向不确定" if unsure else "") + "。")
        en.append(f"Against {base}, {v} {verb_en} {name_en} at {last}"
                  + (" unchanged" if dm == 0 else f" by {amount}")
                  + f" (90% interval {lo_hi_en}){ob_en}"
                  + ("; the interval includes 0, so even the direction is uncertain"
                     if unsure else "") + ".")
        t = a[(a.variant == v) & a.target.notna() & a.probability_change.notna()]
        if len(t):
            tr = t.loc[t.probability_change.abs().idxmax()]
            if round(100 * tr.probability_change) == 0:
                zh.append("各目标的达成概率不变。")
                en.append("No target's probability changes.")
            else:
                zh.append(f"变化最大的目标是 {tr.target}：达成概率从 "
                          f"{_pct_points(tr.probability_base)} 变为 "
                          f"{_pct_points(tr.probability_variant)}。")
                en.append(f"The target it moves most is {tr.target}: its probability goes "
                          f"from {_pct_points(tr.probability_base)} to "
                          f"{_pct_points(tr.probability_variant)}.")
    n = m.get("replicates")
    sampled = m.get("behaviour_sampled", m.get("sample_behaviour"))
    zh.append(f"区间与概率来自 {n} 次配对重复，计入"
              + ("运气和行为不确定性" if sampled else "运气（未计入行为不确定性）") + "。")
    en.append(f"Intervals and probabilities come from {n} paired replicates and count "
              + ("luck and behaviour uncertainty" if sampled
                 else "luck only (not behaviour uncertainty)") + ".")
    scale = float(m.get("population_scale") or 1.0)
    if scale < 1:
        zh.append(f"人口比例为 {scale:g}：以上数字是缩小后的世界的数字（目标门槛已按比例缩放），不是全省的。")
        en.append(f"At population scale {scale:g} these are the shrunk world's figures (target "
                  "thresholds scaled with it), not the province's.")
    return "".join(zh), " ".join(en)


def _metric_names(metric: str) -> tuple[str, str]:
    zh, en, _ = METRIC_LABELS.get(metric, (metric, metric, "count"))
    return zh, en


HEADLINE_METRICS = ["hte", "specialised", "gazelles", "revenue_wan", "employees"]


def headline_section(R: Page, m: dict, d: pd.DataFrame, base: str):
    """The headline effect of each variant against the base (variant − base, mean and 90%
    interval over paired replicates) on 高企, 专精特新, gazelles and revenue at each
    checkpoint, as the headline counts it, with the luck-only figure beside."""
    L = R.L
    R.h2("主要结果：方案与基准之差", "Headline: each variant against the base")
    d = d[d.metric.isin(HEADLINE_METRICS) & d.diff_p05.notna()]
    if d.empty:
        return
    sampled = m.get("behaviour_sampled", m.get("sample_behaviour"))
    zh, en = (("运气与行为不确定性", "luck and behaviour uncertainty") if sampled
              else ("只计运气", "luck only"))
    # the luck-only figures beside the headline, unless the headline is itself luck only
    # (the same numbers twice)
    beside = bool(sampled) and "luck_only_diff_mean" in d

    def cell(r, pre=""):
        mm = r.metric
        return (f"{fmt_value(mm, r[pre + 'diff_mean'], L)} [{fmt_value(mm, r[pre + 'diff_p05'], L)}"
                f", {fmt_value(mm, r[pre + 'diff_p95'], L)}]")

    rows = []
    for _, r in d.iterrows():
        row = {L.t("方案", "Variant"): r.variant,
               L.t("指标", "Metric"): metric_label(r.metric, L, fig=False),
               L.t("时点", "Checkpoint"): r.checkpoint,
               L.t(f"主要结果（{zh}）", f"Headline ({en})"): cell(r)}
        if beside:
            row[L.t("只计运气", "Luck only")] = cell(r, "luck_only_")
        rows.append(row)
    R.table(pd.DataFrame(rows), "headline",
            caption=(f"方案 − {base}：均值 [5%, 95%]（配对重复）",
                     f"variant − {base}: mean [5%, 95%] over paired replicates"))
    last = sorted(d.checkpoint.unique(), key=q_index)[-1]
    h = d[(d.metric == "hte") & (d.checkpoint == last)]
    if len(h):
        r = h.iloc[0]
        R.p(f"{r.variant} − {base}，{last} 高企：{cell(r)}（{zh}）"
            + (f"；只计运气：{cell(r, 'luck_only_')}" if beside else "") + "。",
            f"{r.variant} − {base}, 高企 at {last}: {cell(r)} (counting {en})"
            + (f"; luck only: {cell(r, 'luck_only_')}" if beside else "") + ".")


def uncertainty_note(R: Page, m: dict):
    """What the headline counts, what is beside it, and the replicates' standard error."""
    pk = str(m.get("probability_kind") or "")
    sampled = m.get("behaviour_sampled", m.get("sample_behaviour"))
    if pk.startswith("luck only") or not sampled:
        R.p("本次运行只计运气（随机性）（--luck-only）：每次重复使用情景设定的行为参数，未计入我们对企业行为认识的不确定性，因此可能偏于自信。",
            "This run counts luck only (--luck-only): every replicate uses the scenario's "
            "behaviour values, not what we do not know about behaviour, so its figures may "
            "be over-confident.", "warn")
    else:
        zh, en = uncertainty_text(m)
        R.p(zh + "旁边给出只计运气的数字：相同的重复、相同的随机种子，但使用情景设定的行为参数和输入值。",
            en + " Beside them: luck only, from the same replicates on the same seeds at the "
            "scenario's own behaviour and input values.")
    n = m.get("replicates")
    se = m.get("probability_se_max")
    rec = m.get("replicates_recommended")
    if n and se is not None:
        text = (f"每个概率后的 ± 为蒙特卡洛标准误 √(p(1−p)/n)；{n} 次重复时最大为 {100 * se:.1f} 个百分点。",
                f"± after each probability is its Monte Carlo standard error sqrt(p(1-p)/n): "
                f"at most {100 * se:.1f} points with {n} replicates.")
        if rec and n < rec:
            R.p(text[0] + f"本次重复次数少于默认的 {rec} 次（保证标准误不超过 3 个百分点），概率仅供参考。",
                text[1] + f" This run has fewer than the default {rec} replicates that keep "
                "it at most 3 points: read its probabilities as indicative.", "warn")
        else:
            R.p(*text)


def threshold_text(t: dict, L) -> str:
    """A target's threshold as the run evaluates it: scaled to the population scale
    (``threshold_scaled``) with the threshold as written and the scale beside it."""
    thr, ts = t["threshold"], t.get("threshold_scaled")
    text = f"{t['op']} {fmt_threshold(t['metric'], thr if ts is None else ts, L)}"
    if ts is not None and ts != thr:
        text += L.t(f"（{fmt_threshold(t['metric'], thr, L)} × 人口比例 "
                    f"{t['population_scale']:g}）",
                    f" ({fmt_threshold(t['metric'], thr, L)} × population scale "
                    f"{t['population_scale']:g})", " ")
    return text


def _pct(p, se) -> str:
    return "–" if p is None else (f"{100 * p:.0f}%" if se is None else
                                  f"{100 * p:.0f}% ± {100 * se:.0f}")


def targets_section(R: Page, m: dict, targets: list[dict], variants: list[str],
                    zones: list[dict]):
    L = R.L
    R.h2("目标达成概率", "Targets: probability of meeting them")
    uncertainty_note(R, m)
    if not targets:
        R.p("本次运行没有目标。", "This run has no targets.")
        return
    rows, raw = [], []
    pk = str(m.get("probability_kind") or "")
    sampled = (m.get("behaviour_sampled", m.get("sample_behaviour", True))
               and not pk.startswith("luck only"))
    for t in targets:
        zone = short_zone(zones, t["zone"], L, fig=False)
        p = t.get("probability")
        rng = ("–" if t.get("median") is None else
               f"{fmt_value(t['metric'], t['median'], L)} [{fmt_value(t['metric'], t['p05'], L)}"
               f", {fmt_value(t['metric'], t['p95'], L)}]")
        src = t.get("source")
        origin = (L.t("规划者设定（非已发布目标）", "planner (not a published goal)")
                  if src == "planner" else
                  L.t("未注明", "not stated") if not src else
                  L.t("已发布目标：", "published goal: ") + str(src).split(":", 1)[1].strip())
        not_eval = L.t("未评估（超出模拟期）", "not evaluated (after the calendar's end)")
        rows.append({
            L.t("方案", "Variant"): t.get("variant", variants[0]),
            L.t("目标", "Target"): t["id"],
            L.t("来源", "Source"): origin,
            L.t("指标", "Metric"): metric_label(t["metric"], L, fig=False),
            L.t("园区", "Zone"): zone,
            L.t("期限", "By"): t["by"],
            L.t("门槛", "Threshold"): threshold_text(t, L),
            (L.t("达成概率（运气与行为）", "Probability (luck and behaviour)") if sampled
             else L.t("达成概率（只计运气）", "Probability (luck only)")):
                not_eval if p is None else _pct(p, t.get("probability_se")),
            L.t("只计运气", "Luck only"):
                not_eval if p is None else _pct(t.get("probability_luck_only"),
                                                t.get("probability_luck_only_se")),
            L.t("中位数 [5%, 95%]", "Median [5%, 95%]"): rng})
        raw.append({k: t.get(k) for k in ("variant", "id", "source", "metric", "zone", "by",
                                          "op", "threshold", "threshold_scaled",
                                          "population_scale", "probability", "probability_se",
                                          "probability_luck_only", "probability_luck_only_se",
                                          "median", "p05", "p95")})
    R.table(pd.DataFrame(rows), "targets", csv=pd.DataFrame(raw),
            tooltips=zone_tooltips(zones, L))
    scaled = [t for t in targets if t.get("threshold_scaled") is not None
              and t["threshold_scaled"] != t["threshold"]]
    if scaled:
        sc = scaled[0].get("population_scale")
        ex = scaled[0]
        a, b = (fmt_threshold(ex["metric"], ex["threshold"], L),
                fmt_threshold(ex["metric"], ex["threshold_scaled"], L))
        R.p(f"人口比例为 {sc:g}：计数和金额目标的门槛按比例缩放后评估（例如 {ex['id']}：{ex['op']} "
            f"{a} × {sc:g} = {b}）；比例、占比和排名类目标不缩放。",
            f"Population scale {sc:g}: targets on counts and money are evaluated against "
            f"their threshold scaled by it (e.g. {ex['id']}: {ex['op']} {a} × {sc:g} = {b}); "
            "ratios, shares and ranks are not scaled.", "note")
    if any(t.get("source") == "planner" for t in targets):
        R.p("“规划者设定”的目标是示例或规划者自己的目标，不是已发布的目标，也不是由模型结果设定的。",
            "Targets marked planner are a planner's own (or examples), not published goals; "
            "none is set from the model's output.")
    ev = [t for t in targets if t.get("probability") is not None]
    if ev:
        best = max(ev, key=lambda t: t["probability"])
        worst = min(ev, key=lambda t: t["probability"])
        R.p(f"达成概率最高的是 {best['id']}（{best.get('variant', '')}，{_pct(best['probability'], best.get('probability_se'))}），"
            f"最低的是 {worst['id']}（{worst.get('variant', '')}，{_pct(worst['probability'], worst.get('probability_se'))}）。",
            f"Most likely: {best['id']} ({best.get('variant', '')}, "
            f"{_pct(best['probability'], best.get('probability_se'))}); least likely: "
            f"{worst['id']} ({worst.get('variant', '')}, "
            f"{_pct(worst['probability'], worst.get('probability_se'))}).")
