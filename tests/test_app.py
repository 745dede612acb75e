"""hitech-sim app: the SolaraViz page rendered headless (solara's test renderer), its
model adaptor, the command's bad-input handling, and one screenshot of the served page
in headless Chromium."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
BASE = "scenarios/yunnan_baseline.yaml"
SMALL = {"population.scale": 0.02, "calendar.end": "2026Q4"}

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _render(monkeypatch):
    """Render the page inside an AppLayout (its sidebar lives there); keep every model
    the page builds."""
    import ipywidgets as w

    import sim.app

    built = []
    make = sim.app.make_model_class

    def recording(loaded):
        cls = make(loaded)

        class Recorded(cls):
            def __init__(self, **kw):
                super().__init__(**kw)
                built.append(self)

        import inspect

        Recorded.__init__.__signature__ = inspect.signature(cls.__init__)
        return Recorded

    monkeypatch.setattr(sim.app, "make_model_class", recording)
    L = sim.load_scenario(BASE, overrides=SMALL)

    @solara.component
    def Root():
        with solara.AppLayout():
            sim.app.make_page(L, lang=("en",))

    box, rc = solara.render(Root(), handle_error=False)
    return rc, built, w


def test_page_renders_and_steps(monkeypatch):
    rc, built, w = _render(monkeypatch)
    assert [b.children for b in rc.find(v.Btn).widgets] == [["Reset"], ["▶"], ["Step"]]
    sliders = {s.label: s for s in rc.find(v.Slider).widgets}
    assert sliders["A1 R&D award cap (万元 per award)"].v_model == 1000
    assert sliders["B1 referrer's credit share"].v_model == pytest.approx(0.4)
    assert sliders["A1 R&D award rate"].v_model == pytest.approx(0.2)
    images = rc.find(w.Image).widgets
    assert len(images) == 3  # zone overview, one zone's charts, Mesa's all-zone plot
    before = [bytes(i.value) for i in images]
    assert all(b.startswith(b"\x89PNG") and len(b) > 5000 for b in before)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert rc.find(v.Html, children=["Time: 1.0"]).widgets
    model = built[-1]
    assert model.steps == 1 and model.quarter == "2025Q3"
    assert len(model.datacollector.get_model_vars_dataframe()) == 2
    after = [bytes(i.value) for i in rc.find(w.Image).widgets]
    assert not set(after) & set(before)  # every chart redrawn with the new quarter
    # the zone menu switches the four charts to one zone
    sel = rc.find(v.Select, label="Zone 园区").widget
    assert sel.items[0] == "ALL" and "kunming" in sel.items
    sel.v_model = "kunming"
    now = {bytes(i.value) for i in rc.find(w.Image).widgets}
    assert len(now - set(after)) == 1  # only the zone charts changed


def test_sliders_rebuild_the_model(monkeypatch):
    rc, built, _ = _render(monkeypatch)
    cap = next(s for s in rc.find(v.Slider).widgets if s.label.startswith("A1 R&D award cap"))
    share = next(s for s in rc.find(v.Slider).widgets if s.label.startswith("B1"))
    cap.v_model = 3000
    share.v_model = 0.7
    rc.find(v.Btn, children=["Reset"]).widget.click()
    m = built[-1]
    assert m.scenario_data.policy.rd_subsidy.cap_wan == 3000.0
    assert m.scenario_data.policy.referral.referrer_share == pytest.approx(0.7)
    assert m.steps == 0 and len(built) >= 2
    # the same seed and levers give the same run as the batch runner's replicate 0
    for _ in range(3):
        m.step()
    res = sim.run(BASE, replicates=1, overrides={**SMALL, "policy.rd_subsidy.cap_wan": 3000,
                                                 "policy.referral.referrer_share": 0.7})
    from sim.core import metrics as met

    got = m.out[3, -1, met.M["hte"]]
    assert got == res.at("hte", "2026Q1")["yunnan_baseline"].iloc[0]


def test_app_bad_input_exits_2(tmp_path):
    exe = [sys.executable, "-m", "sim.cli", "app"]
    r = subprocess.run(exe + [BASE, "--set", "policy.rd_subsidy.rate=3"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    assert "policy.rd_subsidy.rate: 3 is out of range" in r.stderr
    assert "Traceback" not in r.stderr
    r = subprocess.run(exe + [BASE, "--port", "70000"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "is not a port" in r.stderr
    r = subprocess.run(exe + [str(tmp_path / "none.yaml")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "none.yaml" in r.stderr


def test_app_serves_the_page_in_chromium(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    import browser

    browser.require_chromium()  # skips without Chromium; fails under CI=true
    pytest.importorskip("websockets")
    port = browser.free_port()
    exe = Path(sys.executable).parent / "hitech-sim"
    cmd = [str(exe) if exe.exists() else "hitech-sim", "app", BASE, "--port", str(port),
           "--set", "population.scale=0.1"]
    server = browser.serve(cmd, port, tmp_path / "server.log", ROOT)
    try:
        shot = tmp_path / "app.png"
        text = browser.screenshot(f"http://127.0.0.1:{port}/", shot,
                                  ["Model Parameters", "Zone 园区", "A1 R&D award cap"],
                                  steps=4, after_step="Time: {k}.0")
        assert "Time: 4.0" in text and "hitech-sim — yunnan_baseline" in text
        # a second browser has a session of its own: it starts at the initial state
        # (before, every session shared one model and opened where another had left it)
        text2 = browser.screenshot(f"http://127.0.0.1:{port}/", tmp_path / "app2.png",
                                   ["Model Parameters", "Zone 园区", "A1 R&D award cap"])
        assert "Time: 0.0" in text2 and "Time: 4.0" not in text2
        png = shot.read_bytes()
        w, h = struct.unpack(">II", png[16:24])
        assert (w, h) == (1600, 1200)
        assert len(png) > 60_000  # sidebar, tiles and charts, not a blank page
        out = os.environ.get("HITECH_SIM_SHOTS")
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / "app.png").write_bytes(png)
    finally:
        browser.stop(server)
