"""The report of a realism check (``hitech-sim check-realism``): the checks against
their references, the initial stocks, and four figures (size distribution, growth
rates, exits by age, R&D bunching), from what :func:`sim.studies.realism.check_realism`
computed (``checks``, ``tables``, ``initial``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.realism import checks_by_kind
from sim.report.calibrate import draw_backtest
from sim.report.lang import Lang
from sim.report.page import Page, keep_figures
from sim.report.style import plt, rc_style


def write_realism_report(out: Path, scenario: str, scale: float, checks: list[dict],
                         tables: dict, initial: pd.DataFrame, lang=("zh", "en"),
                         backtest: dict | None = None) -> Path:
    """Write ``out/report.html`` (and figures/, tables/) of a realism check of scenario
    ``scenario`` at population.scale ``scale``: validation and consistency checks apart,
    the initial stocks, the figures and, with ``backtest`` (a stored calibration result
    with held-out moments), the section "Backtest (out of sample)"; return its path."""
    L = Lang(lang)
    R = Page(Path(out), L)
    groups = checks_by_kind(checks)
    with plt.rc_context(rc_style(L)):
        R.h2("概览", "Summary")
        bad = {k: [c for c in v if c["verdict"] == "differs"] for k, v in groups.items()}
        R.p(f"情景 {scenario}，规模 {scale}。验证 {len(groups['validation'])} 项（{len(bad['validation'])} 项不符），"
            f"一致性 {len(groups['consistency'])} 项（{len(bad['consistency'])} 项不符）。",
            f"Scenario {scenario} at population.scale {scale}. Validation (published figures "
            f"used neither to build nor to fit the model): {len(bad['validation'])} of "
            f"{len(groups['validation'])} differ"
            + (f" ({'; '.join(c['id'] for c in bad['validation'])})" if bad["validation"]
               else "") + ". Consistency (the run re-measures an input or a fitted moment): "
            f"{len(bad['consistency'])} of {len(groups['consistency'])} differ"
            + (f" ({'; '.join(c['id'] for c in bad['consistency'])})" if bad["consistency"]
               else "") + ".")
        R.h2("验证：未用于构建或拟合的公开数据", "Validation: published figures not used to "
             "build or fit the model")
        R.p("模型在各次重复上的 90% 区间（p05–p95）包含公开数据（或与其公开区间相交）即为相符。",
            "A check matches when the model's 90% interval over replicates (p05-p95) "
            "contains the published figure (or meets its published range, band_low-"
            "band_high). Few replicates give a narrow interval: use -n 10 or more, and "
            "--sample-behaviour to add the behaviour parameters' uncertainty.", cls="note")
        cols = ["id", "value", "p05", "p95", "reference", "band_low", "band_high", "verdict",
                "source", "if_differs"]
        t = pd.DataFrame(groups["validation"], columns=cols + ["kind"])[cols]
        R.table(t.round(4), "realism_validation", ("验证检验", "Validation checks"))
        R.h2("一致性：重测输入或拟合的矩", "Consistency: inputs and fitted moments re-measured")
        cols = ["id", "value", "reference", "band_low", "band_high", "verdict", "source",
                "if_differs"]
        t = pd.DataFrame(groups["consistency"], columns=cols + ["kind"])[cols]
        R.table(t.round(4), "realism", ("一致性检验", "Consistency checks"),
                csv=pd.DataFrame(checks))
        R.h2("初始存量与公开数据", "Initial stocks vs published inputs")
        R.table(initial, "initial_totals", ("首季度（初始）存量", "First-quarter (initial) stocks"))
        if backtest is not None:
            draw_backtest(R, backtest)
        draw_realism(R, checks, tables)
    return R.write(L.t(f"真实性检验：{scenario}", f"Realism check: {scenario}"))


def realism_figures(checks: list[dict], tables: dict, lang=("en",)) -> list:
    """The report's four realism figures from
    :func:`sim.analysis.realism.compute_checks`'s result, as matplotlib figures.

    >>> from sim.analysis.realism import compute_checks  # doctest: +SKIP
    >>> figs = realism_figures(*compute_checks(firms, metrics))  # doctest: +SKIP
    """
    return keep_figures(lambda R: draw_realism(R, checks, tables), lang)


def draw_realism(R: Page, checks: list[dict], tables: dict) -> None:
    """Draw the realism sections (size distribution, growth rates, exits by age, R&D
    bunching) onto page ``R``."""
    L = R.L
    R.h2("企业规模分布", "Firm size distribution")
    s = np.sort(tables["sizes"][tables["sizes"] > 0])[::-1]
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6))
    axs[0].hist(np.log10(s), bins=60, color="#2a6f97")
    axs[0].set_xlabel(L.f("log10 年营收（万元）", "log10 annual revenue (万元)"))
    axs[0].set_ylabel(L.f("企业数（家）", "firms"))
    axs[1].loglog(s, np.arange(1, s.size + 1), ".", ms=2, color="#2a6f97")
    z = tables["zipf"]
    x = s[: z["n"]]
    axs[1].loglog(x, (z["n"] - 0.5) * (x / x[-1]) ** (-z["zeta"]), "-", color="#c44",
                  label=f"ζ = {z['zeta']:.2f}")
    axs[1].loglog(x, (z["n"] - 0.5) * (x / x[-1]) ** (-1.0), "--", color="#444",
                  label=L.f("齐普夫 ζ = 1", "Zipf ζ = 1"))
    axs[1].set_xlabel(L.f("年营收（万元）", "annual revenue (万元)"))
    axs[1].set_ylabel(L.f("排名", "rank"))
    axs[1].legend(fontsize=8)
    R.figure(fig, "realism_size", (
        f"上尾斜率 ζ = {z['zeta']:.2f}（齐普夫为 1）；对数营收标准差 {tables['lognormal']['sigma']:.2f}。",
        f"Upper-tail slope ζ = {z['zeta']:.2f} (Zipf: 1); sd of log revenue "
        f"{tables['lognormal']['sigma']:.2f}."))

    R.h2("年增长率分布", "Annual growth rates")
    g = tables["growth"].growth.to_numpy()
    sh = tables["shape"]
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6))
    lim = np.quantile(np.abs(g), 0.995)
    h, edges = np.histogram(g, bins=80, range=(-lim, lim), density=True)
    mid = 0.5 * (edges[1:] + edges[:-1])
    axs[0].semilogy(mid, np.maximum(h, 1e-4), ".", color="#2a6f97",
                    label=L.f("模拟", "model"))
    from scipy import stats

    axs[0].semilogy(mid, stats.laplace.pdf(mid, sh["laplace_loc"], sh["laplace_scale"]),
                    "-", color="#c44", label="Laplace")
    axs[0].semilogy(mid, stats.norm.pdf(mid, g.mean(), g.std()), "--", color="#444",
                    label=L.f("正态", "normal"))
    axs[0].set_ylim(1e-3, None)
    axs[0].set_xlabel(L.f("年对数增长率", "annual log growth"))
    axs[0].set_ylabel(L.f("密度（对数）", "density (log)"))
    axs[0].legend(fontsize=8)
    sp = tables["spread"]
    axs[1].semilogy(sp["size"] / np.log(10), sp["sd"], "o-", color="#2a6f97")
    axs[1].set_xlabel(L.f("log10 期初营收（万元）", "log10 revenue at start (万元)"))
    axs[1].set_ylabel(L.f("增长率标准差", "sd of growth"))
    beta = next(c["value"] for c in checks if c["id"] == "growth_spread_beta")
    R.figure(fig, "realism_growth", (
        f"超额峰度 {sh['excess_kurtosis']:.1f}（拉普拉斯为 3）；标准差随规模下降，β = {beta:.2f}（文献约 0.2）。",
        f"Excess kurtosis {sh['excess_kurtosis']:.1f} (Laplace: 3); spread falls with size, "
        f"β = {beta:.2f} (literature ~0.2)."))

    R.h2("按企业年龄的退出率", "Exit rates by firm age")
    ex = tables["exit"]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.plot(ex.age_year, 100 * ex.rate, "o-", color="#2a6f97", label=L.f("模拟", "model"))
    ax.plot(ex.age_year, 100 * ex.saic, "s--", color="#444",
            label=L.f("全国（工商总局 2013）", "China (SAIC 2013)"))
    ax.set_xlabel(L.f("企业年龄（年）", "firm age (year of life)"))
    ax.set_ylabel(L.f("年退出率（%）", "yearly exit rate (%)"))
    ax.legend(fontsize=8)
    sv = tables["survival"]
    svt = ", ".join(f"{k}y {100 * v:.0f}%" for k, v in sv.items())
    R.figure(fig, "realism_exit", (
        f"模拟的退出率与全国对比；新企业存活：{svt}（美国 2 年 66%，4 年 44%）。",
        f"Model exit rates against China's; entrants surviving: {svt} (US: 66% after 2 "
        "years, 44% after 4)."))
    R.table(ex.round(4), "exit_by_age", ("按年龄的退出率", "Exit rates by age"))

    R.h2("高企研发门槛处的聚集", "R&D bunching at the 高企 thresholds")
    r = tables["bunching_r"]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.hist(r, bins=np.arange(0.5, 1.5001, 0.025), color="#2a6f97")
    ax.axvline(1.0, color="#c44")
    ax.set_xlabel(L.f("研发强度 / 高企门槛", "R&D intensity / 高企 threshold"))
    ax.set_ylabel(L.f("企业数（家）", "firms"))
    ex_b = next(c["value"] for c in checks if c["id"] == "rd_bunching")
    R.figure(fig, "realism_bunching", (
        f"门槛上方 10% 内的企业数是下方 10% 内的 {ex_b:.1f} 倍。",
        f"{ex_b:.1f} times as many firms just above the threshold (within 10%) as just "
        "below it."))
