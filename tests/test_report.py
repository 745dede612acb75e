"""``report``: a self-contained bilingual report.html for a results folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import sim
from sim.studies.compare import compare

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"
OFF_A5 = ROOT / "scenarios" / "variants" / "off_a5_hte_matching.yaml"
SMALL = ["population.scale=0.02", "calendar.end=2026Q4", "calendar.checkpoints=[2026Q4]"]
BOM = b"\xef\xbb\xbf"


def _glyph_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught
            if "missing from" in str(w.message) or "Glyph" in str(w.message)]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "base"
    sim.run_scenario(sim.load_scenario(BASE, SMALL), replicates=3, out=out)
    return out


@pytest.fixture(scope="module")
def run_report(run_dir):
    from sim.report import write_report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_report(run_dir, lang=("zh", "en"))
    return path, caught


@pytest.fixture(scope="module")
def cmp_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    compare(sim.load_scenario(BASE, SMALL), [sim.load_scenario(OFF_A5, SMALL)], replicates=3,
            out=out)
    return out


def _check_self_contained(html: str):
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert imgs, "no images in the report"
    for tag in imgs:
        assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', tag), tag[:120]
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@font-face" not in html and "url(" not in html


def test_run_report_is_self_contained_and_bilingual(run_dir, run_report):
    path, _ = run_report
    assert path == run_dir / "report.html" and path.exists()
    html = path.read_text(encoding="utf-8")
    _check_self_contained(html)
    for heading in ("运行概况", "目标达成概率", "关键指标走势", "产业集群增长", "企业梯度培育",
                    "招商引资", "奖补支出与预算"):
        assert heading in html
    assert "What was run" in html and "all modelled zones" in html and "全部模拟园区" in html
    assert "luck only" in html  # what the probabilities count
    assert "昆明" in html  # zone names from the resolved scenario


def test_figures_and_tables_are_written(run_dir, run_report):
    figs = run_dir / "figures"
    pngs = sorted(figs.glob("*.png"))
    assert len(pngs) >= 10
    for p in pngs:
        assert p.with_suffix(".svg").exists()
    for name in ("fan_hte", "fan_revenue_wan", "zones_hte", "zones_revenue_wan", "ladder",
                 "cluster_by_zone", "cluster_by_sector", "projects", "investment_by_zone",
                 "awards"):
        assert (figs / f"{name}.png").exists(), name
    csvs = sorted((run_dir / "tables").glob("*.csv"))
    assert len(csvs) >= 5
    for c in csvs:
        assert c.read_bytes().startswith(BOM), c.name


def test_no_missing_glyph_warnings_while_drawing(run_report):
    from sim.report import cjk_font

    _, caught = run_report
    assert _glyph_warnings(caught) == []
    if cjk_font() is None:
        msg = "no CJK font installed: figures fall back to English"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (CI=true: install fonts-wqy-microhei)")
        pytest.skip(msg)


def test_english_only_report_has_no_chinese_headings(run_dir, tmp_path):
    from sim.report import write_report

    d = tmp_path / "en"
    shutil.copytree(run_dir, d, ignore=shutil.ignore_patterns("figures", "tables", "data",
                                                              "report.html", "parts"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = write_report(d, lang="en").read_text(encoding="utf-8")
    assert "What was run" in html and "运行概况" not in html
    assert _glyph_warnings(caught) == []


def test_compare_report_shows_lever_changes_and_paired_differences(cmp_dir):
    from sim.report import write_report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = write_report(cmp_dir).read_text(encoding="utf-8")
    assert _glyph_warnings(caught) == []
    _check_self_contained(html)
    assert "方案与基准的配对差异" in html and "Paired differences" in html
    assert "policy.hte_matching.effective" in html  # the variant's changed lever
    assert "off_a5_hte_matching" in html
    assert (cmp_dir / "figures" / "paired_differences.png").exists()
    assert (cmp_dir / "tables" / "cost_per_unit.csv").read_bytes().startswith(BOM)
    assert (cmp_dir / "tables" / "lever_changes.csv").exists()


def test_compare_report_xlsx_opens_with_chinese_sheets_and_headers(cmp_dir, tmp_path):
    """report.xlsx beside the HTML: the report's tables as sheets with Chinese names and
    headers, header rows frozen, numbers as numbers; English with --lang en."""
    from openpyxl import load_workbook

    from sim.report import write_report

    write_report(cmp_dir, lang=("zh",))
    wb = load_workbook(cmp_dir / "report.xlsx")
    names = wb.sheetnames
    assert names[0] == "说明" and "运行概况" in names and "配对差异" in names
    assert all(len(n) <= 31 for n in names) and len(set(names)) == len(names)
    ws = wb["配对差异"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["方案", "指标", "检查点"] and "差值 5% 分位" in head
    assert not any(h and "_" in h for h in head)  # no snake_case left
    assert ws.freeze_panes == "A2"
    row = [c.value for c in ws[2]]
    assert any(isinstance(v, (int, float)) for v in row)  # numbers, not text
    assert "高企" in row[1]  # metric names as the report says them
    # the CSV scripts read (data/) keeps its English keys; tables/ is the sheet
    assert "diff_p05" in (cmp_dir / "data" / "paired_differences.csv").read_text(
        encoding="utf-8-sig")
    assert "差值 5% 分位" in (cmp_dir / "tables" / "paired_differences.csv").read_text(
        encoding="utf-8-sig")
    write_report(cmp_dir, lang=("en",))
    wb = load_workbook(cmp_dir / "report.xlsx")
    assert wb.sheetnames[0] == "About" and "Paired differences" in wb.sheetnames
    assert [c.value for c in wb["Paired differences"][1]][:3] == ["variant", "metric",
                                                                  "checkpoint"]


def test_report_cli_and_missing_folder(run_dir, tmp_path):
    cmd = [sys.executable, "-m", "sim.cli"]
    d = tmp_path / "copy"
    shutil.copytree(run_dir, d, ignore=shutil.ignore_patterns("figures", "tables", "data",
                                                              "report.html", "parts"))
    r = subprocess.run(cmd + ["report", str(d), "--lang", "en"], capture_output=True,
                       text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "report.html" in r.stdout and (d / "report.html").exists()
    r = subprocess.run(cmd + ["report", str(tmp_path / "nope")], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2
    assert "no such results folder" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "empty").mkdir()
    r = subprocess.run(cmd + ["report", str(tmp_path / "empty")], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2 and "manifest.json" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(cmd + ["report", str(d), "--lang", "fr"], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_run_cli_writes_the_report_unless_no_report(tmp_path):
    from sim.cli import main

    sets = sum((["--set", s] for s in ["population.scale=0.02", "calendar.end=2025Q4",
                                       "calendar.checkpoints=[2025Q4]"]), [])
    out = tmp_path / "a"
    assert main(["run", str(BASE), "-n", "2", "--out", str(out), "--quiet", "--no-report",
                 *sets]) == 0
    assert not (out / "report.html").exists()
    out = tmp_path / "b"
    assert main(["run", str(BASE), "-n", "2", "--out", str(out), "--quiet", *sets]) == 0
    assert (out / "report.html").exists()


def test_report_in_headless_chromium(run_dir, run_report, tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    import browser

    exe = browser.require_chromium()  # skips without Chromium; fails under CI=true
    path, _ = run_report
    flags = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run(flags + [f"--screenshot={shot}", "--window-size=1280,4000",
                            path.resolve().as_uri()], capture_output=True, timeout=60)
    dom = subprocess.run(flags + ["--dump-dom", path.resolve().as_uri()], capture_output=True,
                         timeout=60)
    text = dom.stdout.decode("utf-8", "replace")
    assert "运行概况" in text
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', text)) >= 10
    assert shot.exists()
    from PIL import Image, ImageStat

    with Image.open(shot) as im:
        stat = ImageStat.Stat(im.convert("L"))
    assert shot.stat().st_size > 50_000 or stat.stddev[0] > 10, "blank screenshot"
    assert stat.stddev[0] > 5


def test_without_a_cjk_font_figures_fall_back_to_english(run_dir, tmp_path, monkeypatch,
                                                         capsys):
    import sim.report as report
    import sim.report.style as style

    monkeypatch.setattr(style, "_font_state", {})
    monkeypatch.setattr(style, "CJK_FONTS", ["No Such CJK Font"])
    d = tmp_path / "nofont"
    shutil.copytree(run_dir, d, ignore=shutil.ignore_patterns("figures", "tables", "data",
                                                              "report.html", "parts"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = report.write_report(d).read_text(encoding="utf-8")
        report.write_report(d)
    err = capsys.readouterr().err
    assert err.count("no CJK font found") == 1 and "fonts-wqy-microhei" in err
    assert _glyph_warnings(caught) == []
    assert "运行概况" in html  # the HTML stays bilingual: browsers have fonts


def test_sweep_report_has_responses_and_a_heat_map(tmp_path):
    from sim.report import write_report
    from sim.studies.sweep import run_sweep

    f = tmp_path / "tiny.yaml"
    f.write_text(f"""name: tiny
base: {BASE}
set:
  population.scale: 0.02
  calendar.end: 2026Q4
  calendar.checkpoints: [2026Q4]
levers:
  policy.rd_subsidy.cap_wan: [500, 2000]
  policy.referral.referrer_share: [0.0, 0.5]
replicates: 2
outcomes:
  - {{id: hte_2026, metric: hte, zone: ALL, quarter: 2026Q4}}
""", encoding="utf-8")
    out = tmp_path / "out"
    run_sweep(f, out=out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = write_report(out).read_text(encoding="utf-8")
    assert _glyph_warnings(caught) == []
    _check_self_contained(html)
    assert "响应曲线" in html and "Heat map" in html
    assert (out / "figures" / "response_hte_2026.png").exists()
    assert (out / "figures" / "heat_hte_2026.svg").exists()
    assert (out / "tables" / "points.csv").read_bytes().startswith(BOM)


def test_pdf_beside_the_html(tmp_path):
    pytest.importorskip("weasyprint", reason="the pdf extra is not installed")
    import sim

    out = tmp_path / "p"
    sim.run_scenario(sim.load_scenario(ROOT / "scenarios" / "yunnan_baseline.yaml", [
        "population.scale=0.02", "calendar.end=2026Q2", "calendar.checkpoints=[2026Q2]"]),
        replicates=2, out=out)
    r = subprocess.run([sys.executable, "-m", "sim.cli", "report", str(out), "--pdf"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    pdf = out / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000


def test_a_new_report_drops_figures_and_tables_the_last_one_wrote(run_dir, run_report,
                                                                   tmp_path):
    from sim.report import write_report

    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    kept = sorted(p.name for p in (out / "figures").iterdir())
    (out / "figures" / "old_plot.png").write_bytes(b"x")
    (out / "figures" / "old_plot.svg").write_text("x")
    (out / "tables" / "old_table.csv").write_text("a\n1\n")
    (out / "data" / "old_table.csv").write_text("a\n1\n")
    write_report(out, lang=("zh", "en"))
    assert sorted(p.name for p in (out / "figures").iterdir()) == kept
    assert not (out / "tables" / "old_table.csv").exists()
    assert not (out / "data" / "old_table.csv").exists()
    assert ({p.name for p in (out / "tables").iterdir()}
            == {p.name for p in (out / "data").iterdir()})
    # every figure and table the report names is on disk
    html = (out / "report.html").read_text(encoding="utf-8")
    for name in re.findall(r"tables/([\w.-]+\.csv)", html):
        assert (out / "tables" / name).exists(), name
    assert (out / "metrics.parquet").exists()  # the results themselves untouched


def test_page_escapes_text_and_writes_its_tables(tmp_path):
    """report.html comes from the Jinja2 template with autoescaping: a scenario's text
    cannot inject markup; tables go to tables/NAME.csv."""
    import pandas as pd

    from sim.report import Lang, Page

    page = Page(tmp_path, Lang("zh,en"))
    page.h2("概况 <b>", "Summary <script>alert(1)</script>")
    page.p("说明 & <i>", "note & <i>", "warn")
    page.table(pd.DataFrame({"a<": ["<td>x"]}), "t", caption=("表", "Table"))
    path = page.write("Title <script>")
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "note &amp; &lt;i&gt;" in html and "<br><span class='en'>" in html
    assert "<th>a&lt;</th>" in html and "<td>&lt;td&gt;x</td>" in html
    assert (tmp_path / "tables" / "t.csv").read_text(encoding="utf-8-sig") == "a<\n<td>x\n"
    assert (tmp_path / "data" / "t.csv").read_text(encoding="utf-8-sig") == "a<\n<td>x\n"


def test_a_cjk_font_installed_after_matplotlibs_cache_is_found(monkeypatch):
    """matplotlib's font cache may predate the CJK font (it was built before the font was
    installed): the font is then found on disk and added, with no warning."""
    from matplotlib import font_manager

    import sim.report.style as st

    on_disk = [p for p in font_manager.findSystemFonts()
               if any(k in p.rsplit("/", 1)[-1].lower().replace("_", "") for k in st.CJK_FILES)]
    if not on_disk:
        msg = "no CJK font installed: apt-get install fonts-wqy-microhei"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (CI=true)")
        pytest.skip(msg)
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in st.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", list(stale))
    monkeypatch.setattr(st, "_font_state", {})
    assert st.cjk_font(warn=False) in st.CJK_FONTS
    # and without any on disk, the warning says how to install one
    monkeypatch.setattr(font_manager.fontManager, "ttflist", list(stale))
    monkeypatch.setattr(st, "_font_state", {})
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert st.cjk_font(warn=False) is None
    assert "apt-get install fonts-wqy-microhei" in st.NO_CJK_WARNING


def _csv(path):
    import pandas as pd

    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_compare_report_shows_every_variant_in_cluster_tables_and_the_ladder(cmp_dir):
    """Comparisons everywhere (issue 19): the cluster tables and the ladder of a compare
    report carry each variant (a row each, with its change from the base), the ladder has
    a figure with every variant's line, and their CSVs a variant column."""
    from sim.report import write_report

    html = write_report(cmp_dir, lang=("zh", "en")).read_text(encoding="utf-8")
    variants = ["yunnan_baseline", "off_a5_hte_matching"]
    for name in ("cluster_by_zone", "cluster_by_sector", "ladder_end"):
        at = html.find(f"tables/{name}.csv")
        assert at >= 0, name
        block = html[at:html.find("</table>", at)]
        for v in variants:
            assert f"<td>{v}</td>" in block, (name, v)
        assert "与基准之差" in block and "change from base" in block, name
        raw = pd_read(cmp_dir / "data" / f"{name}.csv")
        assert list(dict.fromkeys(raw["variant"])) == variants, name
    assert (cmp_dir / "figures" / "ladder_variants.png").exists()
    assert set(pd_read(cmp_dir / "data" / "ladder.csv")["variant"]) == set(variants)
    # a zone's rows sit together, the base first
    z = pd_read(cmp_dir / "data" / "cluster_by_zone.csv")
    assert list(z["variant"][:2]) == variants and z["zone"][0] == z["zone"][1]
    assert (z.loc[z.variant == variants[0], "hte_change"] == 0).all()


def pd_read(path):
    import pandas as pd

    return pd.read_csv(path, encoding="utf-8-sig")


def test_tables_csv_speak_the_report_language_and_are_rounded(cmp_dir, tmp_path):
    """tables/*.csv are the report's tables for Excel: headers, metric, zone and lever names
    in the report's languages (zh; zh,en as "中文 / English"), numbers rounded to what they
    mean (a count whole, not 20.0; no 47.68052328083312); data/*.csv keep English keys
    and full precision for scripts."""
    import re as _re

    from sim.report import write_report

    d = tmp_path / "zh"
    shutil.copytree(cmp_dir, d, ignore=shutil.ignore_patterns("figures", "tables", "data",
                                                              "report.*"))
    write_report(d, lang=("zh",))
    tables = sorted((d / "tables").glob("*.csv"))
    assert {p.name for p in tables} == {p.name for p in (d / "data").glob("*.csv")}
    long_float = _re.compile(r"\d\.\d{5,}")
    for p in tables:
        text = p.read_text(encoding="utf-8-sig")
        head = text.splitlines()[0]
        for v in ("yunnan_baseline", "off_a5_hte_matching"):  # names, not keys
            head = head.replace(v, "")
        assert not _re.search(r"[a-z]+_[a-z]+", head), (p.name, head)  # no snake_case key
        assert _re.search(r"[\u4e00-\u9fff]", head), (p.name, head)  # Chinese headers
        assert not long_float.search(text), (p.name, long_float.search(text).group())
    fan = _csv(d / "tables" / "fan_hte.csv")
    assert list(fan.columns)[:3] == ["方案", "季度", "指标"]
    assert set(fan["指标"]) == {"高新技术企业（高企）"}
    assert not any(v.endswith(".0") for v in fan["中位数"])  # counts are whole numbers
    money = _csv(d / "tables" / "fan_revenue_wan.csv")
    assert "中位数（万元）" in money.columns
    assert all(v.isdigit() for v in money["中位数（万元）"])  # 万元 to the unit
    awards = _csv(d / "tables" / "awards_by_lever_payer_year.csv")
    assert all(_re.match(r"A\d+ \S", v) for v in awards["杠杆"])  # the lever's name
    assert set(awards["支付方"]) <= {"省级", "园区"}
    zones = _csv(d / "tables" / "cluster_by_zone.csv")
    assert "昆明" in set(zones["园区"])
    raw = pd_read(d / "data" / "fan_hte.csv")  # scripts' copy: keys and full precision
    assert list(raw.columns)[:3] == ["variant", "quarter", "metric"]
    assert set(raw["metric"]) == {"hte"}
    rawd = (d / "data" / "cluster_by_zone.csv").read_text(encoding="utf-8-sig")
    assert "hte_start" in rawd and long_float.search(rawd)  # growth in % unrounded
    # both languages: "中文 / English"
    write_report(d, lang=("zh", "en"))
    fan = _csv(d / "tables" / "fan_hte.csv")
    assert list(fan.columns)[:3] == ["方案 / variant", "季度 / quarter", "指标 / metric"]
    assert set(fan["指标 / metric"]) == {"高新技术企业（高企） / High-tech enterprises (HTE)"}
    pdiff = _csv(d / "tables" / "paired_differences.csv")
    assert "差值 5% 分位 / difference, 5%" in pdiff.columns
    # English: English labels, the same rounding
    write_report(d, lang=("en",))
    fan = _csv(d / "tables" / "fan_hte.csv")
    assert list(fan.columns)[:3] == ["variant", "quarter", "metric"]
    assert set(fan["metric"]) == {"High-tech enterprises (HTE)"}
    assert not any(v.endswith(".0") for v in fan["median"])


def test_plain_number_rounds_to_what_a_number_means():
    from sim.report.lang import plain_number

    assert plain_number(20.0, "count") == 20 and isinstance(plain_number(20.0, "count"), int)
    assert plain_number(47.68052328083312, "count") == 48
    assert plain_number(2.5, "count") == 2.5  # a mean of a few firms keeps its half
    assert plain_number(47.68052328083312) == 47.7
    assert plain_number(1234567.891, "money") == 1234568
    assert plain_number(0.0234567, "ratio") == 0.0235
    assert plain_number(float("nan")) is None


def test_report_tables_show_short_zone_names_and_fit_the_page(cmp_dir):
    """Zone cells in the report's tables are short (昆明, with the full name on hover);
    every table sits in a horizontally scrolling box so that wide tables do not overflow
    the page."""
    from sim.report import write_report

    html = write_report(cmp_dir, lang=("zh",)).read_text(encoding="utf-8")
    body = html[html.find("</nav>"):]
    tables = re.findall(r"<table>.*?</table>", body, flags=re.S)
    assert tables and body.count('<div class="scroll"><table>') == len(tables)
    assert ".scroll{max-width:100%;overflow-x:auto" in html
    for name in ("cluster_by_zone", "investment_by_zone", "investment_credited_changes"):
        at = body.find(f"tables/{name}.csv")
        block = body[at:body.find("</table>", at)]
        assert '<td title="昆明高新技术产业开发区">昆明</td>' in block, name
        assert "<td>昆明高新技术产业开发区</td>" not in block, name
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", body)
    assert not any(c.endswith("高新技术产业开发区") for c in cells)
    assert "昆明" in set(_csv(cmp_dir / "tables" / "cluster_by_zone.csv")["园区"])


def test_paired_difference_panels_share_a_scale_within_a_unit_family():
    """Counts of firms share one x-scale, public money another (a count beside money would
    vanish on one scale); a metric alone in its family keeps its own; the caption says
    which panels share."""
    import pandas as pd

    from sim.report import keep_figures
    from sim.report.figures import compare_section, unit_families

    assert unit_families(["hte", "revenue_wan", "gazelles", "subsidy_wan", "employees",
                          "arrears_wan", "rd_intensity"]) == [
        ("firms", ["hte", "gazelles"]), ("economy", ["revenue_wan"]),
        ("public_money", ["subsidy_wan", "arrears_wan"]), ("people", ["employees"]),
        ("other", ["rd_intensity"])]
    rows = []
    for v, k in (("a", 1.0), ("b", -2.0)):
        for m, x in (("hte", 30.0), ("gazelles", 3.0), ("subsidy_wan", 500.0),
                     ("arrears_wan", 50.0), ("employees", 800.0)):
            rows.append({"variant": v, "base": "base", "metric": m, "checkpoint": "2030Q4",
                         "base_median": 10 * x, "variant_median": 10 * x + k * x,
                         "diff_mean": k * x, "diff_median": k * x, "diff_p05": k * x - x,
                         "diff_p95": k * x + x, "share_positive": 0.5, "replicates": 10})
    d = pd.DataFrame(rows)
    [fig] = keep_figures(lambda R: compare_section(R, d, "base"))
    lim = {ax.get_title(): ax.get_xlim() for ax in fig.axes if ax.get_title()}
    assert lim["High-tech enterprises (HTE)"] == lim["Gazelles"]
    assert lim["Awards paid (year)"] == lim["Arrears (earned, not paid)"]
    assert lim["Gazelles"] != lim["Awards paid (year)"]
    assert lim["Employees"] != lim["Gazelles"]
    assert "share one scale" in fig.reading[1] and "counts of firms: 2 panels" in fig.reading[1]
    assert "共用横轴刻度" in fig.reading[0]
