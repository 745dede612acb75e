"""``hitech-sim check-realism``: does a run behave like real firms?

A run of a scenario with firm snapshots (``firms.parquet`` rows: alive firms at the
start and every Q4, one row per exit) is compared with stylised facts of firm dynamics
and with published figures that calibration did not use (sim/calibrate.py fits 高企
growth and zone revenue growth only):

- size distribution: lognormal spread of annual revenue and the slope of the upper tail
  (rank-size regression of Gabaix & Ibragimov on the top 5%; Axtell 2001: Zipf, ~1);
- annual growth rates: excess kurtosis (Laplace: 3, normal: 0), Laplace vs normal
  log-likelihood, and how their spread falls with size (σ ∝ S^-β, β ≈ 0.2; Stanley et
  al. 1996);
- exit rates by age against China's (SAIC 2013: 1.6% / 6.3% / 9.5% in years 1–3, over
  8% to year 7) and entrants' survival against the US (BLS: 66% after 2 years, 44% after
  4);
- gazelle share of firms (Torch: 2.54% of zone firms), 高企 with revenue above 1亿
  (Yunnan 2021: 23.8%), R&D / revenue of the zones (~2.0%);
- R&D bunching just above the 高企 R&D thresholds (Chen et al. 2021).

Each check is a row of ``realism.csv`` / ``realism.json`` (value, reference, band,
verdict, source, what a mismatch likely means) with a figure in ``report.html``. The
statistics are :mod:`sim.analysis.realism` (public, so that notebooks can compute the
same); this module runs the scenario and writes the files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.realism import (SAIC_EXIT, annual_growth, compute_checks,  # noqa: F401
                                  entrant_survival, exit_by_age, growth_shape,
                                  hte_large_share, initial_totals, lognormal_fit,
                                  q4_snapshots, rd_bunching, spread_by_size, verdict,
                                  zipf_slope)
from sim.core.calendar import q_index
from sim.engine.batch import read_metrics
from sim.engine.folder import atomic_write_text
from sim.scenario.loader import Problem, ScenarioError
from sim.studies.run import run_scenario


def check_realism(loaded, *, out: str | Path, replicates: int = 2, seed: int | None = None,
                  workers: int = 1, overwrite: bool = False, lang="zh,en") -> dict:
    """Run ``loaded`` (a :func:`sim.load_scenario` result) with snapshots, compute every
    check, and write ``out``: the run's files (manifest, metrics, ledger, firms),
    ``realism.csv``, ``realism.json``, ``initial_totals.csv``, figures/ and report.html.
    Returns ``{"checks": [...], "initial": DataFrame, "report": path}``."""
    sc = loaded.model
    q4s = [q for q in range(q_index(sc.calendar.start), q_index(sc.calendar.end) + 1)
           if q % 4 == 3]
    if len(q4s) < 2:
        raise ScenarioError([Problem(str(loaded.path), 0, "calendar.end",
                                     f"{sc.calendar.start}..{sc.calendar.end} holds "
                                     f"{len(q4s)} Q4 quarter(s); check-realism compares "
                                     "yearly snapshots (valid: a calendar through at least "
                                     "two Q4s, e.g. end 2026Q4 or later)")])
    out = Path(out)
    run_scenario(loaded, replicates=replicates, seed=seed, workers=workers, snapshots=True,
                 out=out, overwrite=overwrite)
    metrics = read_metrics(out)
    firms = pd.read_parquet(out / "firms.parquet",
                            columns=["replicate", "quarter", "enterprise", "zone", "founded",
                                     "revenue_4q_wan", "rd_4q_wan", "hte_valid", "exited"])
    checks, tables = compute_checks(firms, metrics)
    initial = initial_totals(loaded, metrics, firms)
    df = pd.DataFrame(checks)
    atomic_write_text(df.to_csv(index=False), out / "realism.csv")
    atomic_write_text(json.dumps({"scenario": loaded.model.name, "replicates": replicates,
                                   "population_scale": loaded.model.population.scale,
                                   "checks": checks,
                                   "exit_by_age": tables["exit"].to_dict("records"),
                                   "growth_spread_by_size": tables["spread"].to_dict("records"),
                                   "initial_totals": initial.to_dict("records")},
                                  ensure_ascii=False, indent=1, default=float),
                       out / "realism.json")
    atomic_write_text(initial.to_csv(index=False), out / "initial_totals.csv")
    report = _write_report(out, loaded, checks, tables, initial, lang)
    return {"checks": checks, "initial": initial, "report": report}


def _write_report(out: Path, loaded, checks, tables, initial, lang) -> Path:
    from sim.engine.folder import atomic_write_text
    from sim.report import _Lang, _Report, _style, plt

    L = _Lang(lang)
    R = _Report(out, L)
    sc = loaded.model
    with plt.rc_context(_style(L)):
        R.h2("概览", "Summary")
        bad = [c for c in checks if c["verdict"] == "differs"]
        R.p(f"情景 {sc.name}，规模 {sc.population.scale}。{len(checks)} 项检验中 {len(bad)} 项不符。",
            f"Scenario {sc.name} at population.scale {sc.population.scale}. {len(bad)} of "
            f"{len(checks)} checks differ from their reference: "
            + ("; ".join(c["id"] for c in bad) if bad else "none") + ".")
        t = pd.DataFrame(checks)[["id", "value", "reference", "band_low", "band_high",
                                  "verdict", "source", "if_differs"]]
        R.table(t.round(4), "realism", ("检验与参照", "Checks and references"))
        R.h2("初始存量与公开数据", "Initial stocks vs published inputs")
        R.table(initial, "initial_totals", ("首季度（初始）存量", "First-quarter (initial) stocks"))

        _figures(R, checks, tables)
    path = out / "report.html"
    atomic_write_text(R.html(L.t(f"真实性检验：{sc.name}", f"Realism check: {sc.name}")), path)
    return path


def figures(checks: list[dict], tables: dict, lang=("en",)) -> list:
    """The report's four realism figures (size distribution, growth rates, exits by
    age, R&D bunching) from :func:`compute_checks`'s result, as matplotlib figures.

    >>> import sim.studies.realism  # doctest: +SKIP
    >>> figs = sim.studies.realism.figures(*sim.studies.realism.compute_checks(firms, metrics))  # doctest: +SKIP
    """
    from sim.report import keep_figures

    return keep_figures(lambda R, _: _figures(R, checks, tables), lang)


def _figures(R, checks: list[dict], tables: dict) -> None:
    """Draw the realism sections into report ``R``."""
    from sim.report import plt

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
