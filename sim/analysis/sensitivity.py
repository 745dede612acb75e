"""Sensitivity statistics: per-point outcomes, Morris and Sobol tables (SALib), the
choice of the Sobol parameters and the summary table of ``hitech-sim sensitivity``.

DataFrames and arrays in, DataFrames out; the study (:mod:`sim.studies.sensitivity`)
runs the points and writes the tables. SALib is imported where it is used (a heavy
optional dependency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.targets import meets
from sim.scenario.params import BEHAVIOUR


CONF = 0.95  # confidence level of the bootstrap intervals
RESAMPLES = 1000  # bootstrap resamples


def derived_seed(seed: int, n: int) -> int:
    """A design's own seed, spawned from the study's (so designs do not share draws)."""
    return int(np.random.SeedSequence(seed, spawn_key=(2**31 + n,)).generate_state(1)[0])


def quantity(o: dict) -> str:
    """What a point's value of this outcome is."""
    return "probability" if "op" in o else "mean"


def per_point(rows: pd.DataFrame, outcomes: list[dict], by: list[str]) -> pd.DataFrame:
    """Per group (``by``) and outcome: the mean over replicates, or for a target the share
    of replicates meeting it. Columns: by..., one per outcome id."""
    cols = {}
    for o in outcomes:
        sel = rows[rows.outcome == o["id"]]
        x = sel["value"].to_numpy(float)
        if "op" in o:
            x = meets(x, o["op"], o["threshold"])
        cols[o["id"]] = pd.Series(x.astype(float), index=pd.MultiIndex.from_frame(sel[by])) \
            .groupby(level=list(range(len(by)))).mean()
    return pd.DataFrame(cols).reset_index().rename(columns={f"level_{i}": b
                                                              for i, b in enumerate(by)})


def problem_of(names: list[str]) -> dict:
    """SALib's problem for behaviour parameters ``names``: their plausible ranges."""
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[BEHAVIOUR[n].low, BEHAVIOUR[n].high] for n in names]}


def morris_table(X: np.ndarray, Y: pd.DataFrame, names: list[str], outcomes: list[dict],
                 levels: int, seed: int) -> pd.DataFrame:
    """Morris statistics per outcome and parameter (SALib), ranked by ``mu_star``."""
    from SALib.analyze import morris

    rows = []
    for o in outcomes:
        y = Y[o["id"]].to_numpy(float)
        if not np.isfinite(y).all():
            continue
        r = morris.analyze(problem_of(names), X, y, num_resamples=RESAMPLES,
                           conf_level=CONF, num_levels=levels, seed=seed)
        top = float(np.nanmax(r["mu_star"])) if len(names) else 0.0
        for j, n in enumerate(names):
            rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                         "mu": float(r["mu"][j]), "mu_star": float(r["mu_star"][j]),
                         "mu_star_conf": float(r["mu_star_conf"][j]),
                         "sigma": float(r["sigma"][j]),
                         "mu_star_relative": float(r["mu_star"][j]) / top if top > 0 else 0.0})
    df = pd.DataFrame(rows)
    if not df.empty:
        df["rank"] = df.groupby("outcome")["mu_star"].rank(ascending=False, method="first") \
            .astype(int)
        df = df.sort_values(["outcome", "rank"], kind="stable").reset_index(drop=True)
    return df


def choose_sobol(mt: pd.DataFrame, names: list[str], k: int) -> list[str]:
    """The ``k`` parameters that matter most for any outcome: by the largest ``mu_star``
    relative to the outcome's top parameter, ties by declaration order. Outcomes that are
    means rank; target probabilities only when there is nothing else (at a few replicates
    a point they move in steps of 1/replicates, too coarse to rank on)."""
    if mt.empty:
        return names[:k]
    means = mt[mt.quantity == "mean"]
    score = (means if not means.empty else mt).groupby("parameter")["mu_star_relative"].max()
    order = sorted(names, key=lambda n: (-float(score.get(n, 0.0)), names.index(n)))
    return order[:k]


MISSES_DRIVER = ("Morris's top parameter for this outcome ({top}) is not among the Sobol "
                 "parameters: these indices apportion only the variance the chosen ones make")


def left_out_driver(mt: pd.DataFrame | None, names: list[str], outcome: str) -> str | None:
    """Morris's top parameter for ``outcome`` if the Sobol parameters ``names`` leave out
    its main drivers (none of them has half of its top ``mu_star``), else None."""
    if mt is None or mt.empty:
        return None
    g = mt[mt.outcome == outcome]
    if g.empty or g[g.parameter.isin(names)]["mu_star_relative"].max() >= 0.5:
        return None
    return str(g.loc[g["mu_star"].idxmax(), "parameter"])


def sobol_table(Y: pd.DataFrame, names: list[str], outcomes: list[dict],
                seed: int, mt: pd.DataFrame | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap intervals (SALib).

    With the Morris table ``mt``, an outcome whose main drivers were left out of the
    Sobol parameters (none of them has half the ``mu_star`` of the outcome's top one)
    gets a note saying so: its indices share out a small part of its variance."""
    from SALib.analyze import sobol

    rows = []
    for o in outcomes:
        top = left_out_driver(mt, names, o["id"])
        note = MISSES_DRIVER.format(top=top) if top else ""
        y = Y[o["id"]].to_numpy(float)
        if not np.isfinite(y).all() or np.var(y) == 0:
            for n in names:  # a constant outcome: nothing to apportion
                rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                             "S1": np.nan, "S1_conf": np.nan, "ST": np.nan, "ST_conf": np.nan,
                             "note": "outcome does not vary"})
            continue
        r = sobol.analyze(problem_of(names), y, calc_second_order=False,
                          num_resamples=RESAMPLES, conf_level=CONF, seed=seed)
        for j, n in enumerate(names):
            rows.append({"outcome": o["id"], "quantity": quantity(o), "parameter": n,
                         "S1": float(r["S1"][j]), "S1_conf": float(r["S1_conf"][j]),
                         "ST": float(r["ST"][j]), "ST_conf": float(r["ST_conf"][j]),
                         "note": note})
    return pd.DataFrame(rows)


def summary_table(mt: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """sensitivity.csv: per outcome and parameter, Morris and (where run) Sobol figures."""
    if mt.empty:
        return mt
    df = mt[["outcome", "quantity", "parameter", "rank", "mu_star", "mu_star_conf", "sigma",
             "mu_star_relative"]].rename(columns={"rank": "morris_rank"})
    if not st.empty:
        df = df.merge(st[["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]],
                      on=["outcome", "parameter"], how="left")
    return df
