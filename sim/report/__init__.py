"""``hitech-sim report``: a self-contained bilingual ``report.html`` for a results folder.

:func:`write_report` reads a run, compare, sweep, sensitivity or robust folder and writes

- ``DIR/report.html``: one file, every figure embedded as a base64 PNG data URI, CSS
  inline, no scripts, fonts or links (readable offline, can be mailed);
- ``DIR/figures/*.png`` and ``*.svg``: every figure;
- ``DIR/tables/*.csv``: every table as the report shows it (headers and names in the
  report's languages, numbers rounded), UTF-8 with BOM (opens in Excel with Chinese);
- ``DIR/data/*.csv``: the same tables for scripts: English keys, full precision.

Headings and labels are in Chinese, English or both (``lang``). Chinese in figures
needs a CJK font; without one a warning is printed once and figures use English.

The layer: :mod:`~sim.report.lang` (text, labels, numbers), :mod:`~sim.report.style`
(matplotlib style, CJK font), :mod:`~sim.report.page` (the page and its files, HTML
from ``templates/``), :mod:`~sim.report.figures` (shared figures, frames in), and one
module per kind of report: :mod:`~sim.report.run` (run and compare),
:mod:`~sim.report.sweep`, :mod:`~sim.report.sensitivity`, :mod:`~sim.report.robust`,
:mod:`~sim.report.realism`, :mod:`~sim.report.calibrate`. The report reads files,
calls :mod:`sim.analysis` for statistics, draws and writes; it never runs a model and
imports no study.
"""

from __future__ import annotations

from pathlib import Path

from sim.engine.folder import OutputError
from sim.report.attribute import attribution_report
from sim.report.calibrate import moments_figure, write_calibration_report
from sim.report.lang import (LADDER, LEVER_NAMES, METRIC_LABELS, Lang, ReportError,
                             money_scale, short_zone)
from sim.report.page import Page, keep_figures, read_json
from sim.report.realism import realism_figures, write_realism_report
from sim.report.robust import robust_report
from sim.report.run import run_report
from sim.report.sensitivity import sensitivity_report
from sim.report.style import COLORS, cjk_font, fix_fonts, plt, rc_style
from sim.report.sweep import sweep_report

__all__ = ["COLORS", "LADDER", "LEVER_NAMES", "METRIC_LABELS", "Lang", "Page", "ReportError",
           "cjk_font", "fix_fonts", "keep_figures", "moments_figure", "money_scale",
           "rc_style", "realism_figures", "short_zone", "write_calibration_report",
           "write_pdf", "write_realism_report", "write_report"]

REPORTS = {"sweep": sweep_report, "sensitivity": sensitivity_report,
           "robust": robust_report, "attribute": attribution_report}


def write_report(dir, lang=("zh", "en")) -> Path:
    """Write ``DIR/report.html`` (and figures/, tables/) for a results folder; return the
    path of the HTML."""
    out = Path(dir)
    if not out.is_dir():
        raise ReportError(f"{out}: no such results folder")
    mpath = out / "manifest.json"
    if not mpath.exists():
        raise ReportError(f"{out}: no manifest.json (valid: a folder written by run, "
                          "compare or sweep)")
    try:
        manifest = read_json(mpath)
    except (OSError, ValueError) as e:
        raise ReportError(f"{mpath}: cannot be read ({e})") from None
    L = Lang(lang)
    R = Page(out, L)
    command = manifest.get("command", "run")
    with plt.rc_context(rc_style(L)):
        if command in REPORTS:
            title = REPORTS[command](R, manifest)
        else:
            title = run_report(R, manifest, command)
    return R.write(title)


def write_pdf(html_path: Path) -> Path:
    """``report.pdf`` beside ``report.html``, with WeasyPrint (the ``pdf`` extra)."""
    try:
        import weasyprint
    except ImportError:
        raise OutputError("a PDF needs the pdf extra (WeasyPrint): .venv/bin/pip install -e "
                          "'.[pdf]'; report.html was written") from None
    html_path = Path(html_path)
    out = html_path.with_suffix(".pdf")
    tmp = out.with_name(f".{out.name}.tmp")
    weasyprint.HTML(filename=str(html_path)).write_pdf(str(tmp))
    tmp.replace(out)
    return out
