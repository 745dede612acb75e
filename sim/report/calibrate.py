"""The report of a calibration folder (``hitech-sim calibrate``): method, fitted
parameters, moments fitted against their published targets, and the objective's trace,
from the folder's calibration.json, parameters.csv, moments.csv and trace.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import (backtest_summary, backtest_table, moment_bands,
                                      parameter_widths)
from sim.report.lang import Lang, ReportError
from sim.report.page import Page, keep_figures, read_json
from sim.report.style import plt, rc_style


def write_calibration_report(out: Path, lang=("zh", "en")) -> Path:
    """Write ``out/report.html`` (and figures/, tables/) of a calibration folder; return
    its path."""
    out = Path(out)
    need = ("calibration.json", "parameters.csv", "moments.csv", "trace.csv")
    missing = [f for f in need if not (out / f).exists()]
    if missing:
        raise ReportError(f"{out}: no {', '.join(missing)} (valid: a folder written by "
                          "hitech-sim calibrate)")
    result = read_json(out / "calibration.json")
    par = pd.read_csv(out / "parameters.csv")
    mom = pd.read_csv(out / "moments.csv")
    tr = pd.read_csv(out / "trace.csv")
    L = Lang(lang)
    R = Page(out, L)
    with plt.rc_context(rc_style(L)):
        R.h2("方法", "Method")
        R.p(f"历史情景 {result['scenario']}，规模 {result['population_scale']}，每点 "
            f"{result['replicates']} 次重复（共同随机数）。",
            f"Historical scenario {result['scenario']} at population.scale "
            f"{result['population_scale']}, {result['replicates']} replicates per point "
            f"(common random numbers). {result['method']}.")
        o = result["objective"]
        R.p(f"目标函数：默认值 {o['at_default']:.2f}，最优 {o['at_optimum']:.2f}（{o['evaluations']} 次评估，"
            f"{o['moments']} 个矩，{o['parameters']} 个参数）。",
            f"Objective: {o['at_default']:.2f} at the defaults, {o['at_optimum']:.2f} at the "
            f"optimum ({o['evaluations']} evaluations, {o['moments']} moments, "
            f"{o['parameters']} parameters); {result['seconds']} s.")
        R.h2("拟合参数", "Fitted parameters")
        R.table(par, "parameters", ("拟合值与 90% 区间", "Fitted values and 90% intervals"))
        R.h2("矩：拟合与目标", "Moments: fitted vs target")
        R.table(mom, "moments", ("已发布数据与模拟均值", "Published targets and simulated means"))
        draw_moments(R, mom)
        if result.get("holdout"):
            draw_backtest(R, result)
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.plot(tr["evaluation"], tr["objective"], ".-", color="#2a6f97")
        ax.set_yscale("log")
        ax.set_xlabel(L.f("评估次数", "evaluation"))
        ax.set_ylabel(L.f("目标函数 J", "objective J"))
        R.figure(fig, "calibration_trace", (
            f"目标函数从 {o['at_default']:.2f} 降到 {o['at_optimum']:.2f}。",
            f"The objective fell from {o['at_default']:.2f} to {o['at_optimum']:.2f}."))
    return R.write(L.t(f"校准：{result['name']}", f"Calibration: {result['name']}"))


def moments_figure(mom: pd.DataFrame, lang=("en",)):
    """Published targets (90% band), simulated values at the defaults and at the fit
    (±1 sd over replicates), one row per moment, as a matplotlib figure; ``mom``: the
    moments table (:func:`sim.analysis.calibration.moments_table`, or moments.csv).
    :func:`sim.api.moments_figure` draws it from a calibration result."""
    return keep_figures(lambda R: draw_moments(R, mom), lang)[0]


def draw_moments(R: Page, mom: pd.DataFrame) -> None:
    """The moments figure onto page ``R``."""
    L = R.L
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(mom) + 1.5))
    y = np.arange(len(mom))
    ax.errorbar(mom["target"], y, xerr=1.645 * mom["se"], fmt="s", color="k",
                label=L.f("目标 (90%)", "target (90%)"))
    ax.plot(mom["at_default"], y, "o", mfc="none", color="#999",
            label=L.f("默认参数", "defaults"))
    ax.errorbar(mom["fitted"], y + 0.15, xerr=mom["replicate_sd"], fmt="o",
                color="#2a6f97", label=L.f("拟合 (±1 sd)", "fitted (±1 sd)"))
    ax.set_yticks(y, mom["id"])
    ax.set_xlabel(L.f("取值（增长率或比例）", "value (growth rate or share)"))
    ax.legend(loc="best", fontsize=8)
    worst = mom.iloc[int(np.argmax(np.abs(mom["z"])))]
    R.figure(fig, "calibration_moments", (
        f"拟合最差的矩：{worst['id']}（z = {worst['z']:.1f}）。",
        f"Worst-fitted moment: {worst['id']} (z = {worst['z']:.1f})."))


def draw_backtest(R: Page, result: dict) -> None:
    """The section "Backtest (out of sample)" of a calibration result with held-out
    moments onto page ``R``: what was fitted and held out, the held-out points' errors
    (all points and by zone), the parameters' prior and fitted widths, and a figure of
    the simulated bands (5%-95% over replicates at the fitted values) against the
    published points, fitted and held out."""
    L = R.L
    t = backtest_table(result)
    summ = backtest_summary(result)
    R.h2("回测（样本外）", "Backtest (out of sample)")
    fitted = [m["id"] for m in result["moments"]]
    until = result.get("fit_until")
    a = summ.iloc[0]
    R.p(f"以 {len(fitted)} 个{('截至 ' + str(until) + ' 年的') if until else ''}矩拟合，"
        f"预测 {len(t)} 个未参与拟合的公开数据点；{int(a['inside'])} 个落在 90% 区间内，"
        f"平均绝对误差 {a['mae']:.3f}。",
        f"Fitted on {len(fitted)} moment(s){' up to ' + str(until) if until else ''} "
        f"({', '.join(fitted)}); {len(t)} published point(s) held out and predicted at the "
        f"fitted values: {int(a['inside'])} of {len(t)} inside their 90% interval (the "
        "replicates' luck plus the fitted parameters' uncertainty), mean absolute error "
        f"{a['mae']:.3f}, mean error {a['mean_error']:+.3f}. Population.scale "
        f"{result['population_scale']}, {result['replicates']} replicates.")
    R.table(t.drop(columns=["source"]).round(4), "backtest_points",
            ("留出数据点：预测与公开值", "Held-out points: predicted vs published"), csv=t)
    R.table(summ.round(4), "backtest_summary",
            ("按园区的误差", "Errors, all points and by zone"))
    R.table(parameter_widths(result).round(5), "backtest_parameters",
            ("参数的先验与拟合宽度", "Parameters: prior range and fitted 90% interval"))
    b = moment_bands(result)
    series = list(dict.fromkeys(zip(b.metric, b.zone, strict=True)))
    fig, axs = plt.subplots(1, len(series), figsize=(3.2 * len(series) + 0.5, 3.4),
                            squeeze=False)
    for ax, (metric, zone) in zip(axs[0], series, strict=True):
        g = b[(b.metric == metric) & (b.zone == zone)].sort_values("year")
        ax.fill_between(g.year, g.p05, g.p95, color="#2a6f97", alpha=0.25,
                        label=L.f("模拟 5%-95%", "model 5%-95%"))
        ax.plot(g.year, g.p50, "-" if len(g) > 1 else "_", color="#2a6f97", ms=14)
        ax.vlines(g.year, g.p05, g.p95, color="#2a6f97", alpha=0.35, lw=6)
        h = t[(t.metric == metric) & (t.zone == zone)]
        ax.errorbar(h.years.astype(int) + 0.12, h.predicted,
                    yerr=[h.predicted - h.p05, h.p95 - h.predicted], fmt="none",
                    color="#c44", capsize=3,
                    label=L.f("预测 90%（含参数）", "prediction 90% (with parameters)"))
        for role, mk in (("fitted", "s"), ("held out", "D")):
            x = g[g.role == role]
            ax.errorbar(x.year, x.target, yerr=1.645 * x.se, fmt=mk,
                        mfc="k" if role == "fitted" else "white", color="k",
                        label=L.f("拟合用" if role == "fitted" else "留出",
                                  "fitted" if role == "fitted" else "held out"))
        if until:
            ax.axvline(until + 0.5, color="#c44", lw=0.8, ls="--")
        ax.set_title(f"{metric} · {zone}", fontsize=9)
        ax.set_xticks(sorted(set(g.year)))
    axs[0][0].set_ylabel(L.f("年增长率", "growth a year"))
    hs, ls = axs[0][0].get_legend_handles_labels()
    fig.legend(hs, ls, loc="upper center", ncol=4, fontsize=7, bbox_to_anchor=(0.5, 0.0),
               frameon=False)
    worst = t.iloc[int(np.argmax(t.abs_error))] if len(t) else None
    R.figure(fig, "backtest_bands", (
        "模拟区间（蓝；红：留出点的 90% 预测区间）与公开数据（黑：拟合用，白：留出）。"
        + (f"误差最大：{worst['id']}（{worst['error']:+.3f}）。" if worst is not None else ""),
        "Simulated bands (blue, 5%-95% over replicates at the fitted values; red: the "
        "held-out points' 90% prediction interval, replicates plus the fitted parameters' "
        "uncertainty) against published points (black: fitted; white: held out; black "
        "bars: ±1.645 se of the published figure); the dashed line is the end of the fit."
        + (f" Largest error: {worst['id']} ({worst['error']:+.3f})." if worst is not None
           else "")))
