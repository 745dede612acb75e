"""``hitech-sim calibrate``: fit behaviour parameters to published series by simulated
method of moments (SMM).

A calibration file (docs/baseline.md, "Calibration"; e.g.
``scenarios/calibration/yunnan.yaml``) names a historical scenario (e.g.
``scenarios/history/yunnan_2020.yaml``: the zones from the end of 2020, without the
plan), the behaviour parameters to fit (a few, each within its plausible range from
:mod:`sim.scenario.params`), and the published moments to fit (growth of a metric
between year ends, or a ratio of two metrics at a quarter), each with a target, a
standard error and a source.

Method:

- every point is simulated with the same replicates ``0..R-1`` of the file's seed
  (common random numbers: the objective is smooth in the parameters, not re-drawn);
- the objective is ``J(θ) = Σ_k ((m̄_k(θ) − t_k) / s_k)² + λ Σ_j ((θ_j − θ0_j) / w_j)²``
  where ``m̄_k`` is the mean over replicates, ``s_k² = se_k² + var_k(θ0) / R`` (the
  target's stated error plus the simulation error of the mean, fixed at the start
  point), ``θ0`` the declared default, ``w_j`` half the plausible range and λ the
  ``prior_weight`` (a ridge penalty: the fit stays well posed when moments barely move
  a parameter);
- minimised by Nelder–Mead (scipy.optimize) over the parameters mapped to [0, 1] on
  their plausible ranges (a point outside is clipped and penalised);
- uncertainty from the curvature: the Jacobian ``G`` of the moments at the optimum by
  central differences (same seeds), covariance ``(Gᵀ W G + λ P)⁻¹ (1 + 1/R)`` with
  ``W = diag(1/s²)`` and ``P = diag(1/w²)``, standard errors and 90% intervals.

A backtest out of sample: the file's ``holdout:`` moments (same format) are never part
of the objective or the curvature; they are simulated once, after the fit, at the fitted
values (and in the curvature's runs, for their sensitivity g), and reported with a 90%
prediction interval ``mean ± 1.645 sqrt(replicate var + gᵀ Σ g)`` (luck plus the fitted
parameters' uncertainty). ``fit_until: YEAR`` refuses a fitted moment of a later year
(``scenarios/calibration/backtest.yaml``; docs/baseline.md, "Backtest").

Outputs: a results folder (``calibration.json``, ``moments.csv``, ``parameters.csv``,
``trace.csv``, with held-out moments ``holdout.csv`` and ``backtest_summary.csv``,
``report.html`` with figures) and, if the file says ``store:``, the
stored result (``scenarios/calibration/yunnan.json``) that the baseline's behaviour
values come from and that :func:`load_calibration` reads.

The file's format and its checks (:func:`load_spec`) are :mod:`sim.scenario.studies`;
the moments of a run and the result's tables are :mod:`sim.analysis.calibration`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import (backtest_summary, backtest_table, moments_of,
                                      moments_table, parameters_table)
from sim.engine.ensemble import Task, execute, with_behaviour
from sim.engine.folder import atomic_write_text
from sim.scenario.params import BEHAVIOUR
from sim.scenario.studies import (Calibration, CalibrationFile, FitParam,  # noqa: F401
                                  Moment, load_spec)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE = ROOT / "scenarios" / "calibration" / "yunnan.json"


# --------------------------------------------------------------------------- moments
def simulate(cal: Calibration, values: dict[str, float], replicates: int | None = None,
             seed: int | None = None, workers: int | None = None,
             moments: list[Moment] | None = None) -> np.ndarray:
    """Moments of each replicate (rows) at behaviour ``values``: replicates 0..R-1 of the
    seed, the same at every point (common random numbers). ``moments``: which (default
    the fitted ``spec.moments``; the held-out ones are computed only at the optimum)."""
    spec = cal.spec
    moments = spec.moments if moments is None else moments
    R = int(replicates or spec.replicates)
    seed = int(spec.seed if seed is None else seed)
    resolved = with_behaviour(cal.scenario.resolved, values)
    name = resolved["name"]
    tasks = [Task(f"{name}--r{k:06d}", resolved, name, k, seed) for k in range(R)]
    got = {}
    for task, res in execute(tasks, parts=None, workers=int(workers or spec.workers)):
        if res.error:
            raise RuntimeError(f"replicate {task.replicate} failed: {res.error}")
        got[task.replicate] = moments_of(res.metrics, moments, resolved)
    return np.array([got[k] for k in range(R)])


# --------------------------------------------------------------------------- fitting


def _to_values(cal: Calibration, x: np.ndarray) -> dict[str, float]:
    lo, hi = cal.bounds[:, 0], cal.bounds[:, 1]
    v = lo + np.clip(x, 0.0, 1.0) * (hi - lo)
    return {p.name: float(val) for p, val in zip(cal.spec.parameters, v, strict=True)}


def calibrate(cal: Calibration, progress: bool = False) -> dict:
    """Fit the calibration's parameters; return the result (a JSON-ready dict).

    The result holds ``parameters`` (name -> fitted value, default, standard error, 90%
    interval, range), ``moments`` (target, se, fitted mean, replicate sd, z-score, at the
    default too), ``objective`` (at the default and at the optimum, evaluations),
    ``correlation`` of the estimates and ``trace`` (every point evaluated).
    """
    from scipy.optimize import minimize

    spec = cal.spec
    t0 = time.perf_counter()
    names = [p.name for p in spec.parameters]
    lo, hi = cal.bounds[:, 0], cal.bounds[:, 1]
    width = hi - lo
    theta0 = np.array([BEHAVIOUR[n].default for n in names])
    theta0 = np.clip(theta0, lo, hi)
    x0 = (theta0 - lo) / width
    target = np.array([m.target for m in spec.moments])
    se = np.array([m.se for m in spec.moments])
    R = spec.replicates
    sims0 = simulate(cal, _to_values(cal, x0))
    var_sim = np.nanvar(sims0, axis=0, ddof=1)
    s2 = se**2 + var_sim / R
    prior_sd = 0.5 * width
    lam = spec.prior_weight
    trace: list[dict] = []

    def objective(x: np.ndarray) -> float:
        xc = np.clip(x, 0.0, 1.0)
        vals = _to_values(cal, xc)
        sims = sims0 if np.array_equal(xc, x0) and not trace else simulate(cal, vals)
        mbar = np.nanmean(sims, axis=0)
        fit = float(np.nansum((mbar - target) ** 2 / s2))
        theta = lo + xc * width
        prior = float(lam * np.sum(((theta - theta0) / prior_sd) ** 2))
        out = fit + prior + 100.0 * float(np.sum((x - xc) ** 2))  # outside the range
        trace.append({"evaluation": len(trace) + 1, **vals, "objective": out,
                      "fit": fit, "prior": prior,
                      **{f"m_{m.id}": float(v) for m, v in zip(spec.moments, mbar, strict=True)}})
        if progress:
            print(f"  [{len(trace):3d}] J = {out:9.4f}  " + ", ".join(
                f"{k} = {v:.4g}" for k, v in vals.items()), file=sys.stderr)
        return out

    p = len(names)
    simplex = [x0] + [np.clip(x0 + np.eye(p)[i] * (0.25 if x0[i] < 0.75 else -0.25), 0, 1)
                      for i in range(p)]
    res = minimize(objective, x0, method="Nelder-Mead",
                   options={"maxfev": spec.max_evaluations, "initial_simplex": np.array(simplex),
                            "xatol": 0.01, "fatol": 0.01})
    best = min(trace, key=lambda r: r["objective"])
    xb = np.array([(best[n] - lo[i]) / width[i] for i, n in enumerate(names)])
    theta = lo + xb * width

    # curvature: Jacobian of the mean moments at the optimum, same seeds. The held-out
    # moments are simulated here for the first time (after the fit), in the same runs,
    # and enter neither the objective nor the curvature (G is the fitted rows only)
    allm = list(spec.moments) + list(spec.holdout)
    K = len(target)
    h = 0.05
    G_all = np.empty((len(allm), p))
    for j in range(p):
        up, dn = xb.copy(), xb.copy()
        up[j] = min(1.0, xb[j] + h)
        dn[j] = max(0.0, xb[j] - h)
        mu = np.nanmean(simulate(cal, _to_values(cal, up), moments=allm), axis=0)
        md = np.nanmean(simulate(cal, _to_values(cal, dn), moments=allm), axis=0)
        G_all[:, j] = (mu - md) / ((up[j] - dn[j]) * width[j])
    G = G_all[:K]
    sims_all = simulate(cal, _to_values(cal, xb), moments=allm)
    sims_b = sims_all[:, :K]
    W = np.diag(1.0 / s2)
    info = G.T @ W @ G + lam * np.diag(1.0 / prior_sd**2)
    cov = np.linalg.pinv(info) * (1.0 + 1.0 / R)
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    corr = cov / np.outer(np.maximum(sd, 1e-300), np.maximum(sd, 1e-300))
    mbar_b = np.nanmean(sims_b, axis=0)
    mbar_0 = np.nanmean(sims0, axis=0)
    params = {}
    for i, n in enumerate(names):
        d = BEHAVIOUR[n]
        params[n] = {
            "value": float(theta[i]), "default": float(d.default), "se": float(sd[i]),
            "p05": float(max(d.valid[0], theta[i] - 1.645 * sd[i])),
            "p95": float(min(d.valid[1], theta[i] + 1.645 * sd[i])),
            "range": [float(lo[i]), float(hi[i])], "unit": d.unit,
        }
    moments = []
    for k, m in enumerate(spec.moments):
        moments.append({
            "id": m.id, "kind": m.kind, "metric": m.metric, "zone": m.zone,
            "years": list(m.years), "target": m.target, "se": m.se, "source": m.source,
            "fitted": float(mbar_b[k]), "replicate_sd": float(np.nanstd(sims_b[:, k], ddof=1)),
            "z": float((mbar_b[k] - m.target) / np.sqrt(s2[k])),
            "at_default": float(mbar_0[k]),
            "z_default": float((mbar_0[k] - m.target) / np.sqrt(s2[k])),
            "sensitivity": {n: float(G[k, j]) for j, n in enumerate(names)},
        })
    holdout = []
    for k, m in enumerate(spec.holdout):
        col = sims_all[:, K + k]
        g = G_all[K + k]
        rep_sd = float(np.nanstd(col, ddof=1)) if np.isfinite(col).sum() > 1 else float("nan")
        par_var = float(g @ cov @ g)  # the fitted parameters' uncertainty (delta method)
        pred_sd = float(np.sqrt(rep_sd**2 + max(par_var, 0.0)))
        mean = float(np.nanmean(col))
        lo_r, hi_r = (float(v) for v in np.nanquantile(col, [0.05, 0.95]))
        holdout.append({
            "id": m.id, "kind": m.kind, "metric": m.metric, "zone": m.zone,
            "years": list(m.years), "target": m.target, "se": m.se, "source": m.source,
            "predicted": mean, "replicate_sd": rep_sd, "replicate_p05": lo_r,
            "replicate_p95": hi_r, "parameter_sd": float(np.sqrt(max(par_var, 0.0))),
            "predictive_sd": pred_sd, "p05": mean - 1.645 * pred_sd,
            "p95": mean + 1.645 * pred_sd,
            "values": [float(v) for v in col],
            "sensitivity": {n: float(g[j]) for j, n in enumerate(names)},
        })
    for k, mo in enumerate(moments):
        mo["values"] = [float(v) for v in sims_b[:, k]]
    return {
        "schema_version": 1,
        "name": spec.name,
        "description": spec.description,
        "scenario": str(cal.scenario.path),
        "scenario_sha256": cal.scenario.sha256,
        "population_scale": spec.scale,
        "replicates": R,
        "seed": spec.seed,
        "prior_weight": lam,
        "method": ("simulated method of moments; common random numbers (replicates 0..R-1 "
                   "of the seed at every point); Nelder-Mead on the plausible ranges; ridge "
                   "prior towards the defaults with sd = half the range; standard errors "
                   "from (G'WG + prior)^-1 (1 + 1/R)"),
        "parameters": params,
        "moments": moments,
        "fit_until": spec.fit_until,
        "holdout": holdout,
        "objective": {"at_default": trace[0]["objective"], "at_optimum": best["objective"],
                      "fit_at_optimum": best["fit"], "evaluations": len(trace),
                      "moments": len(target), "parameters": p,
                      "optimizer_message": str(res.message)},
        "correlation": {n: {m: float(corr[i, j]) for j, m in enumerate(names)}
                        for i, n in enumerate(names)},
        "seconds": round(time.perf_counter() - t0, 2),
        "trace": trace,
    }


# --------------------------------------------------------------------------- outputs


def write_results(result: dict, out: Path) -> Path:
    """Write calibration.json, moments.csv, parameters.csv and trace.csv (and, with
    held-out moments, holdout.csv and backtest_summary.csv) into ``out`` (each file
    atomically); return ``out``. The face then writes report.html with
    :func:`sim.report.calibrate.write_calibration_report`."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(json.dumps(result, ensure_ascii=False, indent=1),
                       out / "calibration.json")
    mom = moments_table(result)
    par = parameters_table(result)
    tables = [("moments", mom), ("parameters", par), ("trace", pd.DataFrame(result["trace"]))]
    if result.get("holdout"):
        tables += [("holdout", backtest_table(result)),
                   ("backtest_summary", backtest_summary(result))]
    for name, df in tables:
        atomic_write_text(df.to_csv(index=False), out / f"{name}.csv")
    return out


def store(result: dict, path: Path) -> None:
    """Write the stored calibration (the result without its trace) atomically."""
    slim = {k: v for k, v in result.items() if k != "trace"}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(json.dumps(slim, ensure_ascii=False, indent=1) + "\n", path)


def load_calibration(path: str | Path | None = None) -> dict:
    """The stored calibration (default ``scenarios/calibration/yunnan.json``).

    Returns the dict written by ``hitech-sim calibrate``: ``parameters`` (name ->
    ``value``, ``default``, ``se``, ``p05``, ``p95``, ``range``, ``unit``), ``moments``
    (per published figure: ``target``, ``se``, ``fitted``, ``z``, ``source``), the
    ``objective``, ``correlation``, ``population_scale``, ``replicates`` and ``seed``.
    Notebooks and reports read this instead of re-fitting.

    >>> cal = load_calibration()
    >>> sorted(cal["parameters"])[:1]  # doctest: +SKIP
    ['drift_base']
    """
    p = Path(path) if path is not None else DEFAULT_STORE
    with open(p, encoding="utf-8") as fh:
        return json.load(fh)


def fitted_behaviour(path: str | Path | None = None) -> dict[str, float]:
    """The fitted behaviour values of a stored calibration: ``{name: value}``, ready for
    ``load_scenario(..., overrides={f"behaviour.{k}": v ...})``."""
    return {k: v["value"] for k, v in load_calibration(path)["parameters"].items()}
