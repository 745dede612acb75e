"""The notebooks' and scripts' face: run or compare scenarios given as files, dicts or
loaded scenarios, get the tables as pandas DataFrames and draw the report's figures
(docs/python.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.targets import value_at_checkpoint
from sim.core.calendar import q_index
from sim.engine.batch import read_ledger, read_metrics
from sim.studies.run import run_scenario

# --------------------------------------------------------------------------- notebooks
# The Python API for notebooks: run or compare scenarios given as files, dicts or
# loaded scenarios, get the tables as pandas DataFrames and draw the report's figures.
# A small world (population.scale 0.02) and two quarters keep the examples quick.
_EXAMPLE = {"population.scale": 0.02, "calendar.end": "2026Q2"}


def _loaded(source, overrides: dict | None = None):
    """A loaded scenario from a path, a dict or a loaded scenario, with overrides."""
    from sim.scenario.loader import Loaded, load

    if isinstance(source, Loaded):
        if not overrides:
            return source
        L = load(source.resolved, overrides)
        L.overrides = list(source.overrides) + L.overrides  # all applied, in order
        return L
    if not isinstance(source, (str, Path, dict)):
        raise TypeError(f"a scenario is a file path, a dict or sim.load_scenario(...)'s "
                        f"result, not {type(source).__name__}")
    return load(source, overrides)


def run(scenario, *, replicates: int | None = None, seed: int | None = None,
        workers: int = 1, overrides: dict | None = None, snapshots: bool = False,
        sample_behaviour: bool = True, sample_inputs: bool = False,
        out: str | Path | None = None, overwrite: bool = False,
        progress: bool = False) -> Results:
    """Run replicates of a scenario and return its :class:`Results`.

    The headline counts luck and behaviour uncertainty: with ``sample_behaviour`` (the
    default) each replicate draws every behaviour parameter from its plausible range, and
    the same replicates at the scenario's own behaviour give the luck-only target
    probabilities beside (``targets`` columns ``probability_luck_only``); pass
    ``sample_behaviour=False`` for luck only (``hitech-sim run --luck-only``).

    ``scenario`` is a file path, a dict or :func:`sim.load_scenario`'s result;
    ``overrides`` (``{"policy.rd_subsidy.cap_wan": 500}``) are checked like the file, and
    a bad value raises :class:`~sim.scenario.loader.ScenarioError` naming the file, line
    and key. Replicate k draws from ``SeedSequence(seed, spawn_key=(k,))`` whatever
    ``workers`` is. With ``out`` the results folder of ``hitech-sim run`` is written too.
    ``sample_behaviour`` draws the behaviour parameters per replicate, ``sample_inputs``
    the scenario's ``inputs:`` (docs/uncertainty.md).

    >>> import sim
    >>> res = sim.run("scenarios/yunnan_baseline.yaml", replicates=2,
    ...               overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
    >>> res.variants
    ['yunnan_baseline']
    >>> sorted(res.metrics.replicate.unique().tolist())
    [0, 1]
    >>> res.quarters
    ['2025Q2', '2025Q3', '2025Q4', '2026Q1', '2026Q2']
    """
    L = _loaded(scenario, overrides)
    r = run_scenario(L, replicates=replicates, seed=seed, workers=workers,
                     snapshots=snapshots, out=out, overwrite=overwrite, progress=progress,
                     sample_behaviour=sample_behaviour, sample_inputs=sample_inputs)
    if out is not None:
        return open_results(out)
    return Results(r.manifest, r.metrics, r.ledger, r.targets, firms=r.firms)


def compare_variants(base, variants, *, replicates: int | None = None, seed: int | None = None,
            workers: int = 1, overrides: dict | None = None,
            sample_behaviour: bool = True, sample_inputs: bool = False,
            out: str | Path | None = None, overwrite: bool = False,
            progress: bool = False) -> Results:
    """Run a base and variants on the same replicate seeds and compare them (the headline
    counting behaviour uncertainty unless ``sample_behaviour=False``, as :func:`run`;
    the differences carry the luck-only ones in ``luck_only_*`` columns).

    ``variants`` is a list of scenarios (paths, dicts, loaded scenarios) or a dict
    ``{name: {key.path: value, ...}}`` of variants made from the base by overrides.
    ``overrides`` apply to the base and every variant. The result's
    :attr:`Results.differences` holds the paired differences (variant - base) per metric
    and checkpoint, with 90% intervals and the cost per unit of outcome.

    >>> import sim
    >>> res = sim.compare_variants("scenarios/yunnan_baseline.yaml",
    ...                   {"cap_500": {"policy.rd_subsidy.cap_wan": 500}}, replicates=2,
    ...                   overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
    >>> res.variants
    ['yunnan_baseline', 'cap_500']
    >>> res.at("hte", "2026Q2").shape
    (2, 2)
    >>> sim.compare_variants("scenarios/yunnan_baseline.yaml",
    ...                      {"bad": {"policy.rd_subsidy.rate": 2}}, replicates=1)
    Traceback (most recent call last):
    ...
    sim.scenario.loader.ScenarioError: --set policy.rd_subsidy.rate: policy.rd_subsidy.rate: 2 is out of range (valid: a number >= 0 and <= 1)
    """
    from sim.studies.compare import compare as _compare

    B = _loaded(base, overrides)
    if isinstance(variants, dict):
        vs = [_loaded(B, {**(ov or {}), "name": name}) for name, ov in variants.items()]
    elif isinstance(variants, (list, tuple)):
        vs = [_loaded(v, overrides) for v in variants]
    else:
        raise TypeError("variants is a list of scenarios or a dict {name: {key.path: value}}")
    if not vs:
        raise ValueError("compare needs at least one variant")
    c = _compare(B, vs, replicates=replicates, seed=seed, workers=workers, out=out,
                 overwrite=overwrite, progress=progress, sample_behaviour=sample_behaviour,
                 sample_inputs=sample_inputs)
    if out is not None:
        return open_results(out)
    return Results(c.manifest, c.metrics, c.ledger, c.targets, differences=c.differences)


def attribute(base, counterfactual, *, replicates: int | None = None,
              seed: int | None = None, workers: int = 1, overrides: dict | None = None,
              out: str | Path | None = None, overwrite: bool = False,
              progress: bool = False, sample_inputs: bool = False) -> pd.DataFrame:
    """Share the effect of ``base`` over ``counterfactual`` out among the lever registry's
    six groups by Shapley values (64 coalitions on paired seeds; see
    ``hitech-sim attribute``). Returns one row per outcome (``metric@quarter``) and group,
    plus ``total``: ``mean``, ``p05``, ``p95`` over replicates and ``share`` of the total.
    With ``out`` the results folder is written there too; ``sample_inputs`` draws the
    base's ``inputs:`` per replicate, the same draw in every coalition."""
    import tempfile

    from sim.studies.attribute import attribute as _attribute

    B, C = _loaded(base, overrides), _loaded(counterfactual, overrides)
    with tempfile.TemporaryDirectory() as tmp:
        res = _attribute(B, C, replicates=replicates, seed=seed, workers=workers,
                         out=Path(out) if out is not None else Path(tmp) / "attribute",
                         overwrite=overwrite, progress=progress,
                         sample_inputs=sample_inputs)
    return res.table


def open_results(folder: str | Path) -> Results:
    """The :class:`Results` of a results folder written by ``run`` or ``compare``."""
    ReportError = _report().ReportError
    out = Path(folder)
    if not (out / "manifest.json").exists():
        raise ReportError(f"{out}: no manifest.json (valid: a folder written by hitech-sim "
                          "run or compare, or sim.run(..., out=...))")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    tp = out / "targets.json"
    targets = json.loads(tp.read_text(encoding="utf-8")) if tp.exists() else []
    fp, cp = out / "firms.parquet", out / "comparison.csv"
    return Results(manifest, read_metrics(out), read_ledger(out), targets,
                   firms=pd.read_parquet(fp) if fp.exists() else None,
                   differences=pd.read_csv(cp, encoding="utf-8-sig") if cp.exists() else None)


def _report():
    """:mod:`sim.report`, imported so that the matplotlib backend in use stays (it
    selects Agg for itself; a notebook's inline backend must stay to show plots)."""
    import sys

    if "sim.report" not in sys.modules:
        import matplotlib

        was, interactive = matplotlib.get_backend(), matplotlib.is_interactive()
        import sim.report  # noqa: F401

        if matplotlib.get_backend() != was:
            matplotlib.use(was)
            matplotlib.interactive(interactive)
    return sys.modules["sim.report"]


def moments_figure(result: dict, lang=("en",)):
    """A calibration's moments (published targets, simulated at the defaults and at the
    fit) as a matplotlib figure; ``result``: a calibration result
    (:func:`sim.studies.calibrate.load_calibration`).

    >>> from sim.studies.calibrate import load_calibration
    >>> fig = moments_figure(load_calibration())
    >>> fig.axes[0].get_xlabel()
    'value (growth rate or share)'
    """
    from sim.analysis.calibration import moments_table

    return _report().moments_figure(moments_table(result), lang)


def realism_figures(checks: list[dict], tables: dict, lang=("en",)) -> list:
    """The realism check's four figures (size distribution, growth rates, exits by age,
    R&D bunching) from :func:`sim.analysis.realism.compute_checks`'s result."""
    return _report().realism_figures(checks, tables, lang)


def _figures():
    """:mod:`sim.report.figures` (imported as :func:`_report` imports the report)."""
    _report()
    import sim.report.figures

    return sim.report.figures


class Results:
    """The tables of a run or a comparison as pandas DataFrames, and their figures.

    Attributes:
        manifest: what was run (``manifest.json``).
        metrics: the long metrics table (variant, replicate, quarter, zone, sector,
            metric, value).
        ledger: one row per award paid (``amount_wan`` in 万元).
        targets: target probabilities per variant (one row per variant and target).
        firms: firm snapshots (``snapshots=True`` only), else None.
        differences: paired differences from the base (comparisons only), else None.
    """

    def __init__(self, manifest: dict, metrics: pd.DataFrame, ledger: pd.DataFrame,
                 targets: list[dict], firms: pd.DataFrame | None = None,
                 differences: pd.DataFrame | None = None):
        self.manifest = manifest
        self.metrics = metrics
        self.ledger = ledger
        self.targets = pd.DataFrame(targets)
        self.firms = firms
        self.differences = differences

    def __repr__(self) -> str:
        m = self.manifest
        return (f"<Results {m.get('command', 'run')} {', '.join(self.variants)}: "
                f"{m.get('replicates')} replicate(s), seed {m.get('seed')}, population scale "
                f"{m.get('population_scale')}, {self.quarters[0]}..{self.quarters[-1]}>")

    # ------------------------------------------------------------------ tables
    @property
    def variants(self) -> list[str]:
        """Variant names, the base first."""
        return list(self.manifest.get("variants") or [self.manifest.get("scenario")])

    @property
    def base(self) -> str:
        """The base (first) variant."""
        return self.variants[0]

    @property
    def quarters(self) -> list[str]:
        """Quarters of the results, the initial state first."""
        return sorted(self.metrics["quarter"].unique(), key=q_index)

    @property
    def resolved(self) -> dict:
        """The base's resolved scenario."""
        r = self.manifest.get("resolved") or {}
        return r.get(self.base, r) if self.manifest.get("command") == "compare" else r

    def _check(self, metric: str, zone: str = "ALL") -> None:
        known = set(self.metrics["metric"].unique())
        if metric not in known:
            raise ValueError(f"unknown metric {metric!r} (valid: {', '.join(sorted(known))})")
        zones = set(self.metrics["zone"].unique())
        if zone not in zones:
            raise ValueError(f"unknown zone {zone!r} (valid: {', '.join(sorted(zones))})")

    def series(self, metric: str, zone: str = "ALL", sector: str = "ALL") -> pd.DataFrame:
        """One metric over time: quarters as rows, (variant, replicate) as columns.

        >>> res = run("scenarios/yunnan_baseline.yaml", replicates=2, overrides=_EXAMPLE)
        >>> res.series("hte").shape
        (5, 2)
        >>> res.series("hte_count")
        Traceback (most recent call last):
        ...
        ValueError: unknown metric 'hte_count' (valid: awards_earned_wan, awards_lapsed_wan, ...)
        """
        self._check(metric, zone)
        m = self.metrics
        sel = m[(m.metric == metric) & (m.zone == zone) & (m.sector == sector)]
        w = sel.pivot_table(index="quarter", columns=["variant", "replicate"],
                            values="value", aggfunc="sum")
        return w.reindex(self.quarters).reindex(columns=self.variants, level="variant")

    def summary(self, metric: str, zone: str = "ALL") -> pd.DataFrame:
        """Median and 5%/95% quantiles over replicates, per variant and quarter (flows
        from the first simulated quarter, stocks from the initial state)."""
        w = self.series(metric, zone).dropna(how="all")  # flows: no initial state
        rows = []
        for v in self.variants:
            if v not in w.columns.get_level_values("variant"):
                continue
            a = w[v].to_numpy(float)
            q = np.nanquantile(a, [0.05, 0.5, 0.95], axis=1)
            rows.append(pd.DataFrame({"variant": v, "quarter": w.index, "p05": q[0],
                                      "median": q[1], "p95": q[2]}))
        return pd.concat(rows, ignore_index=True)

    def at(self, metric: str, quarter: str, zone: str = "ALL") -> pd.DataFrame:
        """Replicates x variants: a stock at ``quarter`` or a flow summed over the four
        quarters ending there (as targets are read)."""
        self._check(metric, zone)
        if quarter not in self.quarters:
            raise ValueError(f"unknown quarter {quarter!r} (valid: {self.quarters[0]}.."
                             f"{self.quarters[-1]})")
        start_q = q_index(self.quarters[1]) if len(self.quarters) > 1 else q_index(quarter)
        t = value_at_checkpoint(self.metrics, metric, quarter, start_q, zone)
        return t.reindex(columns=[v for v in self.variants if v in t.columns])

    def target_probabilities(self, luck_only: bool = False) -> pd.DataFrame:
        """Probability of meeting each target (rows) per variant (columns), as the
        headline counts it (the manifest's ``probability_kind``), or counting luck only."""
        t = self.targets
        if t.empty:
            return pd.DataFrame()
        col = "probability_luck_only" if luck_only else "probability"
        if col not in t:
            return pd.DataFrame()
        p = t.pivot_table(index="id", columns="variant", values=col,
                          aggfunc="first", dropna=False)
        order = list(dict.fromkeys(t["id"]))
        return p.reindex(index=order, columns=[v for v in self.variants if v in p.columns])

    def cost(self, by: str = "lever") -> pd.DataFrame:
        """Awards paid, mean over replicates in 万元: rows ``by`` (lever, payer, zone or
        year), columns variants, plus a total row."""
        led = self.ledger.copy()
        if by == "year":
            led["year"] = led["quarter"].str[:4].astype(int)
        elif by not in ("lever", "payer", "zone"):
            raise ValueError(f"unknown grouping {by!r} (valid: lever, payer, zone, year)")
        n = int(self.manifest.get("replicates") or 1)
        t = (led.groupby([by, "variant"])["amount_wan"].sum() / n).unstack("variant")
        t = t.reindex(columns=self.variants).fillna(0.0)
        t.loc["total"] = t.sum()
        return t

    # ------------------------------------------------------------------ figures
    def _draw(self, draw, lang) -> list:
        """Run one of the report's figure functions and keep its figures."""
        return _report().keep_figures(draw, lang)

    def _split(self):
        qs = self.quarters
        return qs, qs[1:], self.metrics[(self.metrics.zone == "ALL")
                                        & (self.metrics.sector == "ALL")]

    def fan_chart(self, metric: str = "hte", lang=("en",)):
        """Median and 50%/90% bands over replicates of one metric for all zones, each
        variant a colour, targets as stars (the report's fan chart).

        >>> fig = run("scenarios/yunnan_baseline.yaml", replicates=2,
        ...           overrides=_EXAMPLE).fan_chart("hte")
        >>> fig.axes[0].get_title()
        'High-tech enterprises (HTE) — all modelled zones'
        """
        rep, figures = _report(), _figures()
        self._check(metric)
        if metric not in rep.METRIC_LABELS:
            raise ValueError(f"no fan chart for {metric!r} (valid: "
                             f"{', '.join(sorted(rep.METRIC_LABELS))})")
        qs, flow_qs, allz = self._split()
        df = allz[allz.metric == metric]
        tg = self.targets.to_dict("records")
        return self._draw(lambda R: figures.fan_section(R, df, qs, flow_qs, self.variants,
                                                        tg), lang)[0]

    def ladder(self, variant: str | None = None, lang=("en",)):
        """Firms by highest rung over time (mean over replicates) of one variant."""
        v = self._variant(variant)
        qs, _, allz = self._split()
        return self._draw(lambda R: _figures().ladder(R, allz, v, qs), lang)[0]

    def zones(self, metric: str = "hte", variant: str | None = None, lang=("en",)):
        """One small panel per zone: median and bands of a metric over time."""
        self._check(metric)
        v = self._variant(variant)
        qs = self.quarters
        zs = self.resolved.get("zones", [])
        return self._draw(lambda R: _figures().zone_multiples(R, self.metrics, metric, qs,
                                                              qs[1:], v, zs), lang)[0]

    def awards(self, lang=("en",)):
        """Awards paid per year by lever, and by payer against the budgets (base)."""
        qs = self.quarters
        resolved = self.manifest.get("resolved") or {}
        if self.manifest.get("command") != "compare":
            resolved = {self.base: resolved}
        scale = float(self.manifest.get("population_scale") or 1.0)
        zs = self.resolved.get("zones", [])
        n = self.manifest.get("replicates")
        return self._draw(lambda R: _figures().awards(R, self.ledger, n, resolved,
                                                      self.variants, zs, scale, qs[1:]),
                          lang)[0]

    def comparison(self, lang=("en",)):
        """Paired differences (variant - base) at the last checkpoint: mean and 90%
        interval per metric (comparisons only).

        >>> res = compare_variants("scenarios/yunnan_baseline.yaml",
        ...               {"no_a1": {"policy.rd_subsidy.enabled": False}}, replicates=2,
        ...               overrides=_EXAMPLE)
        >>> len(res.comparison().axes) >= 9
        True
        """
        if self.differences is None or self.differences.empty:
            raise ValueError("no paired differences: these results are not a comparison "
                             "(use sim.compare_variants)")
        d = self.differences
        return self._draw(lambda R: _figures().compare_section(R, d, self.base), lang)[0]

    def _variant(self, variant: str | None) -> str:
        if variant is None:
            return self.base
        if variant not in self.variants:
            raise ValueError(f"unknown variant {variant!r} (valid: {', '.join(self.variants)})")
        return variant
