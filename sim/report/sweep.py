"""The report of a sweep folder: what was run, the points, response curves per outcome
and heat maps of target probability over two levers."""

from __future__ import annotations

import pandas as pd

from sim.analysis.summaries import responses
from sim.report.figures import heat_map
from sim.report.lang import (METRIC_LABELS, Lang, ReportError, count_unit, fmt_value,
                             money_scale, uncertainty_text)
from sim.report.page import Page, read_csv, safe_name
from sim.report.style import COLORS, plt


def _setting(row, levers: list[str]) -> str:
    """A point's lever values, e.g. ``cap_wan=500, referrer_share=0.4``."""
    return ", ".join(f"{k.split('.')[-1]}={row[k]:g}" if isinstance(row[k], (int, float))
                     else f"{k.split('.')[-1]}={row[k]}" for k in levers)


def response_reading(s: pd.DataFrame, levers: list[str], o: str, metric: str
                     ) -> tuple[str, str]:
    """One outcome's reading: the points with the lowest and the highest median, each
    named by all its lever values (two points of a grid may share the first lever's
    value), or that it does not move."""
    zh_, en_ = Lang(("zh",)), Lang(("en",))
    lo, hi = s.loc[s["0.5"].idxmin()], s.loc[s["0.5"].idxmax()]
    if lo["0.5"] == hi["0.5"]:
        return (f"{o} 的中位数在各点均为 {fmt_value(metric, lo['0.5'], zh_)}。",
                f"Median {o} is {fmt_value(metric, lo['0.5'], en_)} at every point.")
    a, b = _setting(lo, levers), _setting(hi, levers)
    return (f"{o} 的中位数在 {fmt_value(metric, lo['0.5'], zh_)}（{a}）"
            f"到 {fmt_value(metric, hi['0.5'], zh_)}（{b}）之间。",
            f"Median {o} ranges from {fmt_value(metric, lo['0.5'], en_)} ({a}) to "
            f"{fmt_value(metric, hi['0.5'], en_)} ({b}).")


def sweep_report(R: Page, m: dict) -> str:
    L, out = R.L, R.out
    sw = m.get("sweep") if isinstance(m.get("sweep"), dict) else {"name": m.get("sweep")}
    name = sw.get("name", out.name)
    title = L.t(f"参数扫描报告：{name}", f"Sweep report: {name}", " — ")
    ptp = out / "points.csv"
    if not ptp.exists():
        raise ReportError(f"{out}: no points.csv (the sweep did not finish?)")
    points = pd.read_csv(ptp, encoding="utf-8-sig")
    levers = [c for c in points.columns if c != "point"]
    R.h2("运行概况", "What was run")
    rows = [
        (L.t("命令", "Command"), L.t("参数扫描", "sweep")),
        (L.t("扫描", "Sweep"), str(name)),
        (L.t("基准情景", "Base scenario"), str(m.get("base"))),
        (L.t("政策参数", "Levers"), ", ".join(levers)),
        (L.t("点数", "Points"), str(m.get("points"))),
        (L.t("每点重复次数", "Replicates per point"), str(m.get("replicates"))),
        (L.t("随机种子", "Seed"), str(m.get("seed"))),
        (L.t("人口比例", "Population scale"), str(m.get("population_scale") or (
            sw.get("set") or {}).get("population.scale", "1 (base)"))),
        (L.t("版本", "Versions"), ", ".join(f"{k} {v}" for k, v in
                                           (m.get("versions") or {}).items())),
        (L.t("开始时间", "Started"), str(m.get("started"))),
        (L.t("状态", "Status"), str(m.get("status"))),
    ]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    R.table(points, "points", caption=("扫描点", "Points"))
    R.p(*uncertainty_text(m))
    oc_path = out / "outcomes.parquet"
    oc = pd.read_parquet(oc_path) if oc_path.exists() else pd.DataFrame()
    probs_path = out / "probabilities.csv"
    probs = read_csv(probs_path)
    if not oc.empty:
        R.h2("响应曲线", "Responses")
        x0 = levers[0]
        x1 = levers[1] if len(levers) > 1 else None
        summ = responses(oc, points)
        R.csv(summ, "responses")
        for o in sorted(oc.outcome.unique()):
            s = summ[summ.outcome == o].sort_values(x0)
            metric = str(oc[oc.outcome == o]["metric"].iloc[0]) if "metric" in oc else o
            kind = METRIC_LABELS.get(metric, ("", "", "count"))[2]
            div, (uzh, uen) = 1.0, count_unit(metric)
            if metric.endswith("_wan") or kind == "money":
                div, uzh, uen = money_scale(float(s["0.5"].abs().max()))
            elif kind == "ratio":
                div, uzh, uen = 0.01, "%", "%"
            fig, ax = plt.subplots(figsize=(7.5, 3.4))
            grid = x1 is not None and s[x1].nunique() <= 8
            if grid:
                for i, (v1, g) in enumerate(s.groupby(x1)):
                    ax.plot(g[x0], g["0.5"] / div, marker="o", color=COLORS[i % 7],
                            label=f"{x1.split('.')[-1]} = {v1:g}")
                    ax.fill_between(g[x0], g["0.05"] / div, g["0.95"] / div,
                                    color=COLORS[i % 7], alpha=0.12, lw=0)
                ax.legend(fontsize=7)
            else:
                ax.errorbar(s[x0], s["0.5"] / div, yerr=[(s["0.5"] - s["0.05"]) / div,
                                                         (s["0.95"] - s["0.5"]) / div],
                            fmt="o", color=COLORS[0], ecolor="#aaa", capsize=2)
            ax.set_xlabel(x0)
            ax.set_ylabel(L.f(uzh, uen))
            ax.set_title(f"{o} — " + L.f("中位数与 90% 区间", "median and 90% interval"))
            fig.tight_layout()
            R.figure(fig, f"response_{safe_name(o)}", response_reading(s, levers, o, metric))
    R.h2("目标概率热图", "Heat map of target probability")
    if len(levers) < 2:
        R.p("只有一个政策参数，没有热图。", "One lever only: no heat map.")
    elif not probs.empty:
        x0, x1 = levers[0], levers[1]
        for tid, g in probs.groupby("target", sort=False):
            heat_map(R, g, x0, x1, "probability", f"heat_{safe_name(tid)}",
                  (f"目标 {tid} 的达成概率", f"Probability of target {tid}"), True)
        R.table(probs, "probabilities", caption=("各点目标概率", "Target probability per point"))
    elif not oc.empty:
        mean = oc.groupby(["point", "outcome"])["value"].mean().rename("value").reset_index() \
            .merge(points, on="point")
        for o, g in mean.groupby("outcome"):
            heat_map(R, g, x0, x1, "value", f"heat_{safe_name(o)}", (f"{o} 的均值",
                                                             f"Mean of {o}"), False)
    return title

