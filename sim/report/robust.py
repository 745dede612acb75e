"""The report of a robust folder (target probability and cost per lever setting,
regret, PRIM boxes), and the lines the command line prints after the study
(:func:`size`, :func:`headline`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.report.page import Page, read_csv, safe_name
from sim.report.sensitivity import fmt_table, report_head
from sim.report.style import COLORS, plt

COST = "cost_wan"  # the cost outcome's id in robust.csv (sim/studies/robust.py)


def headline(out: Path) -> list[str]:
    """Per setting: target probabilities, cost and regret of the first outcome."""
    rb = read_csv(out / "robust.csv")
    lines = []
    for s, g in rb.groupby("setting", sort=False):
        parts = []
        for _, r in g.iterrows():
            if r.quantity == "probability":
                parts.append(f"P({r.outcome[7:]})={r.value:.2f}")
            elif r.outcome == COST:
                parts.append(f"cost {r.value:,.0f} 万元")
            else:
                parts.append(f"{r.outcome} regret mean {r.regret_mean:.3g} max {r.regret_max:.3g}")
        lines.append(f"{s}: " + "; ".join(parts))
    return lines




def size(m: dict) -> str:
    """What was run, in a few words."""
    return (f"{len(m['settings'])} setting(s) x {m['worlds']} world(s) x {m['replicates']} "
            "replicate(s)")


def robust_report(R: Page, m: dict) -> str:
    """The robust report's sections, from the folder's robust.csv, prim.csv, worlds.csv
    and regret.csv; returns the title."""
    L, out = R.L, R.out
    title = report_head(R, m, ("稳健政策组合报告", "Robust levers report"), "robust.csv", [
        (("政策组合", "Lever settings"), ", ".join(m.get("settings", {}))),
        (("不确定参数", "Uncertain parameters"), ", ".join(m.get("uncertain", []))),
        (("抽样世界数", "Sampled worlds"), str(m.get("worlds"))),
        (("每个世界重复次数", "Replicates per world"), str(m.get("replicates")))])
    rb, pr = read_csv(out / "robust.csv"), read_csv(out / "prim.csv")
    worlds = read_csv(out / "worlds.csv")
    R.p("每个政策组合在同一组抽样世界（行为参数取值）和同一组随机种子上运行；目标阈值已按人口比例缩放；成本为整个模拟期内支付的奖补（万元）。",
        "Every setting runs in the same sampled worlds (behaviour values) on the same seeds; "
        "target thresholds are scaled by population.scale; cost is the awards paid over the "
        "whole calendar (万元). Regret: in each world, how far a setting falls short of the "
        "best setting in that world.")
    order = list(dict.fromkeys(rb.setting))
    probs = rb[rb.quantity == "probability"]
    cost = rb[rb.outcome == COST].set_index("setting")["value"]
    if not probs.empty:
        R.h2("达标概率与成本", "Probability of meeting targets and cost")
        tids = list(dict.fromkeys(probs.outcome))
        fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(order) * max(1, len(tids) / 2) + 1.5))
        h = 0.8 / len(tids)
        for i, t in enumerate(tids):
            v = probs[probs.outcome == t].set_index("setting").reindex(order)["value"]
            ax.barh(np.arange(len(order)) + i * h, v * 100, h, label=t[7:],
                    color=COLORS[i % len(COLORS)])
        ax.set_yticks(np.arange(len(order)) + 0.4 - h / 2)
        ax.set_yticklabels(order, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(L.f("达标概率 (%)", "probability of meeting the target (%)"))
        ax.legend(fontsize=7)
        fig.tight_layout()
        # the target the settings differ most on (a target every setting always meets,
        # or never, says nothing about the levers)
        key = max(tids, key=lambda t: (np.ptp(probs[probs.outcome == t]["value"]),
                                       -tids.index(t)))
        first = probs[probs.outcome == key].set_index("setting")["value"]
        R.figure(fig, "target_probability",
                 (f"目标 {key[7:]}：达标概率最高的是 {first.idxmax()}（{first.max():.0%}）。",
                  f"Target {key[7:]}: the setting most likely to meet it is "
                  f"{first.idxmax()} ({first.max():.0%})."))
        if not cost.empty:
            fig, ax = plt.subplots(figsize=(6.5, 4))
            x = cost.reindex(order) / 1e4
            ax.scatter(x, first.reindex(order) * 100, color=COLORS[0], zorder=3)
            mid = (np.nanmin(x) + np.nanmax(x)) / 2
            for names in nearby(order, x, first * 100):  # one label per crowded spot
                right = x[names[0]] > mid  # labels point inwards, away from the frame
                ax.annotate(", ".join(names), (x[names[0]], first[names[0]] * 100),
                            fontsize=7, xytext=(-4 if right else 4, 3),
                            textcoords="offset points", ha="right" if right else "left")
            ax.set_xlabel(L.f("成本（亿元，整个模拟期）", "cost (亿元, whole calendar)"))
            ax.set_ylabel(L.f(f"{key[7:]} 达标概率 (%)", f"P({key[7:]}) (%)"))
            fig.tight_layout()
            cheap = min(order, key=lambda n: (-round(first[n], 2), cost.get(n, 0.0)))
            R.figure(fig, "probability_vs_cost",
                     (f"{key[7:]} 达标概率最高的组合中最便宜的是 {cheap}。",
                      f"Of the settings most likely to meet {key[7:]}, the cheapest is "
                      f"{cheap}."))
        tab = probs.pivot(index="setting", columns="outcome", values="value").reindex(order)
        tab.columns = [f"P({c[7:]})" for c in tab.columns]
        tab[L.t("成本（万元）", "cost (万元)")] = cost.reindex(order)
        tab = tab.reset_index()
        R.table(fmt_table(tab, [c for c in tab.columns if c != "setting"]), "probability_cost",
                caption=("各政策组合的达标概率与成本", "Probability of each target and cost"),
                csv=tab)
    R.h2("后悔值", "Regret")
    reg = rb[["setting", "outcome", "sense", "value", "regret_mean", "regret_p90",
              "regret_max", "best_share"]]
    R.table(fmt_table(reg, ["value", "regret_mean", "regret_p90", "regret_max", "best_share"]),
            "regret_summary", caption=("后悔值（相对每个世界中最好的组合）",
                                       "Regret against the best setting in each world"),
            csv=reg)
    R.h2("情景发现（PRIM）", "Scenario discovery (PRIM)")
    R.p("PRIM 框出某组合未达标的世界集中在哪些参数区间：覆盖率 = 框内未达标占全部未达标的比例，密度 = 框内未达标的比例。",
        "PRIM boxes the region of the uncertain parameters where a setting misses a target: "
        "coverage = share of all misses inside the box, density = share of the box's worlds "
        "that miss.")
    if not pr.empty:
        R.table(fmt_table(pr, [c for c in ("failure_rate", "coverage", "density", "mass", "low",
                                      "high") if c in pr]), "prim",
                caption=("未达标的条件", "Conditions under which a setting misses a target"),
                csv=pr)
        boxed = pr.dropna(subset=["parameter"]) if "parameter" in pr else pr.iloc[0:0]
        if not boxed.empty:  # the first setting's box for each target it misses
            rg = read_csv(out / "regret.csv")
            s = boxed.iloc[0]["setting"]
            for t in dict.fromkeys(boxed[boxed.setting == s].target):
                prim_figure(R, L, worlds, rg, boxed[(boxed.setting == s)
                                                          & (boxed.target == t)], s, t)
    return title


def prim_figure(R: Page, L, worlds: pd.DataFrame, rg: pd.DataFrame, b: pd.DataFrame,
                 s: str, t: str) -> None:
    """Worlds on the box's first two parameters, coloured by the share of replicates of
    setting ``s`` missing target ``t``, with the PRIM box ``b`` drawn on them."""
    ps = list(b.parameter)[:2]
    if len(ps) == 1:
        ps.append(next(c for c in worlds.columns if c not in ("world", ps[0])))
    miss = 1 - rg[(rg.setting == s) & (rg.outcome == t)].set_index("world")["value"]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    sc = ax.scatter(worlds[ps[0]], worlds[ps[1]], c=miss.reindex(worlds.world),
                    cmap="RdYlGn_r", vmin=0, vmax=1, s=22, edgecolor="#555", lw=0.3)
    lo = [b.set_index("parameter")["low"].get(p, worlds[p].min()) for p in ps]
    hi = [b.set_index("parameter")["high"].get(p, worlds[p].max()) for p in ps]
    ax.add_patch(plt.Rectangle((lo[0], lo[1]), hi[0] - lo[0], hi[1] - lo[1],
                               fill=False, ec="#222", lw=1.5, ls="--"))
    ax.set_xlabel(ps[0])
    ax.set_ylabel(ps[1])
    fig.colorbar(sc, ax=ax, label=L.f("未达标比例", "share missing"))
    ax.set_title(f"{s} — {t[7:]}")
    fig.tight_layout()
    r0 = b.iloc[0]
    R.figure(fig, f"prim_{safe_name(s)}_{safe_name(t)}",
             (f"{s} 在框内的世界中未达标 {t[7:]} 的比例为 {r0.density:.0%}，框内包含全部未达标的"
              f" {r0.coverage:.0%}。",
              f"{s} misses {t[7:]} in {r0.density:.0%} of the worlds in the box, which "
              f"holds {r0.coverage:.0%} of all misses."))


def nearby(names: list[str], x: pd.Series, y: pd.Series, frac: float = 0.03):
    """Group ``names`` whose points lie within ``frac`` of the axes' spans of the first
    point of a group (in ``names``' order), so that settings at almost the same spot of a
    scatter plot share one label instead of printing over each other."""
    span_x = max(float(np.ptp(x.reindex(names))), 1e-12)
    span_y = max(float(np.ptp(y.reindex(names))), 1e-12)
    groups: list[list[str]] = []
    for n in names:
        for g in groups:
            if (abs(x[n] - x[g[0]]) <= frac * span_x
                    and abs(y[n] - y[g[0]]) <= frac * span_y):
                g.append(n)
                break
        else:
            groups.append([n])
    return groups
