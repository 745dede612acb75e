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

Outputs: a results folder (``calibration.json``, ``moments.csv``, ``parameters.csv``,
``trace.csv``, ``report.html`` with figures) and, if the file says ``store:``, the
stored result (``scenarios/calibration/yunnan.json``) that the baseline's behaviour
values come from and that :func:`load_calibration` reads.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sim.core.calendar import q_index, q_label
from sim.scenario.loader import Problem, ScenarioError, load, read_checked
from sim.scenario.params import BEHAVIOUR
from sim.scenario.schema import Num, Quarter, Strict, Text

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE = ROOT / "scenarios" / "calibration" / "yunnan.json"


class FitParam(Strict):
    """A behaviour parameter to fit, within ``[low, high]`` (default: its plausible range)."""

    name: Text
    low: Num() | None = None
    high: Num() | None = None


class Moment(Strict):
    """A published figure the model should reproduce.

    ``growth``: relative change of ``metric`` (a stock at year ends; a flow summed over the
    year) from year y-1 to y, averaged over ``years``; for a flow in the first simulated
    year, y-1 is the scenario's input revenue. ``ratio``: ``metric / denominator`` at
    quarter ``quarter``.
    """

    id: Text
    kind: Literal["growth", "ratio"]
    metric: Text
    zone: Text = "ALL"
    years: list[Num(1990, 2100, integer=True)] = []
    denominator: Text | None = None
    quarter: Quarter | None = None
    target: Num()
    se: Num(0.0, lo_open=True, description="standard error of the target, same unit")
    source: Text


class CalibrationFile(Strict):
    """A calibration file."""

    name: Text
    description: str = ""
    scenario: Text
    scale: Num(0.0, 1.0, lo_open=True) = 0.1
    replicates: Num(2, 1000, integer=True) = 6
    seed: Num(0, 2**63 - 1, integer=True) = 2021
    max_evaluations: Num(1, 100000, integer=True) = 80
    prior_weight: Num(0.0) = 1.0
    workers: Num(1, 64, integer=True) = 1
    store: Text | None = None
    parameters: list[FitParam]
    moments: list[Moment]


@dataclass
class Calibration:
    """A checked calibration file, its scenario (loaded) and where it was read from."""

    spec: CalibrationFile
    path: Path
    scenario: object  # sim.scenario.loader.Loaded
    bounds: np.ndarray  # (p, 2) low, high


def load_spec(path: str | Path, overrides: list[str] | None = None) -> Calibration:
    """Read and check a calibration file; problems name the file, line and key (exit 2).

    ``overrides`` are ``--set`` items applied to the historical scenario.
    """
    path = Path(path)
    spec, origins, name = read_checked(path, CalibrationFile)

    def line(*loc):
        return origins.get(tuple(loc), (name, 0))[1]

    problems = []
    bounds = []
    if not spec.parameters:
        problems.append(Problem(name, line("parameters"), "parameters", "no parameters to fit "
                                "(valid: a list of behaviour parameter names)"))
    for i, p in enumerate(spec.parameters):
        if p.name not in BEHAVIOUR:
            import difflib

            near = difflib.get_close_matches(p.name, list(BEHAVIOUR), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            problems.append(Problem(name, line("parameters", i, "name"), f"parameters.{i}.name",
                                    f"unknown behaviour parameter {p.name!r} ({hint}valid: "
                                    "see docs/parameters.md)"))
            continue
        d = BEHAVIOUR[p.name]
        lo = d.low if p.low is None else p.low
        hi = d.high if p.high is None else p.high
        if not (d.valid[0] <= lo < hi <= d.valid[1]):
            problems.append(Problem(name, line("parameters", i), f"parameters.{i}",
                                    f"range [{lo:g}, {hi:g}] is empty or outside the valid "
                                    f"range [{d.valid[0]:g}, {d.valid[1]:g}]"))
        bounds.append((lo, hi))
    if len(spec.moments) < 1:
        problems.append(Problem(name, line("moments"), "moments", "no moments (valid: a list "
                                "of published figures to fit)"))
    ids = [m.id for m in spec.moments]
    for i, m in enumerate(spec.moments):
        if ids.index(m.id) != i:
            problems.append(Problem(name, line("moments", i, "id"), f"moments.{i}.id",
                                    f"duplicate id {m.id!r}"))
        if m.kind == "growth" and not m.years:
            problems.append(Problem(name, line("moments", i), f"moments.{i}.years",
                                    "a growth moment needs years (valid: e.g. [2021, 2022])"))
        if m.kind == "ratio" and (m.denominator is None or m.quarter is None):
            problems.append(Problem(name, line("moments", i), f"moments.{i}",
                                    "a ratio moment needs denominator and quarter"))
    scen = (path.parent / spec.scenario)
    if not scen.exists():
        problems.append(Problem(name, line("scenario"), "scenario", f"no such file: "
                                f"{spec.scenario} (valid: a scenario path relative to the "
                                "calibration file)"))
    if problems:
        raise ScenarioError(problems)
    sets = [f"population.scale={spec.scale}"] + list(overrides or [])
    loaded = load(scen, sets)
    sc = loaded.model
    from sim.core.metrics import FLOW_METRICS, METRIC_NAMES

    zones = {z.id for z in sc.zones} | {"ALL"}
    start, end = q_index(sc.calendar.start), q_index(sc.calendar.end)
    for i, m in enumerate(spec.moments):
        for key in ("metric", "denominator"):
            v = getattr(m, key)
            if v is not None and v not in METRIC_NAMES:
                problems.append(Problem(name, line("moments", i, key), f"moments.{i}.{key}",
                                        f"unknown metric {v!r} (valid: see interface.md)"))
        if m.zone not in zones:
            problems.append(Problem(name, line("moments", i, "zone"), f"moments.{i}.zone",
                                    f"unknown zone {m.zone!r} (valid: {', '.join(sorted(zones))})"))
        for y in m.years:
            prev_ok = ((y - 1) * 4 >= start or (y - 1) * 4 + 3 == start - 1
                       if m.metric in FLOW_METRICS else (y - 1) * 4 + 3 >= start - 1)
            if not (prev_ok and y * 4 >= start and y * 4 + 3 <= end):
                problems.append(Problem(name, line("moments", i, "years"), f"moments.{i}.years",
                                        f"{y} and the year before are not both inside "
                                        f"the calendar {sc.calendar.start}..{sc.calendar.end}"
                                        " (a flow's year before the start must end just "
                                        "before it)"))
        if m.quarter is not None and not (start - 1 <= q_index(m.quarter) <= end):
            problems.append(Problem(name, line("moments", i, "quarter"),
                                    f"moments.{i}.quarter", f"{m.quarter} is outside the "
                                    f"calendar {q_label(start - 1)}..{sc.calendar.end}"))
    if len(spec.moments) <= len(spec.parameters) and spec.prior_weight == 0:
        problems.append(Problem(name, line("prior_weight"), "prior_weight", "fewer moments "
                                "than parameters and no prior (valid: more moments than "
                                "parameters, or prior_weight > 0)"))
    if problems:
        raise ScenarioError(problems)
    return Calibration(spec, path, loaded, np.array(bounds, float))


# --------------------------------------------------------------------------- moments


def moments_of(metrics: pd.DataFrame, moments: list[Moment], resolved: dict) -> np.ndarray:
    """The moments of one replicate's metrics table (long format of interface.md).

    A growth moment of a flow in the first simulated year compares with the scenario's
    input annual revenue (``zones[].firms.revenue_wan`` x ``population.scale``).
    """
    m = metrics[metrics["sector"] == "ALL"]
    piv = m.pivot_table(index=["zone", "quarter"], columns="metric", values="value")
    scale = resolved["population"]["scale"]
    start = q_index(resolved["calendar"]["start"])
    base_rev = {z["id"]: z["firms"]["revenue_wan"] * scale for z in resolved["zones"]}
    base_rev["ALL"] = sum(base_rev.values())
    from sim.core.metrics import FLOW_METRICS

    def value(metric: str, zone: str, year: int) -> float:
        if metric in FLOW_METRICS:
            if year * 4 < start:  # the year before the start: the input; else not known
                if metric != "revenue_wan" or year * 4 + 3 != start - 1:
                    return np.nan
                return base_rev[zone]
            qs = [q_label(year * 4 + i) for i in range(4)]
            return float(np.nansum([piv.loc[(zone, q), metric] for q in qs]))
        return float(piv.loc[(zone, f"{year}Q4"), metric])

    out = np.empty(len(moments))
    for i, mo in enumerate(moments):
        if mo.kind == "growth":
            g = [value(mo.metric, mo.zone, y) / value(mo.metric, mo.zone, y - 1) - 1.0
                 for y in mo.years]
            out[i] = float(np.mean(g))
        else:
            num = piv.loc[(mo.zone, mo.quarter), mo.metric]
            den = piv.loc[(mo.zone, mo.quarter), mo.denominator]
            out[i] = float(num / den) if den else np.nan
    return out


def simulate(cal: Calibration, values: dict[str, float], replicates: int | None = None,
             seed: int | None = None, workers: int | None = None) -> np.ndarray:
    """Moments of each replicate (rows) at behaviour ``values``: replicates 0..R-1 of the
    seed, the same at every point (common random numbers)."""
    from sim.engine.ensemble import Task, execute, with_behaviour

    spec = cal.spec
    R = int(replicates or spec.replicates)
    seed = int(spec.seed if seed is None else seed)
    resolved = with_behaviour(cal.scenario.resolved, values)
    name = resolved["name"]
    tasks = [Task(f"{name}--r{k:06d}", resolved, name, k, seed) for k in range(R)]
    got = {}
    for task, res in execute(tasks, parts=None, workers=int(workers or spec.workers)):
        if res.error:
            raise RuntimeError(f"replicate {task.replicate} failed: {res.error}")
        got[task.replicate] = moments_of(res.metrics, spec.moments, resolved)
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
            import sys

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

    # curvature: Jacobian of the mean moments at the optimum, same seeds
    h = 0.05
    G = np.empty((len(target), p))
    for j in range(p):
        up, dn = xb.copy(), xb.copy()
        up[j] = min(1.0, xb[j] + h)
        dn[j] = max(0.0, xb[j] - h)
        mu = np.nanmean(simulate(cal, _to_values(cal, up)), axis=0)
        md = np.nanmean(simulate(cal, _to_values(cal, dn)), axis=0)
        G[:, j] = (mu - md) / ((up[j] - dn[j]) * width[j])
    sims_b = simulate(cal, _to_values(cal, xb))
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
    """Write calibration.json, moments.csv, parameters.csv and trace.csv into ``out``
    (each file atomically); return ``out``. The face then writes report.html with
    :func:`sim.report.calibrate.write_calibration_report`."""
    from sim.engine.folder import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(json.dumps(result, ensure_ascii=False, indent=1),
                       out / "calibration.json")
    mom = moments_table(result)
    par = parameters_table(result)
    for name, df in (("moments", mom), ("parameters", par),
                     ("trace", pd.DataFrame(result["trace"]))):
        atomic_write_text(df.to_csv(index=False), out / f"{name}.csv")
    return out


def moments_table(result: dict) -> pd.DataFrame:
    """Moments fitted vs target as a table (one row per moment)."""
    cols = ["id", "zone", "metric", "target", "se", "at_default", "fitted", "replicate_sd", "z",
            "source"]
    return pd.DataFrame([{k: m[k] for k in cols} for m in result["moments"]], columns=cols)


def parameters_table(result: dict) -> pd.DataFrame:
    """Fitted parameters as a table (one row per parameter)."""
    return pd.DataFrame([{"parameter": n, "default": p["default"], "fitted": p["value"],
                          "se": p["se"], "p05": p["p05"], "p95": p["p95"],
                          "range_low": p["range"][0], "range_high": p["range"][1],
                          "unit": p["unit"]} for n, p in result["parameters"].items()])


def store(result: dict, path: Path) -> None:
    """Write the stored calibration (the result without its trace) atomically."""
    from sim.engine.folder import atomic_write_text

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
