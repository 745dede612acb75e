"""The what-if page (``hitech-sim app FILE --what-if``): the paired ensemble behind it, the
page rendered headless (solara's test renderer), and the served page in headless Chromium
with two browser sessions, each with its own state."""

import os
import sys
import time
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
BASE = "scenarios/yunnan_baseline.yaml"
SMALL = {"population.scale": 0.02, "calendar.end": "2026Q4", "policy.effective": "2025Q3"}

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_run_whatif_pairs_the_change_with_the_base():
    import sim.app

    L = sim.load_scenario(BASE, overrides=SMALL)
    calls = []
    d = sim.app.whatif_defaults(L.resolved)
    assert d["rd_cap_wan"] == 1000 and d["referrer_share"] == pytest.approx(0.4)
    summ = sim.app.run_whatif(L, {**d, "rd_cap_wan": 200.0}, pairs=3,
                              progress=lambda done, total: calls.append((done, total)))
    assert summ["overrides"] == {"policy.rd_subsidy.cap_wan": 200.0}
    # base and change, the headline set and the luck-only set: 4 x 3 replicates
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)
    assert [c[0] for c in calls] == list(range(13))
    b = summ["bands"]["hte"]
    assert list(b.columns) == ["quarter", "p05", "median", "p95", "mean"]
    assert (b.p05 <= b["median"] + 1e-9).all() and (b["median"] <= b.p95 + 1e-9).all()
    # a lower cap commits less: obligations to date fall in every replicate by the end
    ob = summ["bands"]["awards_earned_wan"]
    assert ob.p95.iloc[-1] < 0
    d2 = summ["differences"]
    assert set(d2.variant) == {summ["variant"]}
    assert (d2[d2.basis.fillna("") == ""].replicates == 3).all()  # cost rows carry none
    # the same inputs give the same answer (same seeds)
    again = sim.app.run_whatif(L, {**d, "rd_cap_wan": 200.0}, pairs=3)
    assert again["bands"]["awards_earned_wan"].equals(ob)


def _render(pairs=2):
    import ipywidgets as w

    import sim.app

    L = sim.load_scenario(BASE, overrides=SMALL)

    @solara.component
    def Root():
        with solara.AppLayout():
            sim.app.WhatIfPage(L, lang=("en",), pairs=pairs, workers=1)

    box, rc = solara.render(Root(), handle_error=False)
    return rc, w


def test_page_moves_a_lever_and_shows_the_answer():
    rc, w = _render()
    sliders = rc.find(v.Slider).widgets
    assert len(sliders) == 7  # six levers and the number of pairs
    page_text = lambda: " ".join(  # noqa: E731
        str(x.children) for x in rc.find(v.Html).widgets)
    assert "A1 cap per award: 1,000 万元 per award" in page_text()
    assert not rc.find(w.Image).widgets  # nothing run yet
    sliders[1].v_model = 500  # A1 cap
    assert "A1 cap per award: 500 万元 per award" in page_text()
    rc.find(v.Btn, children=["Run"]).widget.click()
    for _ in range(600):
        if rc.find(w.Image).widgets:
            break
        time.sleep(0.2)
    imgs = rc.find(w.Image).widgets
    assert len(imgs) == 1 and bytes(imgs[0].value).startswith(b"\x89PNG")
    assert "policy.rd_subsidy.cap_wan = 500" in page_text()
    # a second page (a second session) starts from the scenario's values, with no result
    rc2, _ = _render()
    assert rc2.find(v.Slider).widgets[1].v_model == 1000
    assert not rc2.find(w.Image).widgets


def test_whatif_page_in_chromium_two_sessions(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    import browser

    browser.require_chromium()
    pytest.importorskip("websockets")
    port = browser.free_port()
    exe = Path(sys.executable).parent / "hitech-sim"
    cmd = [str(exe) if exe.exists() else "hitech-sim", "app", BASE, "--what-if", "--port",
           str(port), "--pairs", "2", "--workers", "1"]
    for k, val in SMALL.items():
        cmd += ["--set", f"{k}={val}"]
    server = browser.serve(cmd, port, tmp_path / "server.log", ROOT)
    try:
        url = f"http://127.0.0.1:{port}/"
        with browser.Session(url) as s:
            s.wait_for(["A1 cap per award: 1,000", "Differs from the base: 无 / nothing"])
            s.slider_keys("A1 cap per award", "ArrowLeft", 5)  # 5 steps of 100万: 500
            s.wait_for(["A1 cap per award: 500"])
            s.click("运行 / Run")
            text = s.wait_for(["policy.rd_subsidy.cap_wan = 500", "90% 区间 / 90% interval"],
                              absent=["Running:"])
            assert "Share of replicates meeting each target" in text
            png = s.screenshot(tmp_path / "whatif.png")
            assert png.startswith(b"\x89PNG") and len(png) > 60_000
            out = os.environ.get("HITECH_SIM_SHOTS")
            if out:
                Path(out).mkdir(parents=True, exist_ok=True)
                (Path(out) / "whatif.png").write_bytes(png)
        # a second browser: its own session, at the scenario's values, nothing run
        with browser.Session(url) as s2:
            text = s2.wait_for(["A1 cap per award: 1,000", "Differs from the base: 无 / nothing"])
            assert "policy.rd_subsidy.cap_wan = 500" not in text
    finally:
        browser.stop(server)
