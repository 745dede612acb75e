"""The fingerprint of what users get: the tables and files of a set of small runs and
studies (population.scale 0.1), reduced to hashes of their contents.

`tests/test_fingerprint.py` runs the cases and compares them with the committed
`tests/fingerprints/expected.json`. A change that moves the model's numbers, or a
table's columns, headers or rounding, regenerates that file on purpose, in a commit of
its own that says why:

    .venv/bin/python tests/fingerprint.py --write

What is compared (issue 12, item 7): `metrics.parquet`, `ledger.parquet`,
`firms.parquet` (equal tables: column names, types and every value), `targets.json`
and `comparison.csv` (equal JSON, equal CSV bytes), the same files of `luck_only/`
(the luck-only set beside a run's headline), every CSV and Parquet file at the
root of a sweep, sensitivity or robust study's folder, and `tables/*.csv` and
`data/*.csv` of each report (written in zh,en). Times, versions and paths (the manifest, and those rows of
`tables/run_info.csv`; the repository's own path in it is replaced by `<ROOT>`) are
not compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).resolve().parent / "fingerprints" / "expected.json"
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
VARIANTS = ROOT / "scenarios" / "variants"
SCALE = ["--set", "population.scale=0.1"]

SMALL_SET = """set:
  population.scale: 0.1
"""
SWEEP = f"""name: fp_sweep
base: {BASE}
{SMALL_SET}levers:
  policy.rd_subsidy.cap_wan: [500, 2000]
  policy.referral.referrer_share: [0.0, 0.7]
behaviour: [rd_price_elasticity]
replicates: 2
outcomes:
  - {{id: hte_2028, metric: hte, quarter: 2028Q4}}
  - {{id: revenue_2030, metric: revenue_wan, quarter: 2030Q4}}
  - {{id: awards_2030, metric: subsidy_wan, quarter: 2030Q4}}
"""
SENS = f"""name: fp_sensitivity
base: {BASE}
{SMALL_SET}parameters: [hte_apply_prob, startup_rate, rank_noise]
outcomes:
  - {{id: hte_2030, metric: hte, quarter: 2030Q4}}
  - {{id: revenue_2030, metric: revenue_wan, quarter: 2030Q4}}
targets: true
replicates: 1
morris: {{trajectories: 2}}
sobol: {{samples: 4, parameters: 2}}
"""
ROBUST = f"""name: fp_robust
base: {BASE}
{SMALL_SET}settings:
  plan: {{}}
  cap_500: {{file: {VARIANTS / 'rd_cap_500.yaml'}}}
  off_all_money: {{file: {VARIANTS / 'off_all_money.yaml'}}}
uncertain: [hte_apply_prob, startup_rate]
samples: 3
replicates: 1
outcomes:
  - {{id: hte_2030, metric: hte, quarter: 2030Q4, sense: max}}
  - {{id: revenue_2030, metric: revenue_wan, quarter: 2030Q4, sense: max}}
targets: true
"""


def cases(tmp: Path) -> list[tuple[str, list[str]]]:
    """(case name, hitech-sim arguments) of every fingerprinted command."""
    files = {}
    for name, text in (("sweep", SWEEP), ("sensitivity", SENS), ("robust", ROBUST)):
        files[name] = tmp / f"fp_{name}.yaml"
        files[name].write_text(text, encoding="utf-8")
    q = ["--quiet"]
    # run and compare sample behaviour by default (with a luck-only set beside, in
    # luck_only/); the cases with --luck-only keep the tables of the scenario's own behaviour
    luck = ["--luck-only"]
    return [
        ("run", ["run", str(BASE), "-n", "2", "--snapshots", *luck, *SCALE, *q]),
        ("compare", ["compare", str(BASE), str(VARIANTS / "rd_cap_500.yaml"),
                     str(VARIANTS / "off_a7_zone_approval_award.yaml"), "-n", "2", *luck,
                     *SCALE, *q]),
        ("sample_behaviour", ["run", str(BASE), "-n", "2", *SCALE, *q]),
        ("lapse", ["run", str(BASE), "-n", "2", "--set", "policy.budget.on_exhausted=lapse",
                   *luck, *SCALE, *q]),
        ("sweep", ["sweep", str(files["sweep"]), *q]),
        ("sensitivity", ["sensitivity", str(files["sensitivity"]), *q]),
        ("robust", ["robust", str(files["robust"]), *q]),
    ]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_print(path: Path) -> dict:
    """Equal tables give equal prints: columns, types and every value (floats in full)."""
    import pandas as pd

    df = pd.read_parquet(path)
    cols = {c: str(t) for c, t in df.dtypes.items()}
    text = df.to_csv(index=False, float_format="%.17g", lineterminator="\n")
    sums = {c: float(df[c].sum()) for c in df.columns
            if df[c].dtype.kind in "fiub" and df[c].dtype.kind != "b"}
    return {"columns": cols, "rows": int(len(df)), "sha256": _sha(text.encode()),
            "sums": sums}


def json_print(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"sha256": _sha(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())}


# rows of a report's run_info table that say when and with what it ran, not what
VOLATILE = (b"Started", b"Finished", b"Versions")


def bytes_print(path: Path) -> dict:
    raw = path.read_bytes()
    if path.name == "run_info.csv":  # it names the base by its path: where the clone is
        raw = b"".join(line for line in raw.splitlines(keepends=True)
                       if not any(v in line for v in VOLATILE))
        raw = raw.replace(str(ROOT).encode(), b"<ROOT>")
    return {"sha256": _sha(raw), "lines": raw.count(b"\n")}


def folder_print(out: Path) -> dict:
    """Prints of the compared files of one results folder, keyed by relative path."""
    prints = {}
    for p in sorted(out.iterdir()):
        if p.suffix == ".parquet":
            prints[p.name] = table_print(p)
        elif p.name == "targets.json":
            prints[p.name] = json_print(p)
        elif p.suffix == ".csv":
            prints[p.name] = bytes_print(p)
    luck = out / "luck_only"
    if luck.is_dir():
        for p in sorted(luck.iterdir()):
            if p.suffix == ".parquet":
                prints[f"luck_only/{p.name}"] = table_print(p)
            elif p.suffix == ".csv":
                prints[f"luck_only/{p.name}"] = bytes_print(p)
    for sub in ("tables", "data"):
        if (out / sub).is_dir():
            for p in sorted((out / sub).glob("*.csv")):
                prints[f"{sub}/{p.name}"] = bytes_print(p)
    return prints


def make(tmp: Path, only: list[str] | None = None) -> dict:
    """Run every case (or ``only`` these) into ``tmp`` and return their prints."""
    result = {}
    for name, args in cases(tmp):
        if only and name not in only:
            continue
        out = tmp / name
        r = subprocess.run([sys.executable, "-m", "sim.cli", *args, "--out", str(out)],
                           capture_output=True, text=True, cwd=ROOT, timeout=1800)
        if r.returncode != 0:
            raise RuntimeError(f"{name}: hitech-sim {' '.join(args)} failed "
                               f"({r.returncode}):\n{r.stderr}")
        result[name] = folder_print(out)
    return result


def differences(expected: dict, got: dict) -> list[str]:
    """Readable lines for every print that differs."""
    lines = []
    for case in sorted(set(expected) | set(got)):
        e, g = expected.get(case, {}), got.get(case, {})
        for f in sorted(set(e) | set(g)):
            if f not in g:
                lines.append(f"{case}/{f}: missing (expected {e[f]})")
            elif f not in e:
                lines.append(f"{case}/{f}: not in the fingerprint")
            elif e[f] != g[f]:
                detail = ""
                if "columns" in e[f]:
                    if e[f]["columns"] != g[f]["columns"]:
                        detail = f" columns {e[f]['columns']} -> {g[f]['columns']}"
                    elif e[f]["rows"] != g[f]["rows"]:
                        detail = f" rows {e[f]['rows']} -> {g[f]['rows']}"
                    else:
                        moved = [c for c in e[f]["sums"]
                                 if e[f]["sums"][c] != g[f]["sums"].get(c)]
                        detail = f" values differ (sums moved: {', '.join(moved) or 'none'})"
                lines.append(f"{case}/{f}: differs{detail}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="regenerate the expected prints")
    ap.add_argument("--keep", default=None, help="keep the results folders here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(args.keep) if args.keep else Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        got = make(tmp)
    if args.write:
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        EXPECTED.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {EXPECTED.relative_to(ROOT)}: {sum(map(len, got.values()))} files "
              f"in {len(got)} cases")
        return 0
    diff = differences(json.loads(EXPECTED.read_text(encoding="utf-8")), got)
    print("\n".join(diff) if diff else "fingerprint: identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
