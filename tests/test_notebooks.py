"""The notebooks in notebooks/ run from top to bottom (a copy in memory, executed with
nbclient in their own folder): an error in any cell fails the test, and their outputs say
what they should."""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NB = Path(__file__).resolve().parents[1] / "notebooks"


def _run(name: str):
    nb = nbformat.read(NB / name, as_version=4)
    for cell in nb.cells:  # run the copy from a clean state
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NB)}}).execute()
    return nb


def _outputs(nb):
    pngs, text = 0, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.outputs:
            assert o.output_type != "error", o
            data = o.get("data", {})
            pngs += "image/png" in data
            text.append(data.get("text/plain", "") if data else o.get("text", ""))
    return pngs, "\n".join(text)


def test_stored_notebooks_have_outputs():
    """Readers on GitHub see the figures: the notebooks are stored executed, not too big."""
    for name in ("quickstart.ipynb", "levers.ipynb", "targets.ipynb", "realism.ipynb"):
        nb = nbformat.read(NB / name, as_version=4)
        pngs, _ = _outputs(nb)
        assert pngs >= 3, name
        assert (NB / name).stat().st_size < 600_000, name


def test_quickstart():
    pngs, text = _outputs(_run("quickstart.ipynb"))
    assert pngs >= 5  # two fan charts, ladder, zones, awards
    assert "<Results run yunnan_baseline: 10 replicate(s)" in text
    assert "policy.rd_subsidy.cap_wan: -500 is out of range" in text
    assert re.search(r"specialised_2027\s+\d\.\d", text)  # the published target's probability


def test_levers():
    pngs, text = _outputs(_run("levers.ipynb"))
    assert pngs >= 3
    for v in ("cap_500", "cap_5000", "referral_0", "referral_0.7"):
        assert v in text
    assert "wan_per_extra_hte" in text


def test_targets():
    pngs, text = _outputs(_run("targets.ipynb"))
    assert pngs >= 4
    assert "luck and behaviour" in text and "luck only" in text
    assert "planner" in text and "published:" in text  # each target's source
    for v in ("rd_cap_5000", "budget_double", "off_all_money"):
        assert v in text


def test_realism():
    pngs, text = _outputs(_run("realism.ipynb"))
    assert pngs >= 5  # moments fit, size, growth, exits, bunching
    for p in ("hte_apply_prob", "notch_reach", "drift_base"):  # the stored fit, read
        assert p in text
    for c in ("size_zipf_slope", "growth_spread_beta", "exit_rate_age1", "rd_bunching"):
        assert c in text
    assert "Upper-tail slope" in text and "differs from its reference" in text
