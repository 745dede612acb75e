"""The report of a sensitivity folder (Morris screening, Sobol indices), and the lines
the command line prints after the study (:func:`size`, :func:`headline`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import left_out_driver
from sim.report.lang import ReportError, fmt_threshold
from sim.report.page import Page, read_csv, read_json, safe_name
from sim.report.style import plt


def size(m: dict) -> str:
    """What was run, in a few words."""
    return (f"{len(m['parameters'])} parameter(s), Morris {m['morris_points']} point(s), "
            f"Sobol {m['sobol_points']} point(s) x {m['replicates']} replicate(s)")


def report_head(R: Page, m: dict, what: tuple[str, str], needs: str, info: list) -> str:
    """Title, check that the study finished, and the table of what was run."""
    L, out = R.L, R.out
    if not (out / needs).exists():
        raise ReportError(f"{out}: no {needs} (the {m.get('command')} run did not finish?)")
    R.h2("运行概况", "What was run")
    rows = [(L.t("基准情景", "Base scenario"), str(m.get("base"))),
            (L.t("人口比例", "Population scale"), str(m.get("population_scale")))]
    rows += [(L.t(*k), v) for k, v in info]
    rows += [(L.t("随机种子", "Seed"), str(m.get("seed"))),
             (L.t("状态", "Status"), str(m.get("status")))]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    target_sources(R)
    return L.t(f"{what[0]}：{m.get('study')}", f"{what[1]}: {m.get('study')}", " — ")


def target_sources(R: Page) -> None:
    """The base's targets the study evaluates, each with where it comes from (a
    published goal, or the planner's), from the folder's outcomes.json."""
    L, path = R.L, R.out / "outcomes.json"
    if not path.exists():
        return
    tg = [o for o in read_json(path) if str(o.get("id", "")).startswith("target:")]
    if not tg:
        return
    rows = []
    for o in tg:
        src = o.get("source")
        rows.append({L.t("目标", "Target"): o["id"][len("target:"):],
                     L.t("来源", "Source"): (L.t("规划者设定（非已发布目标）",
                                                "planner (not a published goal)")
                                           if src == "planner" else str(src or "–")),
                     L.t("门槛（已缩放）", "Threshold (scaled)"): f"{o.get('op', '>=')} "
                     + fmt_threshold(o.get("metric", ""), o.get("threshold"), L)})
    R.table(pd.DataFrame(rows), "target_sources",
            caption=("评估的目标及其来源", "Targets evaluated and where they come from"))


def sensitivity_report(R: Page, m: dict) -> str:
    """The sensitivity report's sections, from the folder's morris.csv, sobol.csv and
    sensitivity.csv; returns the title."""
    L, out = R.L, R.out
    title = report_head(R, m, ("敏感性分析报告", "Sensitivity report"), "morris.csv", [
        (("研究的行为参数", "Behaviour parameters studied"), str(len(m.get("parameters", [])))),
        (("Morris 点数", "Morris points"), str(m.get("morris_points"))),
        (("Sobol 参数", "Sobol parameters"), ", ".join(m.get("sobol_parameters") or [])),
        (("Sobol 点数", "Sobol points"), str(m.get("sobol_points"))),
        (("每点重复次数", "Replicates per point"), str(m.get("replicates")))])
    mt = read_csv(out / "morris.csv")
    st = read_csv(out / "sobol.csv")
    if "outcome" not in mt:
        R.p("没有 Morris 结果：有运行失败，见 manifest.json。", "No Morris results: some runs "
            "failed (see manifest.json); fix them and continue with --resume.", "warn")
        return title
    R.h2("要点：各结果最重要的三个参数", "Headline: the three parameters that matter most")
    top = read_csv(out / "sensitivity.csv")
    top = top[top.morris_rank <= 3]
    R.table(fmt_table(top, [c for c in ("mu_star", "mu_star_conf", "sigma", "mu_star_relative", "S1",
                                   "S1_conf", "ST", "ST_conf")
                       if c in top]).fillna(""), "headline",
            caption=("Morris μ*（±95% 区间）及 Sobol 指数", "Morris mu* (± 95% interval) and "
                     "Sobol indices"), csv=top)
    R.p("每个点用相同的重复种子（共同随机数）并取均值；目标的值为达标重复的比例，阈值已按人口比例缩放。",
        f"Every point runs the same replicate seeds (common random numbers) and is averaged; "
        f"a target's value is the share of replicates meeting it, its threshold scaled by "
        f"population.scale ({m.get('population_scale')}). Intervals are bootstrap 95%.")
    R.h2("Morris 筛选", "Morris screening")
    R.p("μ* 为参数在其合理范围内变动时结果的平均绝对变化（结果的单位）；σ 大说明存在交互或非线性。",
        "mu* is the mean absolute change of the outcome when the parameter moves across its "
        "plausible range (in the outcome's units); a large sigma means interactions or "
        "non-linearity.")
    for o, g in mt.groupby("outcome", sort=False):
        g = g.sort_values("mu_star", ascending=False).head(15)
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(g) + 1.2))
        ax.barh(g["parameter"][::-1], g["mu_star"][::-1], xerr=g["mu_star_conf"][::-1],
                color="#2a6f97", ecolor="#888", capsize=2)
        ax.set_xlabel("mu*" + L.f("（结果单位）", " (outcome units)"))
        ax.set_title(f"{o} — Morris mu* " + L.f("前 15", "top 15"))
        fig.tight_layout()
        top = g.iloc[0]
        R.figure(fig, f"morris_{safe_name(o)}",
                 (f"{o}：影响最大的参数是 {top.parameter}（μ* = {top.mu_star:.3g} ± "
                  f"{top.mu_star_conf:.2g}）。",
                  f"{o}: the parameter that matters most is {top.parameter} (mu* = "
                  f"{top.mu_star:.3g} ± {top.mu_star_conf:.2g})."))
    show = mt[mt["rank"] <= 10].copy()
    R.table(fmt_table(show, ["mu", "mu_star", "mu_star_conf", "sigma", "mu_star_relative"]),
            "morris_top", caption=("各结果前 10 个参数（Morris）", "Top 10 parameters per outcome "
                                   "(Morris)"), csv=mt)
    if not st.empty:
        R.h2("Sobol 指数", "Sobol indices")
        R.p("S1：该参数单独解释的结果方差比例；ST：包括与其他参数交互在内的总比例。误差线为 95% 区间。",
            "S1: share of the outcome's variance the parameter explains alone; ST: including "
            "its interactions with the others. Bars show 95% intervals.")
        aside = []
        for o, g in st.groupby("outcome", sort=False):
            if g["S1"].isna().all():
                continue
            top = left_out_driver(mt, list(g["parameter"]), o)
            if top:
                aside.append(f"{o} ({top})")
                continue
            fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(g) + 1.2))
            y = np.arange(len(g))
            ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], label="S1", color="#2a6f97",
                    ecolor="#888", capsize=2)
            ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], label="ST", color="#e07a5f",
                    ecolor="#888", capsize=2)
            ax.set_yticks(y)
            ax.set_yticklabels(g["parameter"])
            ax.invert_yaxis()
            ax.legend(fontsize=8)
            ax.set_title(f"{o} — Sobol")
            fig.tight_layout()
            top = g.loc[g["ST"].idxmax()]
            R.figure(fig, f"sobol_{safe_name(o)}",
                     (f"{o}：总效应最大的是 {top.parameter}（ST = {top.ST:.2f} ± {top.ST_conf:.2f}）。",
                      f"{o}: largest total effect {top.parameter} (ST = {top.ST:.2f} ± "
                      f"{top.ST_conf:.2f})."))
        if aside:
            R.p("以下结果的主要驱动参数不在 Sobol 参数之中，其指数只分摊所选参数造成的少量方差，故不作图："
                + "；".join(aside) + "。可在 sobol.parameters 中列出这些参数后重跑。",
                "Not drawn: for these outcomes Morris's top parameter is not among the Sobol "
                "parameters, so their indices share out only the little variance the chosen "
                "ones make: " + "; ".join(aside) + ". List those parameters under "
                "sobol.parameters to apportion it.", "warn")
        R.table(fmt_table(st, ["S1", "S1_conf", "ST", "ST_conf"]).fillna(""), "sobol",
                caption=("Sobol 指数", "Sobol indices"), csv=st)
    return title


def fmt_table(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``df`` with columns ``cols`` as text of 3 significant digits (blank for NaN)."""
    df = df.copy()
    for c in cols:
        df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return df


def headline(out: Path) -> list[str]:
    """A few lines for the terminal: per outcome, the top three parameters."""
    summ = read_csv(out / "sensitivity.csv")
    lines = []
    for o, g in summ.groupby("outcome", sort=False):
        g = g.sort_values("morris_rank").head(3)
        parts = []
        for _, r in g.iterrows():
            s = f"{r.parameter} mu*={r.mu_star:.3g}±{r.mu_star_conf:.2g}"
            if "ST" in r and pd.notna(r.ST):
                s += f" S1={r.S1:.2f}±{r.S1_conf:.2f} ST={r.ST:.2f}±{r.ST_conf:.2f}"
            parts.append(s)
        lines.append(f"{o}: " + "; ".join(parts))
    return lines
