"""Realism statistics: a run's firm snapshots and metrics against stylised facts of firm
dynamics and published figures (size distribution, growth rates, exits by age,
entrants' survival, R&D bunching, initial stocks), as used by ``hitech-sim
check-realism`` (:mod:`sim.studies.realism`, which runs the scenario, writes the tables
and draws the figures) and by notebooks.

DataFrames and arrays in, dicts and DataFrames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.calendar import q_index
from sim.scenario.params import CONSTANTS


# China's yearly exit rates by age in years 1..7 (SAIC 2013 report) [V]; year 4-7 "above
# 8%" is taken as 8%
SAIC_EXIT = {1: 0.016, 2: 0.063, 3: 0.095, 4: 0.08, 5: 0.08, 6: 0.08, 7: 0.08}


def _q(labels: pd.Series) -> np.ndarray:
    """Quarter labels to indices (vectorised over the unique labels)."""
    u, inv = np.unique(labels.to_numpy(dtype=str), return_inverse=True)
    return np.array([q_index(x) for x in u], dtype=np.int64)[inv]


def q4_snapshots(firms: pd.DataFrame) -> list[str]:
    """The Q4 quarters at which alive firms were snapshot, in order."""
    alive = firms[~firms["exited"]]
    return sorted(q for q in alive["quarter"].unique() if q.endswith("Q4"))


def zipf_slope(sizes: np.ndarray, top: float = 0.05) -> dict:
    """Upper-tail slope ζ of a size distribution (P(S > s) ~ s^-ζ).

    Rank-size regression on the largest ``top`` share with the rank shifted by 1/2
    (Gabaix & Ibragimov 2011): ``log(rank - 1/2) = a - ζ log(size)``; standard error
    ``ζ sqrt(2/n)``. Also the Hill estimator on the same firms.
    """
    s = np.sort(np.asarray(sizes, float)[np.asarray(sizes) > 0])[::-1]
    n = max(10, int(round(top * s.size)))
    s = s[:n]
    rank = np.arange(1, n + 1) - 0.5
    slope = -np.polyfit(np.log(s), np.log(rank), 1)[0]
    hill = 1.0 / np.mean(np.log(s[:-1] / s[-1])) if n > 1 else np.nan
    return {"zeta": float(slope), "se": float(slope * np.sqrt(2.0 / n)), "hill": float(hill),
            "n": int(n)}


def lognormal_fit(sizes: np.ndarray) -> dict:
    """Mean and sd of log size, and the Kolmogorov–Smirnov distance to that lognormal."""
    from scipy import stats

    x = np.log(np.asarray(sizes, float)[np.asarray(sizes) > 0])
    mu, sd = float(x.mean()), float(x.std(ddof=1))
    ks = stats.kstest((x - mu) / sd, stats.norm.cdf).statistic
    return {"mu": mu, "sigma": sd, "ks": float(ks), "n": int(x.size)}


def annual_growth(firms: pd.DataFrame, min_revenue_wan: float = 10.0) -> pd.DataFrame:
    """Annual log growth of 4-quarter revenue between consecutive Q4 snapshots, per firm
    alive in both (columns replicate, enterprise, year, size (log revenue at the start),
    growth). Firms under ``min_revenue_wan`` a year are left out (log growth of near-zero
    revenue says nothing about firm dynamics)."""
    qs = q4_snapshots(firms)
    alive = firms[~firms["exited"]][["replicate", "enterprise", "quarter", "revenue_4q_wan"]]
    out = []
    for a, b in zip(qs[:-1], qs[1:], strict=True):
        x = alive[alive.quarter == a].merge(alive[alive.quarter == b],
                                            on=["replicate", "enterprise"], suffixes=("0", "1"))
        x = x[(x.revenue_4q_wan0 >= min_revenue_wan) & (x.revenue_4q_wan1 > 0)]
        out.append(pd.DataFrame({
            "replicate": x.replicate.to_numpy(), "enterprise": x.enterprise.to_numpy(),
            "year": int(b[:4]), "size": np.log(x.revenue_4q_wan0.to_numpy()),
            "growth": np.log(x.revenue_4q_wan1.to_numpy() / x.revenue_4q_wan0.to_numpy())}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["replicate", "enterprise", "year", "size", "growth"])


def growth_shape(g: np.ndarray) -> dict:
    """Shape of a growth-rate distribution: excess kurtosis (Laplace 3, normal 0), the
    Laplace fit (location = median, scale = mean absolute deviation from it) and the mean
    log-likelihood gain of the Laplace over the normal per observation (> 0: tent-shaped
    fits better)."""
    from scipy import stats

    g = np.asarray(g, float)
    g = g[np.isfinite(g)]
    med = float(np.median(g))
    b = float(np.mean(np.abs(g - med)))
    ll_lap = stats.laplace.logpdf(g, med, b).mean()
    ll_norm = stats.norm.logpdf(g, g.mean(), g.std()).mean()
    return {"excess_kurtosis": float(stats.kurtosis(g)), "laplace_loc": med,
            "laplace_scale": b, "laplace_minus_normal_loglik": float(ll_lap - ll_norm),
            "sd": float(g.std()), "n": int(g.size)}


def spread_by_size(gr: pd.DataFrame, bins: int = 10) -> tuple[dict, pd.DataFrame]:
    """How the spread of growth falls with size: growth sd in size deciles and the slope β
    of log sd on log size (σ ∝ S^-β). Returns the fit and the table of bins."""
    q = pd.qcut(gr["size"], bins, labels=False, duplicates="drop")
    t = gr.groupby(q).agg(size=("size", "median"), sd=("growth", "std"),
                          n=("growth", "size")).reset_index(drop=True)
    t = t[t.sd > 0]
    slope, icpt = np.polyfit(t["size"], np.log(t["sd"]), 1)
    return {"beta": float(-slope), "bins": int(len(t))}, t


def exit_by_age(firms: pd.DataFrame, max_age: int = 7) -> pd.DataFrame:
    """Yearly exit rate by age: of the firms alive at one Q4 snapshot aged a full years
    (a = 0: in their first year), the share that exit within the next four quarters;
    ``age_year`` = a + 1 (SAIC's "year 1" is a firm's first year). Pooled over years and
    replicates."""
    qs = q4_snapshots(firms)
    alive = firms[~firms["exited"]]
    ex = firms[firms["exited"]][["replicate", "enterprise", "quarter"]]
    exq = _q(ex.quarter) if len(ex) else np.array([], dtype=np.int64)
    ex = ex.assign(t=exq)
    rows = []
    for a in qs[:-1]:
        ta = q_index(a)
        cohort = alive[alive.quarter == a][["replicate", "enterprise", "founded"]]
        age = (ta - _q(cohort.founded)) // 4
        cohort = cohort.assign(age=np.minimum(age, max_age))
        gone = ex[(ex.t > ta) & (ex.t <= ta + 4)][["replicate", "enterprise"]]
        gone = gone.assign(exit=1)
        c = cohort.merge(gone, on=["replicate", "enterprise"], how="left")
        rows.append(c.groupby("age").agg(at_risk=("exit", "size"),
                                         exits=("exit", "sum")).reset_index())
    if not rows:
        return pd.DataFrame(columns=["age_year", "at_risk", "exits", "rate", "saic"])
    t = pd.concat(rows).groupby("age", as_index=False).sum()
    t["age_year"] = t["age"] + 1
    t["rate"] = t["exits"] / t["at_risk"]
    t["saic"] = t["age_year"].map(SAIC_EXIT)
    return t[t.age_year <= max_age][["age_year", "at_risk", "exits", "rate", "saic"]]


def entrant_survival(firms: pd.DataFrame, years=(2, 4)) -> dict:
    """Share of the firms founded in the first full simulated year still alive 2 and 4
    years after founding (only horizons the run reaches); ``{years: share}``."""
    snaps = q4_snapshots(firms)
    if not snaps:
        return {}
    last = q_index(snaps[-1])
    founded = _q(firms.founded)
    first_q = q_index(firms.quarter.min()) + 1  # the first simulated quarter
    y0 = (first_q + 3) // 4  # first full year
    ids = firms.assign(f=founded)
    cohort = ids[(ids.f >= y0 * 4) & (ids.f < y0 * 4 + 4)].drop_duplicates(
        ["replicate", "enterprise"])
    if cohort.empty:
        return {}
    ex = firms[firms.exited][["replicate", "enterprise", "quarter"]]
    exq = dict(zip(zip(ex.replicate, ex.enterprise), _q(ex.quarter), strict=True))
    out = {}
    for h in years:
        ok = cohort[cohort.f + 4 * h <= last]
        if ok.empty:
            continue
        dead = np.array([exq.get((r, e), 10**9) < f + 4 * h for r, e, f in
                         zip(ok.replicate, ok.enterprise, ok.f, strict=True)])
        out[h] = float(1.0 - dead.mean())
    return out


def rd_bunching(firms: pd.DataFrame, quarter: str | None = None) -> tuple[dict, np.ndarray]:
    """R&D bunching at the 高企 thresholds (5% / 4% / 3% of sales by size): the ratio r of
    a firm's 4-quarter R&D intensity to its threshold, among firms with 0.5 <= r < 1.5 at
    a Q4 snapshot (default: the last). ``excess`` = firms in [1, 1.1) / firms in [0.9, 1)
    (1 without bunching; a notch makes it large). Returns the statistics and r."""
    qs = q4_snapshots(firms)
    q = quarter or (qs[-1] if qs else firms.quarter.max())
    x = firms[(~firms.exited) & (firms.quarter == q) & (firms.revenue_4q_wan > 0)]
    rev = x.revenue_4q_wan.to_numpy()
    thr = np.where(rev <= 5000, CONSTANTS["hte_rd_small"].default,
                   np.where(rev <= 20000, CONSTANTS["hte_rd_mid"].default,
                            CONSTANTS["hte_rd_large"].default))
    r = x.rd_4q_wan.to_numpy() / rev / thr
    r = r[(r >= 0.5) & (r < 1.5)]
    above = np.sum((r >= 1.0) & (r < 1.1))
    below = np.sum((r >= 0.9) & (r < 1.0))
    return {"excess": float(above / max(below, 1)), "above": int(above), "below": int(below),
            "quarter": q}, r


def hte_large_share(firms: pd.DataFrame, quarter: str) -> float:
    """Share of valid 高企 with 4-quarter revenue above 1亿 (10,000万元) at ``quarter``."""
    x = firms[(~firms.exited) & (firms.quarter == quarter) & firms.hte_valid]
    return float((x.revenue_4q_wan > 10000).mean()) if len(x) else float("nan")


def initial_totals(loaded, metrics: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """The initial stocks of a run (the quarter before its start, e.g. 2025Q2) by zone
    against the scenario's inputs x population.scale: firms, 高企 and 专精特新 (mean over
    replicates), annual revenue (the firms' last four quarters, from firms.parquet), and
    the first simulated quarter's revenue x 4 (the pace the run starts at)."""
    sc = loaded.model
    q0 = metrics.quarter.min()
    m = metrics[(metrics.quarter == q0) & (metrics.sector == "ALL")]
    piv = m.groupby(["zone", "metric"])["value"].mean().unstack()
    f0 = firms[(firms.quarter == q0) & ~firms.exited]
    reps = max(1, f0.replicate.nunique())
    rev4 = f0.groupby("zone").revenue_4q_wan.sum() / reps if "zone" in f0 else None
    q1 = sorted(metrics.quarter.unique())[1]
    first = metrics[(metrics.quarter == q1) & (metrics.sector == "ALL")
                    & (metrics.metric == "revenue_wan")].groupby("zone").value.mean()
    rows = []
    for z in sc.zones:
        for metric, want in (("enterprises", z.firms.total), ("hte", z.firms.hte),
                             ("specialised", z.firms.specialised)):
            rows.append({"zone": z.id, "metric": metric, "quarter": q0,
                         "input": round(want * sc.population.scale),
                         "model": float(piv.loc[z.id, metric])})
        want = z.firms.revenue_wan * sc.population.scale
        if rev4 is not None:
            rows.append({"zone": z.id, "metric": "revenue_wan (last 4 quarters)",
                         "quarter": q0, "input": want, "model": float(rev4.get(z.id, 0.0))})
        rows.append({"zone": z.id, "metric": "revenue_wan (first quarter x 4)", "quarter": q1,
                     "input": want, "model": 4.0 * float(first.get(z.id, 0.0))})
    return pd.DataFrame(rows)


def verdict(value: float, band: tuple[float, float] | None) -> str:
    """A consistency check's verdict: ``matches`` inside the band, ``differs`` outside,
    ``context`` without a band."""
    if band is None or not np.isfinite(value):
        return "context"
    return "matches" if band[0] <= value <= band[1] else "differs"


def interval(values) -> tuple[float, float, float]:
    """Mean and 90% interval (5% and 95% quantiles, linear interpolation) of the
    per-replicate values of a statistic, NaNs left out; all NaN without a finite value.
    With few replicates the interval is narrow (two replicates: 90% of their range)."""
    v = np.asarray(list(values), float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = np.quantile(v, [0.05, 0.95])
    return float(v.mean()), float(lo), float(hi)


def validation_verdict(p05: float, p95: float, low: float, high: float) -> str:
    """A validation check's verdict: ``matches`` when the model's 90% interval
    ``[p05, p95]`` contains the published figure (a point, ``low == high``) or meets the
    published range ``[low, high]`` (a figure published as a range, e.g. two sources);
    ``differs`` otherwise; ``context`` when the model gave no value."""
    if not (np.isfinite(p05) and np.isfinite(p95)):
        return "context"
    return "matches" if p05 <= high and p95 >= low else "differs"


# Published figures the validation checks compare with: used neither to build the model
# nor to fit it (docs/sources.md, "Register of figures": use = validation). Each is
# (value, low, high, source): low/high is the published range (equal to the value for a
# point figure).
PUBLISHED = {
    # Yunnan's 2020 round (yn.cnipai.com 2020-12-28 [V]): 656 certificates passed national
    # filing (new and renewed), net +207 on the end-2019 stock 1,472 (D: 1,679 - 207), so
    # 449 certificates ended (expired without renewal, revoked, or their firm gone) [D].
    "hte_certified_rate": (656 / 1472, 656 / 1472, 656 / 1472,
                           "Yunnan 2020 round: 656 certified (new + renewed) / 1,472 高企 at "
                           "the end of 2019 = 44.6% [V yn.cnipai.com 2020-12-28; D]"),
    # Yunnan 高企 with revenue over 1亿: 335 (25.2%) in 2018, 420 (25.13%) in 2020 (daowen.com
    # book chapter [V]; docs/research/hte_certification_2026-12.md §3); 2021's 23.8% builds
    # the start (hte_large_share), so it is not used here
    "hte_over_1yi": (0.2513, 0.2513, 0.252,
                     "Yunnan 高企 with revenue > 1亿: 25.2% (2018), 25.13% (2020) [V daowen.com "
                     "book chapter; not 2021's 23.8%, which builds the start]"),
    # 2024: net "+600以上" [V* wxredian.com 2025-01-27] on the end-2023 stock, 3,042 (D from
    # Kunming's +365 = 78.66% of the province's net increase) or 3,222 (D from "净增长率
    # 25%"): growth 600/3,222 = 18.6% to 600/3,042 = 19.7% (lower bounds: "以上")
    "hte_growth": (0.19, 600 / 3222, 600 / 3042,
                   "Yunnan 2024: net +600以上 高企 on 3,042-3,222 (end 2023) = +18.6% to "
                   "+19.7% [V* wxredian.com 2025-01-27; D]; carried to the zones by a "
                   "constant share of the province's 高企 (so the zones' growth is the "
                   "province's; assumption)"),
    # Torch (m.vanbien.com [V]): gazelles 2.54% of the firms of national zones, 2011-14
    "gazelle_share": (0.0254, 0.0254, 0.0254,
                      "Torch: gazelles 2.54% of national zones' firms, 2011-14 [V "
                      "m.vanbien.com]; no Yunnan figure found [NF]"),
    # 216 unicorns in 32 national zones (2023) [V paper.chinahightech.com 2024-06-24] over
    # ~206,000 firms in national zones (2022) [V/D achie.org 2024-02-02]
    "unicorn_share": (216 / 206000, 216 / 206000, 216 / 206000,
                      "China: 216 unicorns in national zones (2023) [V paper.chinahightech.com"
                      " 2024-06-24] / ~206,000 firms in national zones (2022) [V/D achie.org] "
                      "= 0.105%; no Yunnan figure found [NF]"),
    # Axtell 2001 (Science 293:1818): Zipf exponent 1.059 +- 0.054 (US firms, employees)
    "size_zipf_slope": (1.059, 1.005, 1.113,
                        "Axtell 2001 (Science 293:1818): 1.059 ± 0.054, US firms by "
                        "employees [V]"),
    "survival_2y": (0.66, 0.66, 0.66, "BLS (Knaup 2005): 66% of the US 1998 cohort alive "
                    "after 2 years [V]"),
    "survival_4y": (0.44, 0.44, 0.44, "BLS (Knaup 2005): 44% of the US 1998 cohort alive "
                    "after 4 years [V]"),
}


def _per_replicate(firms: pd.DataFrame, fn) -> list[float]:
    """``fn`` applied to each replicate's rows of ``firms``."""
    return [fn(g) for _, g in firms.groupby("replicate", sort=True)]


def hte_round_rates(firms: pd.DataFrame) -> dict:
    """Yearly 高企 certificates of one replicate's snapshots, as shares of the stock at the
    previous Q4: ``certified`` (new and renewed in the round, firms alive at the Q4) and
    ``ended`` (stock before + certified - stock after: expired without renewal, revoked or
    their firm gone), averaged over the consecutive Q4 pairs; NaN without the snapshots'
    ``hte_certified`` column or a pair. With the ``hte_applied`` column also ``passed``:
    certified / applicants of the rounds (new and renewing, firms alive at the Q4)."""
    nan = float("nan")
    if "hte_certified" not in firms.columns:
        return {"certified": nan, "ended": nan, "passed": nan}
    qs = q4_snapshots(firms)
    alive = firms[~firms["exited"]]
    cert, ended, applied, passed = [], [], 0, 0
    for a, b in zip(qs[:-1], qs[1:], strict=True):
        if q_index(b) - q_index(a) != 4:
            continue
        sa = int(alive[(alive.quarter == a)].hte_valid.sum())
        xb = alive[alive.quarter == b]
        sb = int(xb.hte_valid.sum())
        cb = int((xb.hte_valid & xb.hte_certified).sum())
        if "hte_applied" in xb.columns:
            applied += int(xb.hte_applied.sum())
            passed += int((xb.hte_applied & xb.hte_certified).sum())
        if sa > 0:
            cert.append(cb / sa)
            ended.append((sa + cb - sb) / sa)
    if not cert:
        return {"certified": nan, "ended": nan, "passed": nan}
    return {"certified": float(np.mean(cert)), "ended": float(np.mean(ended)),
            "passed": passed / applied if applied else nan}


def hte_growth_years(metrics: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year growth of the zones' 高企 (ALL) between consecutive Q4s, per replicate
    (columns replicate, year, growth)."""
    m = metrics[(metrics.zone == "ALL") & (metrics.sector == "ALL") & (metrics.metric == "hte")
                & metrics.quarter.str.endswith("Q4")]
    p = m.pivot_table(index="replicate", columns="quarter", values="value")
    rows = []
    for q in p.columns:
        prev = f"{int(q[:4]) - 1}Q4"
        if prev in p.columns:
            for r, g in (p[q] / p[prev] - 1.0).items():
                rows.append({"replicate": r, "year": int(q[:4]), "growth": float(g)})
    return pd.DataFrame(rows, columns=["replicate", "year", "growth"])


def compute_checks(firms: pd.DataFrame, metrics: pd.DataFrame) -> tuple[list[dict], dict]:
    """Every realism check of a run (rows for realism.csv) and the tables behind the
    figures. ``firms`` is firms.parquet (snapshots), ``metrics`` metrics.parquet.

    Each row has a ``kind``: ``consistency`` (it re-measures an input of the model or a
    moment calibration fitted: its verdict says whether the run keeps what it was given,
    within a tolerance ``band``) or ``validation`` (a published figure used neither to
    build nor to fit the model, :data:`PUBLISHED`: the verdict is ``matches`` when the
    model's 90% interval over replicates, ``p05``..``p95``, contains it; ``band_low`` and
    ``band_high`` are then the published figure's own range)."""
    qs = q4_snapshots(firms)
    last = qs[-1]
    alive_last = firms[(~firms.exited) & (firms.quarter == last)]
    sizes = alive_last.revenue_4q_wan.to_numpy()
    checks: list[dict] = []

    def add(id_, name, value, reference, band, source, mismatch, used=False):
        v = verdict(value, band)
        checks.append({"id": id_, "kind": "consistency", "check": name, "value": float(value),
                       "p05": None, "p95": None,
                       "reference": None if reference is None else float(reference),
                       "band_low": None if band is None else float(band[0]),
                       "band_high": None if band is None else float(band[1]),
                       "verdict": v, "used_in_calibration": used, "source": source,
                       "if_differs": mismatch if v == "differs" else ""})

    def validate(id_, name, values, mismatch, figure=None):
        ref, low, high, source = PUBLISHED[figure or id_]
        mean, p05, p95 = interval(values)
        v = validation_verdict(p05, p95, low, high)
        checks.append({"id": id_, "kind": "validation", "check": name, "value": mean,
                       "p05": p05, "p95": p95, "reference": float(ref),
                       "band_low": float(low), "band_high": float(high), "verdict": v,
                       "used_in_calibration": False, "source": source,
                       "if_differs": mismatch if v == "differs" else ""})

    last_alive = firms[(~firms.exited) & (firms.quarter == last)]
    z = zipf_slope(sizes)
    validate("size_zipf_slope", f"upper-tail slope of revenue (top 5%, {last})",
             _per_replicate(last_alive, lambda g: zipf_slope(g.revenue_4q_wan.to_numpy())[
                 "zeta"]),
             "the synthetic population is lognormal (size_sigma), whose tail is thinner than "
             "a power law: the largest firms are too small relative to the rest")
    ln = lognormal_fit(sizes)
    add("size_log_sd", "sd of log annual revenue", ln["sigma"], None, None,
        "re-measures the input size_sigma (Kondo, Lewis & Stella 2018) [V]", "")
    add("size_lognormal_ks", "KS distance of log revenue to a normal", ln["ks"], 0.0,
        (0.0, 0.05), "the population is drawn lognormal (Kondo et al. 2018) [V]",
        "entrants (small, ~30万元) and landed projects (large) make the body non-lognormal")
    gr = annual_growth(firms)
    sh = growth_shape(gr.growth.to_numpy())
    add("growth_excess_kurtosis", "excess kurtosis of annual log growth",
        sh["excess_kurtosis"], 3.0, (2.0, 15.0),
        "the quarterly shocks are drawn Laplace (Stanley et al. 1996, Nature 379:804) [V]",
        "annual growth sums four quarterly Laplace shocks, which makes it closer to normal "
        "than a yearly tent; or young firms' drift mixes in")
    add("growth_laplace_vs_normal", "mean log-likelihood, Laplace minus normal",
        sh["laplace_minus_normal_loglik"], 0.0, (0.0, np.inf),
        "the shocks are drawn Laplace (Stanley et al. 1996; Bottazzi & Secchi 2006) [V]",
        "growth rates are closer to normal than to a tent")
    sp, sp_tab = spread_by_size(gr)
    add("growth_spread_beta", "β in sd(growth) ∝ size^-β", sp["beta"], 0.2, (0.1, 0.3),
        "re-measures the input shock_size_beta 0.2 (Stanley et al. 1996; Amaral et al. "
        "1997) [V]",
        "the shock's β (shock_size_beta) is 0.2 but young firms' extra drift and exits of "
        "small firms change the measured spread of small firms")
    ex = exit_by_age(firms)
    for a in (1, 2, 3, 5):
        row = ex[ex.age_year == a]
        if len(row):
            add(f"exit_rate_age{a}", f"yearly exit rate, age year {a}", float(row.rate.iloc[0]),
                SAIC_EXIT[a], (SAIC_EXIT[a] * 0.5, SAIC_EXIT[a] * 1.5),
                "the model's exit hazard by age is the SAIC 2013 table (all Chinese firms) [V]",
                "exit_hazard_scale 0.7 and the lower hazard of 高企 and incubatees make firms "
                "in zones exit less than China's average firm (assumption); year-1 exits also "
                "miss firms that enter and exit between two Q4 snapshots")
    sv = entrant_survival(firms)
    sv_rep = _per_replicate(firms, entrant_survival)
    for h in (2, 4):
        if h in sv:
            validate(f"survival_{h}y", f"entrants surviving {h} years",
                     [d.get(h, np.nan) for d in sv_rep],
                     "Chinese zone firms are not US firms; lower exit hazards "
                     "(exit_hazard_scale, 高企 and incubatees) give higher survival")
    allq = metrics[(metrics.zone == "ALL") & (metrics.sector == "ALL")]
    at_last = allq[allq.quarter == last].pivot_table(index="replicate", columns="metric",
                                                     values="value")
    validate("gazelle_share", f"gazelles / enterprises ({last})",
             (at_last["gazelles"] / at_last["enterprises"]).to_numpy(),
             "the Torch share is of firms that report to Torch (larger firms), the model's of "
             "all registered firms; and gazelles must hold a valid 高企 certificate here")
    validate("unicorn_share", f"unicorns / enterprises ({last})",
             (at_last["unicorns"] / at_last["enterprises"]).to_numpy(),
             "national zones (Beijing, Shanghai, Shenzhen) hold China's unicorns; a Yunnan "
             "zone may well have none (none in the 2017 national list [V])")
    rates = [hte_round_rates(g) for _, g in firms.groupby("replicate", sort=True)]
    if any(np.isfinite(r["certified"]) for r in rates):
        validate("hte_certified_rate", "高企 certificates granted in a year's round (new and "
                 "renewed) / 高企 at the previous year end", [r["certified"] for r in rates],
                 "certification needs the hard criteria and the evaluation (hte_score); the "
                 "pool of firms meeting them (staff and product criteria, R&D notch, IP, "
                 "conversions) sets how many certify; 2020's round renewed the large 2017 "
                 "cohort")
        # the end of certificates (expiring, renewed or not, and firms gone) was read to
        # set hte_renew_prob: a consistency check, not validation
        add("hte_ended_rate", "高企 certificates ended in a year (expired, renewed or not; "
            "revoked; firm gone) / 高企 at the previous year end",
            float(np.nanmean([r["ended"] for r in rates])), 449 / 1472, (0.236, 0.305),
            "read to set hte_renew_prob: Yunnan 2019 29.7%, 2020 30.5% (449 of 1,472) [V* "
            "souzhinan.com; yn.cnipai.com 2020-12-28]; Guangxi 2017 23.6% [V*]",
            "with 3-year certificates about a third of the stock expires each year unless "
            "the stock grows fast (Yunnan's grew 8-22% a year in 2019-21); a renewed "
            "certificate counts as ended and granted, so this share pins the stock's growth "
            "and exits more than renewal")
        pas = [r["passed"] for r in rates]
        if np.isfinite(pas).any():
            add("hte_pass_share", "高企 applicants certified in the round (new and renewing)",
                float(np.nanmean(pas)), 0.79, (0.75, 0.85),
                "set by hte_expert_sd and hte_pool_score: Yunnan 2019 515 of 663 (77.7%), "
                "2020 656 of 817 (80.3%) [V* souzhinan.com; yn.cnipai.com 2020-12-28]",
                "the candidate pool's self-assessed scores sit too close to (or far above) "
                "the pass mark for the experts' noise (hte_expert_sd)")
    q0 = metrics.quarter.min()
    hg = hte_growth_years(metrics)
    if len(hg):
        if 2024 in set(hg.year):
            per, what = hg[hg.year == 2024].set_index("replicate").growth, "2024"
        else:
            per = hg.groupby("replicate").growth.mean()
            what = f"mean of {hg.year.min()}-{hg.year.max()}"
        validate("hte_growth", f"高企 growth a year ({what})", per.to_numpy(),
                 "the eligible pool drains after the first rounds (criteria shares fixed at "
                 "synthesis); in a run with the plan, its levers add certifications the 2024 "
                 "figure (before the plan) does not have")
    share0 = hte_large_share(firms, q0)
    add("hte_over_1yi_start", f"高企 with revenue > 1亿 ({q0})", share0, 0.238,
        (0.15, 0.33), "the start's size mix; Yunnan 2021: 487 of 2,055 高企 (23.8%) [V "
        "yn.news.cn]",
        "高企 are drawn with weight size^0.5 from a lognormal: too few (or many) large ones")
    add("hte_over_1yi_end", f"高企 with revenue > 1亿 ({last})", hte_large_share(firms, last),
        0.238, (0.15, 0.33), "the start's figure carried on: Yunnan 2021: 23.8% [V]",
        "new 高企 are small firms that reach the R&D notch; the share drifts from the start")
    validate("hte_over_1yi", f"高企 with revenue > 1亿 ({last})",
             _per_replicate(firms, lambda g: hte_large_share(g, last)),
             "the evaluation favours firms with IP, conversions and growth, which scale with "
             "R&D in 万元 (assumptions ip_routine_rd_wan, conv_routine_rd_wan): small firms "
             "pass too rarely (share too high) or too often (too low)")
    rdq = [q for q in allq.quarter.unique() if q.startswith(last[:4])]
    rd = allq[(allq.metric == "rd_wan") & allq.quarter.isin(rdq)].groupby("replicate").value.sum()
    rv = allq[(allq.metric == "revenue_wan") & allq.quarter.isin(rdq)].groupby(
        "replicate").value.sum()
    add("rd_intensity", f"R&D / revenue of all zones ({last[:4]})", float((rd / rv).mean()),
        0.02, (0.012, 0.03), "the zones' input R&D intensities rest on national zones ~2.0% "
        "(2021) [D ja.smartjx.com]",
        "the published ~2% is of national zones before the plan; the plan's R&D awards (A1) "
        "and bunching at the notch raise it here; sector R&D intensities are assumptions")
    # yearly paces of the projection against published paces
    init = allq[allq.quarter == q0].groupby("metric")["value"].mean()
    first_y, last_y = int(q0[:4]) + 1, int(last[:4])
    rev_y = allq[allq.metric == "revenue_wan"].assign(y=lambda d: d.quarter.str[:4].astype(int))
    rev_y = rev_y.groupby(["replicate", "y"]).value.sum().groupby("y").mean()
    if last_y - first_y >= 1 and first_y in rev_y and last_y in rev_y:
        pace = (rev_y[last_y] / rev_y[first_y]) ** (1.0 / (last_y - first_y)) - 1.0
        add("revenue_growth", f"zones' revenue growth a year ({first_y}-{last_y})", pace,
            0.096, (0.06, 0.13), "fitted: Kunming +10.7% (2021), +9.6% (H1 2023); Yuxi "
            "+8.5% (2023) [V]", "the levers' revenue effects (B1, B3, B5, B12) add to the "
            "fitted drift", used=True)
    # the goal's horizon: 2027Q4 if the run reaches it
    q27 = "2027Q4" if q_index(last) >= q_index("2027Q4") > q_index(q0) else last
    v27 = allq[(allq.quarter == q27) & (allq.metric == "specialised")].value.mean()
    add("specialised_growth", f"专精特新 growth a year ({q0}-{q27})",
        (v27 / init["specialised"]) ** (4.0 / (q_index(q27) - q_index(q0))) - 1.0, 0.305,
        (0.2, 0.45), "specialised_prob was set to the goal's pace: 1,543 (mid-2025) -> 3,000 "
        "(end 2027), +30.5% a year [V 云政办发〔2025〕27号]",
        "specialised_prob (5% of eligible firms a year) and specialised_uplift are "
        "assumptions, not calibrated: no published series of 专精特新 counts was found")
    bun, r = rd_bunching(firms)
    add("rd_bunching", "firms just above / just below the 高企 R&D threshold",
        bun["excess"], None, (1.5, np.inf), "imposed at synthesis (firms near the notch "
        "bunched) and by the R&D rule; Chen, Liu, Suárez Serrato & Xu 2021 (AER) [V]",
        "too few firms meet the staff and product criteria near the notch, or notch_reach "
        "is small")
    tables = {"growth": gr, "spread": sp_tab, "exit": ex, "bunching_r": r, "sizes": sizes,
              "survival": sv, "zipf": z, "shape": sh, "lognormal": ln, "last": last,
              "hte_growth": hg}
    return checks, tables


def checks_by_kind(checks: list[dict]) -> dict[str, list[dict]]:
    """The checks in two groups, ``validation`` first, then ``consistency``."""
    return {k: [c for c in checks if c["kind"] == k] for k in ("validation", "consistency")}
