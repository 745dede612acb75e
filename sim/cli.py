"""The command line: ``hitech-sim validate | run | compare | sweep | report | calibrate |
check-realism | sensitivity | robust | app | bench``.

Exit codes: 0 success, 2 bad input (scenario, flag, path), 1 anything else. No
traceback reaches a user unless ``HITECH_SIM_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.scenario.loader import ScenarioError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one clear line
        self.print_usage(sys.stderr)
        print(f"hitech-sim: error: {message}", file=sys.stderr)
        sys.exit(2)


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= v <= 2**63 - 1:  # as a scenario file's seed (docs/scenario.md)
        raise argparse.ArgumentTypeError(f"{text} is not a seed (valid: a whole number 0 "
                                         "... 2^63-1)")
    return v


def _port(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 < v < 65536:
        raise argparse.ArgumentTypeError(f"{text} is not a port (valid: 1-65535)")
    return v


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    p = _Parser(prog="hitech-sim", description="Simulate Yunnan's high-tech zones (高新区) "
                "under the provincial action plan, quarter by quarter.")
    from sim.core.version import __version__

    p.add_argument("--version", action="version", version=f"hitech-sim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one value (checked like the file)")

    r = sub.add_parser("run", help="run replicates of a scenario and write a results folder")
    r.add_argument("file", metavar="FILE")
    r.add_argument("-n", "--replicates", type=_positive, default=None,
                   help="replicates (default: the scenario's `replicates`)")
    r.add_argument("--seed", type=_seed, default=None, help="seed (default: the scenario's)")
    r.add_argument("--out", default=None, help="results folder (default: results/<name>/)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one value, e.g. policy.rd_subsidy.cap_wan=500")
    r.add_argument("--snapshots", action="store_true", help="also write firms.parquet")
    r.add_argument("--workers", type=_positive, default=1, help="worker processes")
    r.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    r.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    r.add_argument("--resume", action="store_true", help="continue a results folder: keep "
                   "finished replicates, run missing or damaged ones")
    _uncertainty_flags(r)
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--no-report", action="store_true", help="do not write report.html")

    c = sub.add_parser("compare", help="run a base and variants on the same seeds and "
                       "compare them (paired differences, target probabilities, cost)")
    c.add_argument("base", metavar="BASE")
    c.add_argument("variants", nargs="+", metavar="VARIANT")
    c.add_argument("-n", "--replicates", type=_positive, default=None,
                   help="replicates (default: the base's `replicates`)")
    c.add_argument("--seed", type=_seed, default=None, help="seed (default: the base's)")
    c.add_argument("--out", default=None, help="results folder (default: results/compare-"
                   "<base>/)")
    c.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one value in the base and every variant")
    c.add_argument("--workers", type=_positive, default=1, help="worker processes")
    c.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    c.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    c.add_argument("--resume", action="store_true", help="continue a results folder")
    _uncertainty_flags(c)
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.add_argument("--no-report", action="store_true", help="do not write report.html")

    at = sub.add_parser("attribute", help="share the effect of a plan (BASE minus "
                        "COUNTERFACTUAL) out among six groups of levers by Shapley values "
                        "(64 paired variants)")
    at.add_argument("base", metavar="BASE")
    at.add_argument("counterfactual", metavar="COUNTERFACTUAL")
    at.add_argument("-n", "--replicates", type=_positive, default=None,
                    help="replicates of each of the 64 coalitions (default: the base's)")
    at.add_argument("--seed", type=_seed, default=None, help="seed (default: the base's)")
    at.add_argument("--out", default=None, help="results folder (default: "
                    "results/attribute-<base>/)")
    at.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one value in the base and the counterfactual")
    at.add_argument("--workers", type=_positive, default=1, help="worker processes")
    at.add_argument("--scheduler", default=None, metavar="ADDR",
                    help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    at.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    at.add_argument("--resume", action="store_true", help="continue a results folder")
    at.add_argument("--sample-inputs", action="store_true", help="each replicate draws the "
                    "base's inputs: from their ranges (same draw in every coalition)")
    at.add_argument("--quiet", action="store_true", help="no progress bar")
    at.add_argument("--no-report", action="store_true", help="do not write report.html")

    w = sub.add_parser("sweep", help="run a grid or Latin hypercube of lever values over a "
                       "base scenario (docs/sweeps.md)")
    w.add_argument("file", metavar="FILE")
    w.add_argument("--out", default=None, help="results folder (default: results/sweep-<name>/)")
    w.add_argument("--workers", type=_positive, default=1, help="worker processes")
    w.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    w.add_argument("--resume", action="store_true", help="continue a sweep's folder")
    w.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    w.add_argument("--sample-inputs", action="store_true", help="each replicate draws the "
                   "base's inputs: from their ranges (same draw at every point)")
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    w.add_argument("--no-report", action="store_true", help="do not write report.html")

    for name, what in (("sensitivity", "global sensitivity of outcomes to the behaviour "
                         "parameters: Morris screening, then Sobol indices (docs/uncertainty.md)"),
                        ("robust", "lever settings over sampled behaviour: probability of "
                         "meeting targets, cost, regret, PRIM boxes (docs/uncertainty.md)")):
        s = sub.add_parser(name, help=what)
        s.add_argument("file", metavar="FILE")
        s.add_argument("--out", default=None, help=f"results folder (default: results/{name}-"
                       "<name>/)")
        s.add_argument("--workers", type=_positive, default=1, help="worker processes")
        s.add_argument("--scheduler", default=None, metavar="ADDR",
                       help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
        s.add_argument("--resume", action="store_true", help="continue a results folder: "
                       "keep finished parts")
        s.add_argument("--overwrite", action="store_true", help="replace an existing folder")
        s.add_argument("--quiet", action="store_true", help="no progress bar")
        s.add_argument("--no-report", action="store_true", help="do not write report.html")

    rp = sub.add_parser("report", help="write a self-contained report.html (figures, tables) "
                        "for a results folder")
    rp.add_argument("dir", metavar="DIR")
    rp.add_argument("--lang", default="zh,en", help="zh, en or zh,en (default: zh,en)")
    rp.add_argument("--pdf", action="store_true", help="also write report.pdf (needs the pdf "
                    "extra: pip install -e '.[pdf]')")

    a = sub.add_parser("app", help="interactive view of one run in the browser (Mesa "
                       "SolaraViz): lever sliders, play/step, live charts per zone; with "
                       "--what-if, a paired ensemble of a lever change")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--port", type=_port, default=8765, help="port (default: 8765)")
    a.add_argument("--host", default="127.0.0.1", help="address to serve on (default: "
                   "127.0.0.1, this machine only)")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one value, e.g. population.scale=0.2")
    a.add_argument("--lang", default="zh,en", help="figure labels: zh, en or zh,en")
    a.add_argument("--what-if", action="store_true", help="the what-if page: move a lever, "
                   "run a paired ensemble of the base and the change on this machine's "
                   "cores, read the difference bands, cost and target shares")
    a.add_argument("--pairs", type=_positive, default=40, help="what-if: paired replicates "
                   "per run to start with (default: 40; the page can change it)")
    a.add_argument("--workers", type=_positive, default=None, help="what-if: worker "
                   "processes (default: every core)")
    cb = sub.add_parser("calibrate", help="fit behaviour parameters to published series by "
                        "simulated method of moments (docs/baseline.md)")
    cb.add_argument("file", metavar="FILE", help="calibration file, e.g. "
                    "scenarios/calibration/yunnan.yaml")
    cb.add_argument("--out", default=None, help="results folder (default: "
                    "results/calibration-<name>/)")
    cb.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one value of the historical scenario")
    cb.add_argument("--replicates", type=_positive, default=None,
                    help="replicates per point (default: the file's)")
    cb.add_argument("--max-evaluations", type=_positive, default=None,
                    help="objective evaluations (default: the file's)")
    cb.add_argument("--workers", type=_positive, default=None, help="worker processes")
    cb.add_argument("--no-store", action="store_true", help="do not write the stored "
                    "calibration named by the file's `store:`")
    cb.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    cb.add_argument("--quiet", action="store_true", help="no progress lines")

    cr = sub.add_parser("check-realism", help="compare a run with stylised facts of firm "
                        "dynamics and published figures not used in calibration")
    cr.add_argument("file", metavar="FILE")
    cr.add_argument("-n", "--replicates", type=_positive, default=2, help="replicates "
                    "(default 2)")
    cr.add_argument("--seed", type=_seed, default=None, help="seed (default: the scenario's)")
    cr.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one value, e.g. population.scale=0.25")
    cr.add_argument("--out", default=None, help="results folder (default: "
                    "results/realism-<name>/)")
    cr.add_argument("--workers", type=_positive, default=1, help="worker processes")
    cr.add_argument("--sample-behaviour", action="store_true", help="each replicate draws the "
                    "behaviour parameters from their plausible ranges, so the validation "
                    "intervals hold behaviour as well as luck")
    cr.add_argument("--sample-inputs", action="store_true", help="each replicate draws the "
                    "scenario's inputs: (input uncertainty) into the validation intervals")
    cr.add_argument("--backtest", default=None, metavar="JSON", help="stored backtest to "
                    "report (default: scenarios/calibration/backtest.json if present)")
    cr.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    cr.add_argument("--lang", default="zh,en", help="zh, en or zh,en (default: zh,en)")

    b = sub.add_parser("bench", help="time the model: seconds per replicate, firm-steps per "
                       "second")
    b.add_argument("--firms", type=_positive, default=50000, help="initial firms")
    b.add_argument("--replicates", type=_positive, default=3, help="timed replicates")
    b.add_argument("--scenario", default=None, help="scenario to rescale (default: baseline)")
    b.add_argument("--json", action="store_true", help="print JSON")
    return p


def _uncertainty_flags(p) -> None:
    """``--luck-only`` (and the deprecated ``--sample-behaviour``) of run and compare."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--luck-only", action="store_true", help="count luck only: every "
                   "replicate at the scenario's behaviour values (default: the headline "
                   "also counts behaviour uncertainty, each replicate drawing every behaviour "
                   "parameter from its plausible range, with luck-only figures beside)")
    g.add_argument("--sample-behaviour", action="store_true", help="deprecated: behaviour "
                   "is sampled by default now (this flag changes nothing)")
    p.add_argument("--sample-inputs", action="store_true", help="each replicate also draws "
                   "the scenario's inputs: (docs/scenario.md) from their ranges (same draw per "
                   "replicate in every variant)")


def _print_targets(targets: list[dict], variant: bool = False) -> None:
    """One line per evaluated target: the headline probability and the luck-only one,
    each with its Monte Carlo standard error, and the target's origin."""
    for t in targets:
        name = f"{t['id']} [{t['variant']}]" if variant else t["id"]
        if t.get("probability") is None:
            if not variant:
                print(f"  target {name}: not evaluated")
            continue
        src = "planner" if t.get("source") == "planner" else "published goal"

        def pse(p, se):
            return "–" if p is None else f"{p:.2f} ± {se:.2f}"

        ts = t.get("threshold_scaled")
        thr = (_num(t["threshold"]) if ts is None or ts == t["threshold"] else
               f"{_num(ts)} = {_num(t['threshold'])} x population scale "
               f"{t['population_scale']:g}")
        print(f"  target {name} ({t['metric']} {t['zone']} {t['op']} {thr} by "
              f"{t['by']}; {src}): P = {pse(t['probability'], t['probability_se'])}, "
              f"luck only {pse(t.get('probability_luck_only'), t.get('probability_luck_only_se'))}"
              f"; median {_num(t['median'])} [{_num(t['p05'])}, {_num(t['p95'])}]")


def _num(x: float) -> str:
    """A number for the terminal: whole with thousands separators from 1,000 (never
    6.443e+06), else 4 significant digits."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


class _QuietPipe:
    """stdout that stops writing, without failing the command, once its reader has gone
    (``hitech-sim compare ... | head``): the results and the report are still written."""

    def __init__(self, stream):
        self._s = stream
        self._gone = False

    def write(self, text):
        if not self._gone:
            try:
                return self._s.write(text)
            except BrokenPipeError:
                self._gone = True
        return len(text)

    def flush(self):
        if not self._gone:
            try:
                self._s.flush()
            except BrokenPipeError:
                self._gone = True

    def __getattr__(self, name):
        return getattr(self._s, name)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``hitech-sim``."""
    if not isinstance(sys.stdout, _QuietPipe):
        sys.stdout = _QuietPipe(sys.stdout)
    args = build_parser().parse_args(argv)
    from sim.engine.cluster import ClusterError
    from sim.engine.folder import discard_new_folders, lock_scope

    try:
        with lock_scope():  # a results folder's lock is held until the command ends
            try:
                return _dispatch(args)
            except ClusterError:
                discard_new_folders()  # the retry finds no half-made folder in its way
                raise
    except ScenarioError as e:
        for p in e.problems:
            print(str(p), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hitech-sim: interrupted", file=sys.stderr)
        return 1
    except Exception as e:
        from sim.engine.folder import OutputError
        from sim.report import ReportError

        if isinstance(e, (OutputError, ClusterError, ReportError)):
            print(f"hitech-sim: {e}", file=sys.stderr)
            return 2
        if os.environ.get("HITECH_SIM_DEBUG"):
            raise
        print(f"hitech-sim: internal error: {type(e).__name__}: {e} (set HITECH_SIM_DEBUG=1 "
              "for the traceback)", file=sys.stderr)
        return 1


def _dispatch(args) -> int:
    """Run the command ``args`` names."""
    if args.command == "validate":
        return cmd_validate(args)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "bench":
        return cmd_bench(args)
    if args.command == "compare":
        return cmd_compare(args)
    if args.command == "sweep":
        return cmd_sweep(args)
    if args.command == "attribute":
        return cmd_attribute(args)
    if args.command == "report":
        return cmd_report(args)
    if args.command == "app":
        return cmd_app(args)
    if args.command == "calibrate":
        return cmd_calibrate(args)
    if args.command == "check-realism":
        return cmd_check_realism(args)
    if args.command in ("sensitivity", "robust"):
        return cmd_study(args)
    return 1


def _study_kind(path: str):
    """(kind, loader) for a study file (sweep, sensitivity, robust, calibration), told by
    its top-level keys; None for a scenario or variant (or a file that cannot be read,
    which the scenario loader then reports)."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if keys & {"morris", "sobol"} or ("parameters" in keys and "base" in keys):
        from sim.studies.sensitivity import load_sensitivity
        return "sensitivity", load_sensitivity
    if keys & {"settings", "uncertain"}:
        from sim.studies.robust import load_robust
        return "robust", load_robust
    if "base" in keys and keys & {"levers", "sample"}:
        from sim.scenario.studies import load_sweep
        return "sweep", load_sweep
    if "moments" in keys and "scenario" in keys:
        from sim.scenario.studies import load_spec
        return "calibration", load_spec
    return None


def cmd_validate(args) -> int:
    """Check files; print problems; exit 2 if any."""
    from sim.scenario.loader import load

    bad = 0
    for f in args.files:
        try:
            kind = _study_kind(f)
            if kind is not None:  # a study file: checked by its own loader
                kind[1](f)
                print(f"{f}: ok ({kind[0]} study)")
                continue
            L = load(f, args.set)
            print(f"{f}: ok ({L.model.name}: {len(L.model.zones)} zones, "
                  f"{sum(z.firms.total for z in L.model.zones)} firms, "
                  f"{L.model.calendar.start}..{L.model.calendar.end})")
        except ScenarioError as e:
            bad += 1
            for p in e.problems:
                print(str(p), file=sys.stderr)
    return 2 if bad else 0


def cmd_run(args) -> int:
    """Run a scenario and write its results folder."""
    from sim.studies.run import run_scenario
    from sim.scenario.loader import load

    L = load(args.file, args.set)
    out = Path(args.out) if args.out else Path("results") / L.model.name
    res = run_scenario(L, replicates=args.replicates, seed=args.seed, workers=args.workers,
                       snapshots=args.snapshots, out=out, overwrite=args.overwrite,
                       resume=args.resume, progress=not args.quiet,
                       sample_behaviour=not args.luck_only,
                       sample_inputs=args.sample_inputs, scheduler=args.scheduler)
    m = res.manifest
    print(f"{m['scenario']}: {m['replicates']} replicate(s), seed {m['seed']}, status "
          f"{m['status']} -> {out}/")
    if m.get("overrides"):
        print("  with overrides (--set): " + ", ".join(
            f"{o['key']}={o['value']}" for o in m["overrides"]))
    _print_uncertainty(m)
    _print_targets(res.targets)
    _report(args, out)
    if m["status"] != "complete":
        print(f"hitech-sim: {len(m['failed'])} replicate(s) failed; see manifest.json",
              file=sys.stderr)
        return 1
    return 0


def _print_uncertainty(m: dict) -> None:
    print(f"  the headline counts {m['probability_kind']}")
    if m.get("behaviour_sampled"):
        print(f"  beside it: {m['probability_luck_only_kind']} ({m['luck_only_set']})")
    n, se = m["replicates"], m["probability_se_max"]
    note = "" if n >= m["replicates_recommended"] else (
        f"; fewer than the {m['replicates_recommended']} that keep it at most 0.03")
    print(f"  a probability's Monte Carlo standard error is at most {se:.3f} at {n} "
          f"replicate(s){note}")


def cmd_compare(args) -> int:
    """Compare variants with a base on paired seeds; write one results folder."""
    from sim.studies.compare import compare
    from sim.scenario.loader import load

    base = load(args.base, args.set)
    variants = [load(v, args.set) for v in args.variants]
    out = Path(args.out) if args.out else Path("results") / f"compare-{base.model.name}"
    res = compare(base, variants, replicates=args.replicates, seed=args.seed,
                  workers=args.workers, out=out, overwrite=args.overwrite, resume=args.resume,
                  progress=not args.quiet, sample_behaviour=not args.luck_only,
                  sample_inputs=args.sample_inputs,
                  scheduler=args.scheduler)
    m = res.manifest
    print(f"compare {m['scenario']} with {', '.join(m['variants'][1:])}: {m['replicates']} "
          f"paired replicate(s), seed {m['seed']}, status {m['status']} -> {out}/")
    _print_uncertainty(m)
    d = res.differences
    if not d.empty:
        last = d["checkpoint"].iloc[-1] if "checkpoint" in d else None
        show = d[(d.checkpoint == last) & d.metric.isin(
            ["hte", "revenue_wan", "awards_to_date_wan", "wan_per_extra_hte"])]
        if "basis" in show:  # cost per unit on obligations (the paid basis is in the report)
            show = show[show["basis"].fillna("") != "paid"]
        print(f"paired differences at {last} (variant - base; mean [5%, 95%]; luck only "
              "beside):")
        for v, g in show.groupby("variant", sort=False):
            parts = []
            for _, r in g.iterrows():
                if r.metric == "wan_per_extra_hte":
                    note = getattr(r, "note", "") or ""
                    parts.append("obligations per extra 高企: " + (
                        f"{r.diff_mean:,.0f}万元" if r.diff_mean == r.diff_mean else "—")
                        + (f" ({note})" if isinstance(note, str) and note else ""))
                else:
                    parts.append(f"{r.metric} {r.diff_mean:+,.0f} [{r.diff_p05:+,.0f}, "
                                 f"{r.diff_p95:+,.0f}] (luck only {r.luck_only_diff_mean:+,.0f}"
                                 f" [{r.luck_only_diff_p05:+,.0f}, "
                                 f"{r.luck_only_diff_p95:+,.0f}])")
            print(f"  {v}: " + "; ".join(parts))
    _print_targets(res.targets, variant=True)
    _report(args, out)
    return 0 if m["status"] == "complete" else 1


def cmd_attribute(args) -> int:
    """Attribute the effect of BASE over COUNTERFACTUAL to groups of levers."""
    from sim.scenario.loader import load
    from sim.report.attribute import headline
    from sim.studies.attribute import attribute

    base = load(args.base, args.set)
    cf = load(args.counterfactual, args.set)
    out = Path(args.out) if args.out else Path("results") / f"attribute-{base.model.name}"
    res = attribute(base, cf, replicates=args.replicates, seed=args.seed, out=out,
                    workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                    overwrite=args.overwrite, progress=not args.quiet,
                    sample_inputs=args.sample_inputs)
    m = res.manifest
    print(f"attribute {m['scenario']} over {m['counterfactual']}: {m['coalitions']} "
          f"coalitions x {m['replicates']} paired replicate(s), seed {m['seed']}, status "
          f"{m['status']} -> {out}/")
    t = res.table
    for outcome in [o for o in dict.fromkeys(t.outcome) if o.split("@")[0] == "hte"]:
        print(f"  {outcome}, Shapley value per group (mean [5%, 95%] over replicates):")
        for line in headline(t, outcome):
            print("    " + line)
    print(f"  table: {out / 'attribution.csv'}")
    _report(args, out)
    return 0 if m["status"] == "complete" else 1


def cmd_sweep(args) -> int:
    """Run a sweep file."""
    from sim.studies.sweep import load_sweep, run_sweep

    sw, _ = load_sweep(args.file)
    out = Path(args.out) if args.out else Path("results") / f"sweep-{sw.name}"
    m = run_sweep(args.file, out=out, workers=args.workers, scheduler=args.scheduler,
                  resume=args.resume, overwrite=args.overwrite, progress=not args.quiet,
                  sample_inputs=args.sample_inputs)
    print(f"sweep {m['sweep']['name']}: {m['points']} point(s) x {m['replicates']} "
          f"replicate(s), status {m['status']} -> {out}/ (points.csv, outcomes.parquet, "
          "probabilities.csv)")
    print(f"  target probabilities count {m['probability_kind']}")
    _report(args, out)
    return 0 if m["status"] == "complete" else 1


def cmd_study(args) -> int:
    """Run a sensitivity or robust file (docs/uncertainty.md)."""
    from sim.report import robust as robust_report
    from sim.report import sensitivity as sensitivity_report
    from sim.studies import robust, sensitivity

    mod = {"sensitivity": sensitivity, "robust": robust}[args.command]
    say = {"sensitivity": sensitivity_report, "robust": robust_report}[args.command]
    name = mod.read_file(args.file)[0].name
    out = Path(args.out) if args.out else Path("results") / f"{args.command}-{name}"
    m = mod.run_file(args.file, out=out, workers=args.workers, scheduler=args.scheduler,
                     resume=args.resume, overwrite=args.overwrite, progress=not args.quiet)
    print(f"{args.command} {m['study']}: {say.size(m)}, status {m['status']} -> {out}/")
    if m["status"] == "complete":
        for line in say.headline(out):
            print("  " + line)
    _report(args, out)
    return 0 if m["status"] == "complete" else 1


def _report(args, out: Path) -> None:
    """Write the folder's report.html unless ``--no-report``; a failed report is a
    warning, not a failed run (the results are written)."""
    if getattr(args, "no_report", False):
        return
    from sim.report import write_report

    try:
        path = write_report(out)
    except Exception as e:  # the results stand; say why there is no report
        if os.environ.get("HITECH_SIM_DEBUG"):
            raise
        print(f"hitech-sim: warning: no report written ({type(e).__name__}: {e}); retry with "
              f"`hitech-sim report {out}`", file=sys.stderr)
        return
    print(f"  report: {path}")


def check_results_files(out: Path) -> None:
    """Every table and JSON file at the root of a results folder can be read (else a
    ReportError naming the file: a damaged or foreign folder is bad input, exit 2)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.report import ReportError

    for p in sorted(out.glob("*.parquet")):
        try:
            pq.read_schema(p)
        except (pa.ArrowException, OSError) as e:
            raise ReportError(f"{p}: is not a readable Parquet table ({e}); valid: a results "
                              "folder as run, compare, sweep or a study wrote it") from None
    for p in sorted(out.glob("*.json")):
        try:
            json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ReportError(f"{p}: is not readable JSON ({e})") from None


def cmd_report(args) -> int:
    """Write report.html for a results folder (holding its lock: one writer at a time)."""
    import pyarrow as pa

    from sim.engine.folder import lock_folder
    from sim.report import ReportError, write_report

    out = Path(args.dir)
    if out.is_dir():
        check_results_files(out)
        lock_folder(out)
    try:
        path = write_report(out, lang=args.lang)
    except pa.ArrowException as e:
        raise ReportError(f"{out}: a table cannot be read ({e}); valid: a results folder "
                          "as run, compare, sweep or a study wrote it") from None
    print(f"report: {path} (figures/ and tables/ beside it)")
    if args.pdf:
        from sim.report import write_pdf

        print(f"report: {write_pdf(Path(path))}")
    return 0


def cmd_app(args) -> int:
    """Check the scenario, then serve the interactive view until interrupted."""
    import importlib.util

    from sim.report import Lang
    from sim.scenario.loader import load

    load(args.file, args.set)  # bad input: exit 2 before a server starts
    Lang(args.lang)
    if importlib.util.find_spec("solara") is None:
        print("hitech-sim: app needs solara (Mesa's viz extra): pip install -e '.[app]'",
              file=sys.stderr)
        return 2
    from sim.app import serve

    return serve(args.file, args.set, host=args.host, port=args.port, lang=args.lang,
                 what_if=args.what_if, pairs=args.pairs, workers=args.workers)
def cmd_calibrate(args) -> int:
    """Fit a calibration file; write its results folder and the stored calibration."""
    from sim.studies.calibrate import calibrate, load_spec, store, write_results
    from sim.engine.ensemble import prepare

    cal = load_spec(args.file, args.set)
    for key in ("replicates", "max_evaluations", "workers"):
        if getattr(args, key) is not None:
            setattr(cal.spec, key, getattr(args, key))
    out = Path(args.out) if args.out else Path("results") / f"calibration-{cal.spec.name}"
    prepare(out, args.overwrite, False)
    print(f"calibrate {cal.spec.name}: {len(cal.spec.parameters)} parameter(s), "
          f"{len(cal.spec.moments)} moment(s), {cal.spec.replicates} replicates per point at "
          f"population.scale {cal.spec.scale}, at most {cal.spec.max_evaluations} evaluations")
    res = calibrate(cal, progress=not args.quiet)
    write_results(res, out)
    from sim.report import write_calibration_report

    report = write_calibration_report(out)
    o = res["objective"]
    print(f"objective {o['at_default']:.3f} at the defaults -> {o['at_optimum']:.3f} "
          f"({o['evaluations']} evaluations, {res['seconds']:.0f} s) -> {out}/")
    for n, p in res["parameters"].items():
        print(f"  {n}: {p['value']:.4g} (default {p['default']:.4g}; 90% "
              f"[{p['p05']:.4g}, {p['p95']:.4g}])")
    for m in res["moments"]:
        print(f"  moment {m['id']}: target {m['target']:.4g} +- {m['se']:.2g}, fitted "
              f"{m['fitted']:.4g} (z {m['z']:+.1f}; defaults {m['at_default']:.4g})")
    for h in res.get("holdout", []):
        print(f"  held out {h['id']}: published {h['target']:.4g}, predicted "
              f"{h['predicted']:.4g} [90% {h['p05']:.4g}, {h['p95']:.4g}]")
    if cal.spec.store and not args.no_store:
        path = (cal.path.parent / cal.spec.store)
        store(res, path)
        print(f"  stored: {path}")
    print(f"  report: {report}")
    return 0


def cmd_check_realism(args) -> int:
    """Run a scenario with firm snapshots and compare it with stylised facts."""
    from sim.studies.realism import check_realism
    from sim.scenario.loader import load

    L = load(args.file, args.set)
    out = Path(args.out) if args.out else Path("results") / f"realism-{L.model.name}"
    res = check_realism(L, out=out, replicates=args.replicates, seed=args.seed,
                        workers=args.workers, overwrite=args.overwrite,
                        sample_behaviour=args.sample_behaviour,
                        sample_inputs=args.sample_inputs, backtest=args.backtest)
    print(f"check-realism {L.model.name}: {args.replicates} replicate(s) at population.scale "
          f"{L.model.population.scale} -> {out}/")
    groups = {k: [c for c in res["checks"] if c["kind"] == k]
              for k in ("validation", "consistency")}
    print("  validation (published figures not used to build or fit the model; model's 90% "
          "interval over replicates):")
    for r in groups["validation"]:
        print(f"  [{r['verdict']:>9}] {r['id']}: {r['value']:.4g} [{r['p05']:.4g}, "
              f"{r['p95']:.4g}] (published {r['reference']:.4g})")
    print("  consistency (re-measures an input or a fitted moment):")
    for r in groups["consistency"]:
        ref = "" if r["reference"] is None else f" (reference {r['reference']:.4g})"
        print(f"  [{r['verdict']:>9}] {r['id']}: {r['value']:.4g}{ref}")
    bt = res.get("backtest")
    if bt is not None:
        from sim.analysis.calibration import backtest_summary

        a = backtest_summary(bt).iloc[0]
        print(f"  backtest (out of sample, {bt['name']}): {int(a['points'])} held-out "
              f"point(s), {int(a['inside'])} inside their 90% interval, mean absolute error "
              f"{a['mae']:.3f}")
    from sim.report import write_realism_report

    report = write_realism_report(out, L.model.name, L.model.population.scale, res["checks"],
                                  res["tables"], res["initial"], lang=args.lang,
                                  backtest=bt)
    print(f"  report: {report}")
    return 0


def cmd_bench(args) -> int:
    """Time the model as ``bench`` is specified to (docs/interface.md)."""
    from sim.engine.bench import bench

    r = bench(firms=args.firms, replicates=args.replicates, scenario=args.scenario)
    if args.json:
        print(json.dumps(r, indent=1))
    else:
        print(f"firms (initial): {r['firms']}, quarters: {r['quarters']}, timed replicates: "
              f"{r['replicates']}")
        print(f"seconds per replicate (build + 22 quarters + metrics): mean "
              f"{r['seconds_per_replicate']:.3f}, min {r['seconds_min']:.3f}")
        print(f"  of which model build: {r['build_seconds']:.3f}, quarterly update: "
              f"{r['step_seconds']:.3f}, metrics table: {r['table_seconds']:.3f}")
        print(f"firm-steps per second (quarterly update): {r['firm_steps_per_second']:,.0f}")
        print(f"  without creating/removing Enterprise agents ({r['agent_seconds']:.3f} s): "
              f"{r['firm_steps_per_second_columns']:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
