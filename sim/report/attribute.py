"""The report of an attribution folder (``hitech-sim attribute``): what each group of
levers adds to the plan's effect, by Shapley values with 90% intervals over replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.report.lang import METRIC_LABELS, ReportError, money_scale
from sim.report.page import Page, read_csv
from sim.report.style import COLORS, plt


def _split(outcome: str) -> tuple[str, str]:
    metric, _, quarter = outcome.partition("@")
    return metric, quarter


def attribution_report(R: Page, m: dict) -> str:
    """Sections from the folder's attribution.csv; returns the title."""
    L, out = R.L, R.out
    if not (out / "attribution.csv").exists():
        raise ReportError(f"{out}: no attribution.csv (the attribute run did not finish?)")
    t = read_csv(out / "attribution.csv")
    names = {g["id"]: L.t(g["name_zh"], g["name_en"]) for g in m.get("groups", [])}
    names["total"] = L.t("合计（方案效应）", "Total (the plan's effect)")
    fig_names = {g["id"]: L.f(g["name_zh"], g["name_en"]) for g in m.get("groups", [])}
    fig_names["total"] = L.f("合计（方案效应）", "Total (the plan's effect)")
    R.h2("运行概况", "What was run")
    rows = [(L.t("情景", "Scenario"), str(m.get("scenario"))),
            (L.t("反事实", "Counterfactual"), str(m.get("counterfactual"))),
            (L.t("人口比例", "Population scale"), str(m.get("population_scale"))),
            (L.t("组合数", "Coalitions"), str(m.get("coalitions"))),
            (L.t("每个组合重复次数", "Replicates per coalition"), str(m.get("replicates"))),
            (L.t("随机种子", "Seed"), str(m.get("seed"))),
            (L.t("状态", "Status"), str(m.get("status")))]
    R.table(pd.DataFrame(rows, columns=[L.t("项目", "Item"), L.t("值", "Value")]), "run_info")
    groups = pd.DataFrame([{L.t("组", "Group"): names.get(g["id"], g["id"]),
                            L.t("杠杆", "Levers"): ", ".join(g["levers"])}
                           for g in m.get("groups", [])])
    R.table(groups, "groups", (("杠杆分组", "Groups of levers")))
    R.p("每个组合（部分杠杆组按方案取值、其余按反事实取值）在同一组随机种子上运行。Shapley 值为各组在所有开启顺序中平均增加的效应，各组之和等于方案总效应；区间为各重复的 5%–95%。",
        "Every coalition (some groups of levers as in the plan, the others as in the "
        "counterfactual) runs on the same seeds. A group's Shapley value is what switching "
        "it on adds, averaged over every order of switching the groups on; the values add "
        "up to the plan's effect, and interactions are shared out. Intervals: 5%–95% over "
        "replicates.", "note")
    for outcome in dict.fromkeys(t.outcome):
        metric, quarter = _split(outcome)
        g = t[t.outcome == outcome].reset_index(drop=True)
        zh, en, kind = METRIC_LABELS.get(metric, (metric, metric, "count"))
        R.h2(f"{zh}，{quarter}", f"{en}, {quarter}")
        div, uzh, uen = (money_scale(float(g[["p05", "p95"]].abs().max().max()))
                         if kind == "money" else (1.0, "", ""))
        g = g.assign(**{c: g[c] / div for c in ("mean", "p05", "p95")})
        zh, en = (f"{zh}（{uzh}）", f"{en} ({uen})") if uzh else (zh, en)
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(g) + 1.2))
        y = np.arange(len(g))
        palette = [c for c in COLORS if c != "#4d4d4d"]  # grey is kept for the total
        colors = [palette[i % len(palette)] if grp != "total" else "#4d4d4d"
                  for i, grp in enumerate(g.group)]
        ax.barh(y, g["mean"], color=colors, height=0.6)
        ax.errorbar(g["mean"], y, xerr=[g["mean"] - g["p05"], g["p95"] - g["mean"]],
                    fmt="none", ecolor="black", capsize=3, lw=1)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([fig_names.get(x, x) for x in g.group], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(L.f(f"对{zh}的贡献（{quarter}）", f"contribution to {en} at {quarter}"))
        fig.tight_layout()
        tot = g[g.group == "total"].iloc[0]
        parts = g[g.group != "total"].sort_values("mean", ascending=False)
        top = parts.iloc[0] if len(parts) else None
        d = ".1f" if uzh else ",.0f"
        grp = {x["id"]: (x["name_zh"], x["name_en"]) for x in m.get("groups", [])}
        top_zh, top_en = grp.get(top.group, (top.group, top.group)) if top is not None \
            else ("—", "—")
        top_val = format(top["mean"], "+" + d) if top is not None else ""
        sp = " " if uen else ""
        reading = (
            f"方案效应 {tot['mean']:+{d}}{uzh}（{tot.p05:+{d}} 至 {tot.p95:+{d}}）；最大贡献："
            f"{top_zh}（{top_val}{uzh}）。",
            f"The plan's effect {tot['mean']:+{d}}{sp}{uen} [{tot.p05:+{d}}, {tot.p95:+{d}}]; "
            f"the largest share: {top_en} ({top_val}{sp}{uen}).")
        R.figure(fig, f"attribution_{metric}_{quarter}", reading)
    show = t.assign(group=[names.get(x, x) for x in t.group])
    R.table(show.round({"mean": 2, "p05": 2, "p95": 2, "share": 3}), "attribution",
            (("各组的 Shapley 值（均值与 90% 区间）", "Shapley value of each group (mean and "
              "90% interval)")), csv=t, max_rows=200)
    return L.t(f"方案效应归因：{m.get('scenario')} 对 {m.get('counterfactual')}",
               f"Attribution: {m.get('scenario')} over {m.get('counterfactual')}", " — ")


def headline(table: pd.DataFrame, outcome: str) -> list[str]:
    """Lines for the command line: each group's share of one outcome's effect."""
    t = table[table.outcome == outcome]
    lines = []
    for r in t.itertuples():
        share = "" if r.group == "total" or pd.isna(r.share) else f" ({r.share:.0%})"
        lines.append(f"{r.group}: {r.mean:+,.1f} [{r.p05:+,.1f}, {r.p95:+,.1f}]{share}")
    return lines
