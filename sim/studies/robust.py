"""``hitech-sim robust``: which lever settings meet the targets whatever behaviour is.

A robust file (docs/uncertainty.md) names a base scenario, the lever settings to
compare (overrides of the base, variant files, or the points of a sweep file), the
uncertain behaviour parameters (``all`` or a list), how many worlds to sample (a
Latin hypercube over their plausible ranges) and the outcomes. Every setting runs in
every world on the same replicates (world ``j`` runs replicates ``j*R .. j*R+R-1`` of
the seed: each world has its own luck, every setting sees the same luck and the same
behaviour in that world). Per setting it reports

- the probability of meeting each target of the base (over worlds and replicates;
  thresholds scaled by ``population.scale``) and the cost (awards paid over the whole
  calendar, 万元);
- the regret of each outcome: in each world, how far the setting falls short of the
  best setting in that world (mean, 90th percentile and maximum over worlds);
- scenario discovery: PRIM boxes (Friedman & Fisher 1999, peeling only) over the
  uncertain parameters that hold the worlds where the setting misses a target.

PRIM is implemented here (``prim``, ~40 lines) rather than taken from ema_workbench,
whose dependencies (scikit-learn, statsmodels, seaborn, platypus) outweigh the peeling
this needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from sim.engine.folder import holds_folders
from sim.scenario.loader import Problem, ScenarioError, _display, load
from sim.scenario.params import BEHAVIOUR
from sim.scenario.schema import Num, Strict, Text
from sim.engine.ensemble import with_behaviour
from sim.studies.sensitivity import (check_design, check_names, derived_seed, per_point, problem,
                             quantity, read_parts, read_study, run_stage, study_outcomes,
                             write_csv)
from sim.studies.sweep import Outcome

COST = "cost_wan"


class Setting(Strict):
    """One lever setting: a variant file (default: the base) and overrides."""

    file: Text | None = None
    set: dict[str, Any] = {}


class RobustOutcome(Outcome):
    """An outcome and which way is better (for regret)."""

    sense: Literal["max", "min"] = "max"


class Prim(Strict):
    """PRIM peeling: share peeled per step, smallest box, coverage the box must keep."""

    peel: Num(0.01, 0.5) = 0.05
    min_mass: Num(0.01, 1.0) = 0.05
    min_coverage: Num(0.0, 1.0) = 0.5
    keep_gain: Num(0.0, 1.0) = 0.05


class RobustFile(Strict):
    """A robust-levers file."""

    name: Text
    description: str = ""
    base: Text
    set: dict[str, Any] = {}
    settings: dict[str, Setting] = {}
    sweep: Text | None = None
    uncertain: list[str] | Literal["all"] = "all"
    samples: Num(2, 100000, integer=True) = 40
    replicates: Num(1, 10000, integer=True) = 2
    seed: Num(0, 2**63 - 1, integer=True) | None = None
    outcomes: list[RobustOutcome] = Field(default_factory=list)
    targets: bool = True
    prim: Prim = Field(default_factory=Prim)


def load_robust(path: str | Path):
    """Read and check a robust file; return it, the loaded base, the outcomes and the
    settings as ``{name: loaded scenario}``."""
    from sim.studies.sweep import load_sweep, points_of

    path = Path(path)
    rf, base_path, origins = read_study(path, RobustFile)
    problems = check_names(path, origins, rf.uncertain, "uncertain")
    if not rf.settings and rf.sweep is None:
        problems.append(problem(path, origins, ("settings",), "settings", "no lever settings "
                                "(valid: `settings:` name -> {file, set}, and/or `sweep:` a "
                                "sweep file)"))
    if problems:
        raise ScenarioError(problems)

    def loaded(where: str, file: Path, over: dict):
        try:
            return load(file, over)
        except ScenarioError as e:
            raise ScenarioError([Problem(_display(path), origins.get(("settings",), (0, 0))[1],
                                         f"{where} -> {q.path}", q.message)
                                 for q in e.problems]) from None

    base = loaded("set", base_path, rf.set)
    seed = int(base.model.seed if rf.seed is None else rf.seed)
    settings = {}
    for name, s in rf.settings.items():
        file = (path.parent / s.file).resolve() if s.file else base_path
        if not file.exists():
            raise ScenarioError([problem(path, origins, ("settings", name, "file"),
                                         f"settings.{name}.file", f"no such file: {s.file} "
                                         "(valid: a scenario path relative to this file)")])
        settings[name] = loaded(f"settings.{name}", file, {**rf.set, **s.set})
    if rf.sweep is not None:
        spath = (path.parent / rf.sweep).resolve()
        if not spath.exists():
            raise ScenarioError([problem(path, origins, ("sweep",), "sweep", f"no such file: "
                                         f"{rf.sweep} (valid: a sweep file relative to this "
                                         "file)")])
        sw, sbase = load_sweep(spath)
        for i, p in enumerate(points_of(sw, seed)):
            label = ", ".join(".".join(k.split(".")[-2:]) + (
                f"={v:g}" if isinstance(v, (int, float)) else f"={v}") for k, v in p.items())
            settings[label or f"point {i}"] = loaded(f"sweep point {i}", sbase,
                                                     {**sw.set, **rf.set, **p})
    ends = {L.model.calendar.end for L in settings.values()} | {base.model.calendar.end}
    if len(ends) > 1:
        raise ScenarioError([problem(path, origins, ("settings",), "settings", "settings end "
                                     f"in different quarters ({', '.join(sorted(ends))}); "
                                     "valid: one calendar for all")])
    outcomes = study_outcomes(path, origins, rf.outcomes, base, rf.targets)
    return rf, base, outcomes, settings, seed


def worlds_of(names: list[str], n: int, seed: int) -> pd.DataFrame:
    """``n`` worlds: a Latin hypercube over the parameters' plausible ranges."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(derived_seed(seed, 5))) \
        .random(n)
    lo = np.array([BEHAVIOUR[k].low for k in names])
    hi = np.array([BEHAVIOUR[k].high for k in names])
    return pd.DataFrame(lo + u * (hi - lo), columns=names)


def prim(X: np.ndarray, y: np.ndarray, *, peel: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5, keep_gain: float = 0.05) -> dict | None:
    """PRIM (Friedman & Fisher 1999) for the box where ``y`` (0..1: share failing) is high.

    Peeling: each step removes the ``peel`` share of the box's points from the low or
    high end of one dimension, whichever leaves the highest mean ``y``, until the box
    would hold less than ``min_mass`` of the points. Of that trajectory, the box with the
    highest density (mean ``y`` inside) among those keeping at least ``min_coverage`` of
    all failure is chosen; then each restriction whose removal lowers the density by
    less than ``keep_gain`` (relative) is dropped, weakest first, so that only the
    conditions that matter are reported. Returns None when nothing fails.
    """
    n, d = X.shape
    total = float(y.sum())
    if total <= 0:
        return None
    lo, hi = X.min(0).astype(float), X.max(0).astype(float)
    full = (lo.copy(), hi.copy())

    def members(a, b):
        return np.all((X >= a) & (X <= b), axis=1)

    inside = np.ones(n, bool)
    boxes = [(lo.copy(), hi.copy())]
    floor = max(min_mass * n, 2)
    while True:
        best = None
        for j in range(d):
            xj = X[inside, j]
            for side in (0, 1):
                cut = np.quantile(xj, peel if side == 0 else 1 - peel)
                keep = inside & ((X[:, j] >= cut) if side == 0 else (X[:, j] <= cut))
                if keep.sum() == inside.sum():  # ties at the edge: drop the edge value
                    edge = xj.min() if side == 0 else xj.max()
                    keep = inside & ((X[:, j] > edge) if side == 0 else (X[:, j] < edge))
                if keep.sum() < floor or keep.sum() == inside.sum():
                    continue
                m = float(y[keep].mean())
                if best is None or m > best[0] + 1e-12:
                    best = (m, j, side, keep)
        if best is None:
            break
        _, j, side, inside = best
        if side == 0:
            lo[j] = X[inside, j].min()
        else:
            hi[j] = X[inside, j].max()
        boxes.append((lo.copy(), hi.copy()))

    def stats(a, b):
        m = members(a, b)
        return {"coverage": float(y[m].sum()) / total, "density": float(y[m].mean()),
                "mass": float(m.mean())}

    traj = [stats(a, b) for a, b in boxes]
    ok = [i for i, t in enumerate(traj) if t["coverage"] >= min_coverage] or [0]
    i = max(ok, key=lambda i: (traj[i]["density"], traj[i]["coverage"]))
    lo, hi = boxes[i][0].copy(), boxes[i][1].copy()
    while True:  # drop restrictions that add little
        dens = stats(lo, hi)["density"]
        cands = []
        for j in range(d):
            if lo[j] > full[0][j] or hi[j] < full[1][j]:
                a, b = lo.copy(), hi.copy()
                a[j], b[j] = full[0][j], full[1][j]
                cands.append((stats(a, b)["density"], j))
        cands = [c for c in cands if c[0] >= dens * (1 - keep_gain)]
        if not cands:
            break
        j = max(cands)[1]
        lo[j], hi[j] = full[0][j], full[1][j]
    return {**stats(lo, hi), "low": lo, "high": hi, "inside": members(lo, hi),
            "trajectory": traj, "step": i,
            "restricted": [j for j in range(d) if lo[j] > full[0][j] or hi[j] < full[1][j]]}


def _tasks(settings: dict, worlds: pd.DataFrame, rf, seed: int, outcomes: list[dict]):
    from sim.engine.ensemble import Task

    R = int(rf.replicates)
    tasks = []
    for si, (name, L) in enumerate(settings.items()):
        for j, row in worlds.iterrows():
            resolved = with_behaviour(L.resolved, row.to_dict())
            for k in range(R):
                tasks.append(Task(f"s{si:03d}--w{j:05d}--r{k:04d}", resolved, name,
                                  j * R + k, seed, outcomes=outcomes,
                                  extra={"setting": name, "world": int(j)}))
    return tasks


def _costs(parts: Path, tasks: list) -> pd.DataFrame:
    rows = []
    for t in tasks:
        done = parts / f"{t.key}.done"
        if done.is_file():
            total = json.loads(done.read_text(encoding="utf-8")).get("ledger_total")
            rows.append({"setting": t.extra["setting"], "world": t.extra["world"],
                         "replicate": t.replicate, "outcome": COST, "value": total})
    return pd.DataFrame(rows)


def regret_table(W: pd.DataFrame, measures: list[dict]) -> pd.DataFrame:
    """Per setting, world and measure: its value, the best setting's in that world, and
    the regret (how far it falls short of the best, >= 0)."""
    rows = []
    for o in measures:
        v = W.pivot(index="world", columns="setting", values=o["id"])
        best = v.max(axis=1) if o["sense"] == "max" else v.min(axis=1)
        reg = (best.to_numpy()[:, None] - v.to_numpy()) * (1 if o["sense"] == "max" else -1)
        for c, s in enumerate(v.columns):
            for r, w in enumerate(v.index):
                rows.append({"setting": s, "world": int(w), "outcome": o["id"],
                             "value": float(v.iloc[r, c]), "best": float(best.iloc[r]),
                             "regret": float(reg[r, c])})
    return pd.DataFrame(rows)


def summary(W: pd.DataFrame, rg: pd.DataFrame, measures: list[dict],
            order: list[str]) -> pd.DataFrame:
    """robust.csv: per setting and measure, the mean over worlds (a target: probability
    of meeting it), 5%/95% over worlds, regret and how often the setting is best."""
    rows = []
    for s in order:
        w = W[W.setting == s]
        for o in measures:
            x = w[o["id"]].to_numpy(float)
            r = rg[(rg.setting == s) & (rg.outcome == o["id"])]["regret"].to_numpy(float)
            rows.append({"setting": s, "outcome": o["id"], "quantity": o["quantity"],
                         "sense": o["sense"], "value": float(np.mean(x)),
                         "p05": float(np.quantile(x, 0.05)), "p95": float(np.quantile(x, 0.95)),
                         "regret_mean": float(r.mean()), "regret_p90": float(np.quantile(r, 0.9)),
                         "regret_max": float(r.max()), "best_share": float((r <= 1e-12).mean())})
    return pd.DataFrame(rows)


def discovery(W: pd.DataFrame, worlds: pd.DataFrame, targets: list[dict], order: list[str],
              opts) -> pd.DataFrame:
    """prim.csv: per setting and target, the box of worlds where it misses the target."""
    names = list(worlds.columns)
    X = worlds.to_numpy(float)
    rows = []
    for s in order:
        w = W[W.setting == s].set_index("world").reindex(worlds.index)
        for t in targets:
            y = 1.0 - w[t["id"]].to_numpy(float)
            base = {"setting": s, "target": t["id"], "failure_rate": float(y.mean())}
            box = prim(X, y, peel=opts.peel, min_mass=opts.min_mass,
                       min_coverage=opts.min_coverage, keep_gain=opts.keep_gain)
            if box is None:
                rows.append({**base, "note": "never misses the target"})
                continue
            if not box["restricted"]:
                rows.append({**base, "coverage": 1.0, "density": box["density"], "mass": 1.0,
                             "note": "no box: misses it across the whole space"
                             if y.mean() > 0.5 else "no box sharper than the whole space"})
                continue
            for j in box["restricted"]:
                n = names[j]
                rows.append({**base, "coverage": box["coverage"], "density": box["density"],
                             "mass": box["mass"], "parameter": n,
                             "low": float(box["low"][j]), "high": float(box["high"][j]),
                             "range_low": BEHAVIOUR[n].low, "range_high": BEHAVIOUR[n].high,
                             "note": ""})
    return pd.DataFrame(rows)


@holds_folders
def run_robust(path: str | Path, *, out: str | Path, workers: int = 1,
               scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
               progress: bool = False) -> dict:
    """Run a robust file; write its results folder; return the manifest."""
    from sim.engine.folder import write_manifest
    from sim.engine.ensemble import assemble, prepare
    from sim.engine.folder import atomic_write_text
    from sim.engine.folder import now, versions

    rf, base, outcomes, settings, seed = load_robust(path)
    names = list(BEHAVIOUR) if rf.uncertain == "all" else list(rf.uncertain)
    worlds = worlds_of(names, int(rf.samples), seed)
    out = Path(out)
    parts = prepare(out, overwrite, resume)
    check_design(out, {"study": rf.model_dump(mode="json"), "base": base.sha256, "seed": seed,
                       "settings": {k: L.sha256 for k, L in settings.items()}}, resume)
    started = now()
    tasks = _tasks(settings, worlds, rf, seed, outcomes)
    failed = run_stage(tasks, parts, workers=workers, scheduler=scheduler, resume=resume,
                       progress=progress)
    assemble(parts, tasks, out)
    order = list(settings)
    measures = [{"id": o["id"], "quantity": quantity(o), "sense": o.get("sense", "max")}
                for o in outcomes] + [{"id": COST, "quantity": "mean", "sense": "min"}]
    write_csv(worlds.rename_axis("world").reset_index(), out / "worlds.csv")
    if not failed:
        rows = pd.concat([read_parts(parts, tasks), _costs(parts, tasks)], ignore_index=True)
        W = per_point(rows, outcomes + [{"id": COST}], ["setting", "world"])
        rg = regret_table(W, measures)
        write_csv(summary(W, rg, measures, order), out / "robust.csv")
        write_csv(rg, out / "regret.csv")
        write_csv(discovery(W, worlds, [o for o in outcomes if "op" in o], order, rf.prim),
                  out / "prim.csv")
    atomic_write_text(json.dumps(outcomes, ensure_ascii=False, indent=1), out / "outcomes.json")
    manifest = {
        "schema_version": 1, "command": "robust", "study": rf.name, "source": str(path),
        "base": str(base.path), "base_sha256": base.sha256, "seed": seed,
        "population_scale": base.model.population.scale, "replicates": int(rf.replicates),
        "worlds": int(rf.samples), "uncertain": names,
        "settings": {k: {"source": str(L.path), "sha256": L.sha256} for k, L in
                     settings.items()},
        "pairing": "world j runs replicates j*R..j*R+R-1 of the seed in every setting (same "
                   "behaviour and luck); a world's value is the mean over them (a target's: "
                   "the share meeting it)",
        "workers": workers, "scheduler": scheduler, "versions": versions(),
        "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "file": rf.model_dump(mode="json"),
    }
    write_manifest(out, manifest)
    return manifest


def headline(out: Path) -> list[str]:
    """Per setting: target probabilities, cost and regret of the first outcome."""
    from sim.studies.sensitivity import _read

    rb = _read(out / "robust.csv")
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


read_file = load_robust
run_file = run_robust


def size(m: dict) -> str:
    """What was run, in a few words."""
    return (f"{len(m['settings'])} setting(s) x {m['worlds']} world(s) x {m['replicates']} "
            "replicate(s)")


def report(R, m: dict) -> str:
    """The robust report's sections (called by sim.report.write_report)."""
    import matplotlib.pyplot as plt

    from sim.report import COLORS, _safe
    from sim.studies.sensitivity import _fmt, _read, report_head

    L, out = R.L, R.out
    title = report_head(R, m, ("稳健政策组合报告", "Robust levers report"), "robust.csv", [
        (("政策组合", "Lever settings"), ", ".join(m.get("settings", {}))),
        (("不确定参数", "Uncertain parameters"), ", ".join(m.get("uncertain", []))),
        (("抽样世界数", "Sampled worlds"), str(m.get("worlds"))),
        (("每个世界重复次数", "Replicates per world"), str(m.get("replicates")))])
    rb, pr = _read(out / "robust.csv"), _read(out / "prim.csv")
    worlds = _read(out / "worlds.csv")
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
            for names in _nearby(order, x, first * 100):  # one label per crowded spot
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
        R.table(_fmt(tab, [c for c in tab.columns if c != "setting"]), "probability_cost",
                caption=("各政策组合的达标概率与成本", "Probability of each target and cost"),
                csv=tab)
    R.h2("后悔值", "Regret")
    reg = rb[["setting", "outcome", "sense", "value", "regret_mean", "regret_p90",
              "regret_max", "best_share"]]
    R.table(_fmt(reg, ["value", "regret_mean", "regret_p90", "regret_max", "best_share"]),
            "regret_summary", caption=("后悔值（相对每个世界中最好的组合）",
                                       "Regret against the best setting in each world"),
            csv=reg)
    R.h2("情景发现（PRIM）", "Scenario discovery (PRIM)")
    R.p("PRIM 框出某组合未达标的世界集中在哪些参数区间：覆盖率 = 框内未达标占全部未达标的比例，密度 = 框内未达标的比例。",
        "PRIM boxes the region of the uncertain parameters where a setting misses a target: "
        "coverage = share of all misses inside the box, density = share of the box's worlds "
        "that miss.")
    if not pr.empty:
        R.table(_fmt(pr, [c for c in ("failure_rate", "coverage", "density", "mass", "low",
                                      "high") if c in pr]), "prim",
                caption=("未达标的条件", "Conditions under which a setting misses a target"),
                csv=pr)
        boxed = pr.dropna(subset=["parameter"]) if "parameter" in pr else pr.iloc[0:0]
        if not boxed.empty:  # the first setting's box for each target it misses
            rg = _read(out / "regret.csv")
            s = boxed.iloc[0]["setting"]
            for t in dict.fromkeys(boxed[boxed.setting == s].target):
                _prim_figure(R, L, plt, worlds, rg, boxed[(boxed.setting == s)
                                                          & (boxed.target == t)], s, t)
    return title


def _prim_figure(R, L, plt, worlds: pd.DataFrame, rg: pd.DataFrame, b: pd.DataFrame,
                 s: str, t: str) -> None:
    """Worlds on the box's first two parameters, coloured by the share of replicates of
    setting ``s`` missing target ``t``, with the PRIM box ``b`` drawn on them."""
    from sim.report import _safe

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
    R.figure(fig, f"prim_{_safe(s)}_{_safe(t)}",
             (f"{s} 在框内的世界中未达标 {t[7:]} 的比例为 {r0.density:.0%}，框内包含全部未达标的"
              f" {r0.coverage:.0%}。",
              f"{s} misses {t[7:]} in {r0.density:.0%} of the worlds in the box, which "
              f"holds {r0.coverage:.0%} of all misses."))


def _nearby(names: list[str], x: pd.Series, y: pd.Series, frac: float = 0.03):
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
