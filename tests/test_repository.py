"""The project stands alone: every relative path its text files mention (scenario
`extends:` and study files, docs' links and examples, code comments) resolves to a file
or folder inside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = {".md", ".yaml", ".yml", ".py", ".toml", ".txt", ".json", ".ipynb", ".cfg", ""}
REL = re.compile(r"(?<![\w/.])(\.\.?/[A-Za-z0-9_./\-]*[A-Za-z0-9_\-])")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
SCENARIO_DIRS = [p for p in (ROOT / "scenarios").iterdir() if p.is_dir()]
# tests whose paths outside the repository are bad inputs (the tool must refuse them)
REFUSALS = {"test_repository.py", "test_hardening.py"}


def tracked() -> list[Path]:
    r = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    names = r.stdout.split() if r.returncode == 0 else [
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
        and ".venv" not in p.parts and ".git" not in p.parts]
    return [ROOT / n for n in names if Path(n).suffix in TEXT and (ROOT / n).is_file()]


def resolves(path: str, where: Path) -> bool:
    """Inside the repository and there, from the file's folder (docs, tests and the
    README also quote scenario files, whose paths are relative to a folder of
    scenarios/); an output path (a results folder a notebook writes) has its parent
    there."""
    for b in [where, ROOT, *SCENARIO_DIRS]:
        p = (b / path).resolve()
        if p.is_relative_to(ROOT) and (p.exists() or p.parent.name == "results"
                                       and p.parent.is_dir()):
            return True
    return False


def test_every_relative_path_resolves_inside_the_repository():
    bad = []
    files = tracked()
    assert len(files) > 50
    for f in files:
        if f.parts[-2:-1] == ("bad_scenarios",) or f.name in REFUSALS:
            continue  # paths outside on purpose: bad inputs the tests feed the tool
        text = f.read_text(encoding="utf-8", errors="replace")
        found = REL.findall(text)
        if f.suffix == ".md":
            found += [x for x in LINK.findall(text) if "://" not in x
                      and not x.startswith("mailto:")]
        for path in found:
            if not resolves(path, f.parent):
                bad.append(f"{f.relative_to(ROOT)}: {path}")
    assert not bad, "paths that do not resolve inside the repository:\n" + "\n".join(bad)


def test_the_check_finds_a_path_outside():
    assert not resolves("../elsewhere/docs/interface.md", ROOT / "docs")
    assert not resolves("../../etc/passwd", ROOT / "scenarios")
    assert resolves("../yunnan_baseline.yaml", ROOT / "scenarios" / "variants")
    assert resolves("../yunnan_baseline.yaml", ROOT / "docs")  # a quoted sweep file
