"""What users get stays what it was: the files of small runs and studies (scale 0.1)
equal the committed fingerprint (tests/fingerprint.py says what is compared and how to
regenerate it on purpose, in a commit of its own that says why)."""

from __future__ import annotations

import json

import pytest

import fingerprint as fp


@pytest.mark.slow
def test_results_equal_the_committed_fingerprint(tmp_path):
    expected = json.loads(fp.EXPECTED.read_text(encoding="utf-8"))
    got = fp.make(tmp_path)
    assert set(got) == {name for name, _ in fp.cases(tmp_path)}
    diff = fp.differences(expected, got)
    assert not diff, ("results differ from tests/fingerprints/expected.json (regenerate on "
                      "purpose with tests/fingerprint.py --write):\n" + "\n".join(diff))


def test_a_moved_value_is_reported(tmp_path):
    """The comparison can fail: one changed sum, one missing file, one new file."""
    e = {"run": {"metrics.parquet": {"columns": {"v": "float64"}, "rows": 2, "sha256": "a",
                                     "sums": {"v": 1.0}},
                 "targets.json": {"sha256": "b"}}}
    g = {"run": {"metrics.parquet": {"columns": {"v": "float64"}, "rows": 2, "sha256": "c",
                                     "sums": {"v": 1.5}},
                 "extra.csv": {"sha256": "d", "lines": 1}}}
    lines = fp.differences(e, g)
    assert any("metrics.parquet: differs" in x and "sums moved: v" in x for x in lines)
    assert any("targets.json: missing" in x for x in lines)
    assert any("extra.csv: not in the fingerprint" in x for x in lines)
