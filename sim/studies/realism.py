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
functions below are public so that notebooks can compute the same statistics.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.folder import holds_folders
from sim.core.calendar import q_index

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
    from sim.scenario.params import CONSTANTS

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


def _verdict(value: float, band: tuple[float, float] | None) -> str:
    if band is None or not np.isfinite(value):
        return "context"
    return "matches" if band[0] <= value <= band[1] else "differs"


def compute_checks(firms: pd.DataFrame, metrics: pd.DataFrame) -> tuple[list[dict], dict]:
    """Every realism check of a run (rows for realism.csv) and the tables behind the
    figures. ``firms`` is firms.parquet (snapshots), ``metrics`` metrics.parquet."""
    qs = q4_snapshots(firms)
    last = qs[-1]
    alive_last = firms[(~firms.exited) & (firms.quarter == last)]
    sizes = alive_last.revenue_4q_wan.to_numpy()
    checks: list[dict] = []

    def add(id_, name, value, reference, band, source, mismatch, used=False):
        v = _verdict(value, band)
        checks.append({"id": id_, "check": name, "value": float(value),
                       "reference": None if reference is None else float(reference),
                       "band_low": None if band is None else float(band[0]),
                       "band_high": None if band is None else float(band[1]),
                       "verdict": v, "used_in_calibration": used, "source": source,
                       "if_differs": mismatch if v == "differs" else ""})

    z = zipf_slope(sizes)
    add("size_zipf_slope", f"upper-tail slope of revenue (top 5%, {last})", z["zeta"], 1.06,
        (0.8, 1.3), "Axtell 2001 (Science 293:1818), US firms, employees [V]",
        "the synthetic population is lognormal (size_sigma), whose tail is thinner than "
        "a power law: the largest firms are too small relative to the rest")
    ln = lognormal_fit(sizes)
    add("size_log_sd", "sd of log annual revenue", ln["sigma"], None, None,
        "Kondo, Lewis & Stella 2018: lognormal may fit better than Pareto [V]", "")
    add("size_lognormal_ks", "KS distance of log revenue to a normal", ln["ks"], 0.0,
        (0.0, 0.05), "lognormal body (Kondo et al. 2018) [V]",
        "entrants (small, ~30万元) and landed projects (large) make the body non-lognormal")
    gr = annual_growth(firms)
    sh = growth_shape(gr.growth.to_numpy())
    add("growth_excess_kurtosis", "excess kurtosis of annual log growth",
        sh["excess_kurtosis"], 3.0, (2.0, 15.0),
        "Stanley et al. 1996 (Nature 379:804): tent-shaped (Laplace: 3) [V]",
        "annual growth sums four quarterly Laplace shocks, which makes it closer to normal "
        "than a yearly tent; or young firms' drift mixes in")
    add("growth_laplace_vs_normal", "mean log-likelihood, Laplace minus normal",
        sh["laplace_minus_normal_loglik"], 0.0, (0.0, np.inf),
        "tent shape (Stanley et al. 1996; Bottazzi & Secchi 2006) [V]",
        "growth rates are closer to normal than to a tent")
    sp, sp_tab = spread_by_size(gr)
    add("growth_spread_beta", "β in sd(growth) ∝ size^-β", sp["beta"], 0.2, (0.1, 0.3),
        "Stanley et al. 1996; Amaral et al. 1997: β ≈ 0.2 [V]",
        "the shock's β (shock_size_beta) is 0.2 but young firms' extra drift and exits of "
        "small firms change the measured spread of small firms")
    ex = exit_by_age(firms)
    for a in (1, 2, 3, 5):
        row = ex[ex.age_year == a]
        if len(row):
            add(f"exit_rate_age{a}", f"yearly exit rate, age year {a}", float(row.rate.iloc[0]),
                SAIC_EXIT[a], (SAIC_EXIT[a] * 0.5, SAIC_EXIT[a] * 1.5),
                "SAIC 2013 survival report (all Chinese firms) [V]",
                "exit_hazard_scale 0.7 and the lower hazard of 高企 and incubatees make firms "
                "in zones exit less than China's average firm (assumption); year-1 exits also "
                "miss firms that enter and exit between two Q4 snapshots")
    sv = entrant_survival(firms)
    for h, ref in ((2, 0.66), (4, 0.44)):
        if h in sv:
            add(f"survival_{h}y", f"entrants surviving {h} years", sv[h], ref,
                (ref - 0.15, ref + 0.15), "BLS (Knaup 2005), US 1998 cohort [V]",
                "Chinese zone firms are not US firms: a context check; lower exit hazards "
                "(exit_hazard_scale) give higher survival")
    allq = metrics[(metrics.zone == "ALL") & (metrics.sector == "ALL")]
    pv = allq[allq.quarter == last].groupby("metric")["value"].mean()
    add("gazelle_share", f"gazelles / enterprises ({last})", pv["gazelles"] / pv["enterprises"],
        0.0254, (0.0254 / 3, 0.0254 * 3), "Torch: 2.54% of zone firms (2011-14) [V]",
        "the Torch share is of firms that report to Torch (larger firms), the model's of all "
        "registered firms; and gazelles must hold a valid 高企 certificate here")
    q0 = metrics.quarter.min()
    share0 = hte_large_share(firms, q0)
    add("hte_over_1yi_start", f"高企 with revenue > 1亿 ({q0})", share0, 0.238,
        (0.15, 0.33), "Yunnan 2021: 487 of 2,055 高企 (23.8%) [V yn.news.cn]",
        "高企 are drawn with weight size^0.5 from a lognormal: too few (or many) large ones")
    add("hte_over_1yi_end", f"高企 with revenue > 1亿 ({last})", hte_large_share(firms, last),
        0.238, (0.15, 0.33), "Yunnan 2021: 23.8% [V]",
        "new 高企 are small firms that reach the R&D notch; the share drifts from the start")
    rdq = [q for q in allq.quarter.unique() if q.startswith(last[:4])]
    rd = allq[(allq.metric == "rd_wan") & allq.quarter.isin(rdq)].groupby("replicate").value.sum()
    rv = allq[(allq.metric == "revenue_wan") & allq.quarter.isin(rdq)].groupby(
        "replicate").value.sum()
    add("rd_intensity", f"R&D / revenue of all zones ({last[:4]})", float((rd / rv).mean()),
        0.02, (0.012, 0.03), "national zones ~2.0% (2021) [D ja.smartjx.com]",
        "the published ~2% is of national zones before the plan; the plan's R&D awards (A1) "
        "and bunching at the notch raise it here; sector R&D intensities are assumptions")
    # yearly paces of the projection against published paces
    init = allq[allq.quarter == q0].groupby("metric")["value"].mean()
    years = (q_index(last) - q_index(q0)) / 4.0
    first_y, last_y = int(q0[:4]) + 1, int(last[:4])
    rev_y = allq[allq.metric == "revenue_wan"].assign(y=lambda d: d.quarter.str[:4].astype(int))
    rev_y = rev_y.groupby(["replicate", "y"]).value.sum().groupby("y").mean()
    if last_y - first_y >= 1 and first_y in rev_y and last_y in rev_y:
        pace = (rev_y[last_y] / rev_y[first_y]) ** (1.0 / (last_y - first_y)) - 1.0
        add("revenue_growth", f"zones' revenue growth a year ({first_y}-{last_y})", pace,
            0.096, (0.06, 0.13), "Kunming +10.7% (2021), +9.6% (H1 2023); Yuxi +8.5% (2023) "
            "[V]", "the levers' revenue effects (B1, B3, B5, B12) add to the fitted drift",
            used=True)
    add("hte_growth", f"高企 growth a year ({q0}-{last})",
        (pv["hte"] / init["hte"]) ** (1.0 / years) - 1.0, 0.25, None,
        "province 2021-23: +22% to +25% a year [V/D]; Kunming 2024 +13% [V] (context)", "")
    # the goal's horizon: 2027Q4 if the run reaches it
    q27 = "2027Q4" if q_index(last) >= q_index("2027Q4") > q_index(q0) else last
    v27 = allq[(allq.quarter == q27) & (allq.metric == "specialised")].value.mean()
    add("specialised_growth", f"专精特新 growth a year ({q0}-{q27})",
        (v27 / init["specialised"]) ** (4.0 / (q_index(q27) - q_index(q0))) - 1.0, 0.305,
        (0.2, 0.45), "the province's goal 1,543 (mid-2025) -> 3,000 (end 2027): +30.5% a year "
        "[V 云政办发〔2025〕27号]; national 2021-24: ~+50% a year [V MIIT]",
        "specialised_prob (5% of eligible firms a year) and specialised_uplift are "
        "assumptions, not calibrated: no published series of 专精特新 counts was found")
    bun, r = rd_bunching(firms)
    add("rd_bunching", "firms just above / just below the 高企 R&D threshold",
        bun["excess"], None, (1.5, np.inf), "Chen, Liu, Suárez Serrato & Xu 2021 (AER): "
        "sharp bunching at the notch [V]", "too few firms meet the staff and product "
        "criteria near the notch, or notch_reach is small")
    tables = {"growth": gr, "spread": sp_tab, "exit": ex, "bunching_r": r, "sizes": sizes,
              "survival": sv, "zipf": z, "shape": sh, "lognormal": ln, "last": last}
    return checks, tables


@holds_folders
def check_realism(loaded, *, out: str | Path, replicates: int = 2, seed: int | None = None,
                  workers: int = 1, overwrite: bool = False, lang="zh,en") -> dict:
    """Run ``loaded`` (a :func:`sim.load_scenario` result) with snapshots, compute every
    check, and write ``out``: the run's files (manifest, metrics, ledger, firms),
    ``realism.csv``, ``realism.json``, ``initial_totals.csv``, figures/ and report.html.
    Returns ``{"checks": [...], "initial": DataFrame, "report": path}``."""
    from sim.engine.batch import read_metrics
    from sim.studies.run import run_scenario
    from sim.scenario.loader import Problem, ScenarioError

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
    from sim.engine.folder import atomic_write_text

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
