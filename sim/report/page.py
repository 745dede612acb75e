"""The page: the figures, tables and text of one report, and the files it writes.

A :class:`Page` collects headings, paragraphs, tables and figures in order; with a
folder it writes every table twice, UTF-8 with BOM (opens in Excel with Chinese):
``tables/NAME.csv`` as the report shows it (headers, metric, zone, lever and payer names
in the report's languages, numbers rounded to what they mean: the cells of report.xlsx)
and ``data/NAME.csv`` for scripts (English keys, full precision); every figure as
``figures/NAME.png`` and ``.svg``, and
:meth:`Page.write` renders ``report.html`` from the Jinja2 template
``templates/report.html`` (autoescaped; CSS inline, figures as base64 PNG data URIs, no
scripts, fonts or links: readable offline) and ``report.xlsx`` (the page's tables as
sheets, as the page shows them). Without a folder (:func:`keep_figures`) it keeps the
figures as matplotlib objects and writes nothing.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from sim.report.lang import (HEADERS, LEVER_NAMES, METRIC_LABELS, PAYERS, SHEET_NAMES, Lang,
                             plain_number, short_zone)
from sim.report.style import fix_fonts, plt, rc_style

_TEMPLATES = Path(__file__).with_name("templates")
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                         autoescape=jinja2.select_autoescape(["html"]),
                         keep_trailing_newline=True)


def read_json(path: Path):
    """The JSON document at ``path``."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV table of a results folder, or an empty frame when missing or empty."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def safe_name(s: str) -> str:
    """``s`` as a file name: letters, digits, ``-`` and ``_`` kept, the rest ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(s))


class Page:
    """One report: blocks of HTML in order, and its tables and figures.

    ``out``: the results folder (tables/, data/ and figures/ are made in it), or None to
    keep figures in memory (:attr:`kept`) and write nothing; ``zones``: the scenario's
    zones, whose short names a table's ``zone`` ids are shown by."""

    def __init__(self, out: Path | None, L: Lang, zones: list[dict] | None = None):
        self.out, self.L, self.zones = out, L, list(zones or [])
        self.figdir = self.tabdir = self.datadir = None
        if out is not None:
            self.figdir, self.tabdir = out / "figures", out / "tables"
            self.datadir = out / "data"
            for d in (self.figdir, self.tabdir, self.datadir):
                d.mkdir(exist_ok=True)
        self.blocks: list[dict] = []
        self.toc: list[tuple[str, str]] = []
        self.figures: list[str] = []
        self.tables: list[str] = []
        self.sheets: list[tuple[str, tuple[str, str] | None, pd.DataFrame]] = []
        self.kept: list = []

    # ------------------------------------------------------------------ text
    def _text(self, zh: str, en: str) -> dict:
        """Both languages on two lines when both are asked for, else one."""
        if len(self.L.lang) == 2:
            return {"zh": zh, "en": en, "one": None}
        return {"zh": None, "en": None, "one": self.L.t(zh, en)}

    def h2(self, zh, en):
        """A section heading (listed in the table of contents)."""
        anchor = f"s{len(self.toc) + 1}"
        self.toc.append((anchor, self.L.t(zh, en)))
        self.blocks.append({"kind": "h2", "anchor": anchor, "text": self.L.t(zh, en)})

    def h3(self, zh, en):
        """A sub-heading."""
        self.blocks.append({"kind": "h3", "text": self.L.t(zh, en)})

    def p(self, zh, en, cls=""):
        """A paragraph; ``cls``: "note" or "warn"."""
        self.blocks.append({"kind": "p", "cls": cls, "text": self._text(zh, en)})

    # ------------------------------------------------------------------ tables, figures
    def csv(self, df: pd.DataFrame, name: str, shown: pd.DataFrame | None = None) -> None:
        """Write ``data/NAME.csv`` (``df`` as it is: English keys, full precision) and
        ``tables/NAME.csv`` (``shown``, a table as the page shows it; else ``df`` in the
        report's languages, :meth:`localise`), without showing them."""
        if self.tabdir is None:
            return
        df.to_csv(self.datadir / f"{name}.csv", index=False, encoding="utf-8-sig")
        shown = self.localise(df) if shown is None else shown
        # cell by cell, kept as objects: a whole count stays 20 beside a mean of 2.5
        cells = pd.DataFrame({i: pd.Series([_cell(v) for v in shown.iloc[:, i]], dtype=object)
                              for i in range(shown.shape[1])})
        cells.columns = [str(c) for c in shown.columns]
        cells.to_csv(self.tabdir / f"{name}.csv", index=False, encoding="utf-8-sig")
        self.tables.append(f"tables/{name}.csv")

    def localise(self, df: pd.DataFrame) -> pd.DataFrame:
        """A table of raw keys as the report says it: headers (:data:`HEADERS`, metric
        names with their unit), metric, zone (short), lever and payer names in the
        report's languages, and numbers rounded to what they mean (counts whole: the
        metric of the row or the column says what a number counts)."""
        L = self.L
        out = pd.DataFrame(index=df.index)
        rows_kind = ([METRIC_LABELS.get(m, ("", "", "number"))[2] for m in df["metric"]]
                     if "metric" in df else None)
        for c in df.columns:
            col = df[c]
            if c == "metric":
                col = col.map(lambda m: L.t(*METRIC_LABELS[m][:2]) if m in METRIC_LABELS
                              else m)
            elif c == "zone" and self.zones:
                col = col.map(lambda z: short_zone(self.zones, z, L, fig=False))
            elif c == "lever":
                col = col.map(lambda v: f"{v} {L.t(*LEVER_NAMES[v])}" if v in LEVER_NAMES
                              else v)
            elif c == "payer":
                col = col.map(lambda v: L.t(*PAYERS[v]) if v in PAYERS else v)
            elif col.dtype.kind == "f":
                if c in METRIC_LABELS or c == "hte_only":
                    kinds = [METRIC_LABELS.get(c, ("", "", "count"))[2]] * len(col)
                else:
                    kinds = rows_kind or ["number"] * len(col)
                col = pd.Series([plain_number(v, k) for v, k in zip(col, kinds, strict=True)],
                                index=df.index, dtype=object)
            head = self.header(c)
            if (rows_kind and col.dtype == object and set(rows_kind) == {"money"}
                    and c not in METRIC_LABELS and df[c].dtype.kind == "f"):
                head += L.t("（万元）", " (万元)", "")  # every row in 万元: say so once
            out[head] = col
        return out

    def header(self, c) -> str:
        """A raw column name as the report's tables say it: :data:`HEADERS`, a metric's
        name (money with its unit, 万元), else as it is."""
        L = self.L
        if c in HEADERS:
            return L.t(*HEADERS[c])
        if c in METRIC_LABELS:
            zh, en, kind = METRIC_LABELS[c]
            return L.t(zh + ("（万元）" if kind == "money" else ""),
                       en + (" (万元)" if kind == "money" else ""))
        return str(c)

    def table(self, df: pd.DataFrame, name: str, caption: tuple[str, str] | None = None,
              csv: pd.DataFrame | None = None, max_rows: int = 60,
              tooltips: dict[str, str] | None = None):
        """An HTML table, its sheet of report.xlsx and its two CSV files: tables/ the
        table as shown, data/ ``csv`` if given (raw numbers; else ``df``);
        ``tooltips``: cell text -> the text shown on hovering it (a short zone name's
        full name)."""
        raw = csv if csv is not None else df
        if "zone" in df.columns and self.zones:  # ids as short names
            df = df.assign(zone=[short_zone(self.zones, z, self.L, fig=False)
                                 for z in df["zone"]])
        df = df.rename(columns={c: self.L.t(*HEADERS[c]) for c in df.columns
                                if isinstance(c, str) and c in HEADERS})
        if self.L.t("指标", "metric") in df:  # metric names as the report says them
            col = self.L.t("指标", "metric")
            df = df.assign(**{col: [self.L.t(*METRIC_LABELS[m][:2]) if m in METRIC_LABELS
                                    else m for m in df[col]]})
        self.csv(raw, name, shown=df)
        self.sheets.append((name, caption, df))
        shown = df.head(max_rows)
        more = len(df) - max_rows
        self.blocks.append({
            "kind": "table", "name": name,
            "caption": self.L.t(*caption) if caption else None, "src": f"tables/{name}.csv",
            "columns": [str(c) for c in shown.columns],
            "rows": [[{"v": str(v), "title": (tooltips or {}).get(str(v))}
                      for v in r.to_numpy()] for _, r in shown.iterrows()],
            "more": (self.L.t(f"另有 {more} 行见 CSV", f"{more} more rows in the CSV")
                     if more > 0 else None)})

    def figure(self, fig, name: str, reading: tuple[str, str]):
        """Save a figure as PNG and SVG, embed the PNG with its one-line reading (without
        a folder: keep the figure, its reading in ``fig.reading``)."""
        if self.out is None:
            plt.close(fig)  # shown once, as the returned object
            fig.reading = reading
            self.kept.append(fig)
            return
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        png = buf.getvalue()
        (self.figdir / f"{name}.png").write_bytes(png)
        fig.savefig(self.figdir / f"{name}.svg", format="svg", bbox_inches="tight")
        plt.close(fig)
        self.figures.append(f"figures/{name}.png")
        self.blocks.append({"kind": "figure", "alt": name,
                            "png": base64.b64encode(png).decode("ascii"),
                            "reading": self._text(*reading)})

    # ------------------------------------------------------------------ output
    def html(self, title: str) -> str:
        """The page as one self-contained HTML document."""
        L = self.L
        return ENV.get_template("report.html").render(
            lang_attr="zh-CN" if L.lang[0] == "zh" else "en", title=title,
            css=(_TEMPLATES / "report.css").read_text(encoding="utf-8"), toc=self.toc,
            blocks=self.blocks,
            footer=L.t("由 hitech-sim 生成；图表另存于 figures/（PNG、SVG），表格存于 tables/"
                       "（CSV，与报告相同的表头和取整，可用 Excel 打开），供程序读取的完整精度英文键表格存于 data/。",
                       "Made by hitech-sim; figures also in figures/ (PNG, SVG), tables in "
                       "tables/ (CSV, headers and rounding as in the report, for Excel); the "
                       "same tables with English keys and full precision, for scripts, in "
                       "data/."))

    def write(self, title: str) -> Path:
        """Write ``report.html`` and ``report.xlsx`` (each atomically) and remove stale
        figures and tables."""
        path = self.out / "report.html"
        tmp = self.out / ".report.html.tmp"
        tmp.write_text(self.html(title), encoding="utf-8")
        tmp.replace(path)
        self.workbook(title)
        self.drop_stale()
        return path

    def workbook(self, title: str) -> Path | None:
        """``report.xlsx``: every table of the page as a sheet, as the report shows it
        (its headers and names in the report's languages, numbers formatted as in the
        page: counts whole, money in 万元/亿元); plain numbers are written as numbers.
        Sheet names are the tables' captions (Chinese first), at most 31 characters; the
        header row is bold and frozen, columns are as wide as their text. The first sheet
        says what the report is. Nothing is written for a page without tables."""
        if self.out is None or not self.sheets:
            return None
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        info = wb.active
        info.title = "说明" if "zh" in self.L.lang else "About"
        info.append([title])
        info["A1"].font = Font(bold=True, size=13)
        info.append([self.L.t("各表与报告 report.html 中的表格相同；完整数值见 data/ 中的 CSV。",
                              "The tables of report.html; full precision in data/*.csv.")])
        info.column_dimensions["A"].width = 90
        used = {info.title}
        for name, caption, df in self.sheets:
            named = SHEET_NAMES.get(name) or caption
            label = _sheet_name((named[0] if "zh" in self.L.lang else named[1])
                                if named else name, used)
            used.add(label)
            ws = wb.create_sheet(label)
            ws.append([str(c) for c in df.columns])
            for c in ws[1]:
                c.font = Font(bold=True)
                c.alignment = Alignment(wrap_text=True, vertical="top")
            for row in df.itertuples(index=False):
                ws.append([_cell(v) for v in row])
            for cells in ws.iter_rows(min_row=2):
                for c in cells:
                    if isinstance(c.value, int) and not isinstance(c.value, bool):
                        c.number_format = "#,##0"
                    elif isinstance(c.value, float):
                        c.number_format = "#,##0.0##"
            ws.freeze_panes = "A2"
            for col in ws.iter_cols(max_row=min(ws.max_row, 200)):
                width = max((_width(c.value) for c in col), default=8)
                ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))
        path = self.out / "report.xlsx"
        tmp = self.out / ".report.xlsx.tmp"
        wb.save(tmp)
        tmp.replace(path)
        return path

    def drop_stale(self) -> None:
        """Remove figures and tables an earlier report of this folder wrote and this one
        did not (e.g. after ``--resume`` or a report in another language)."""
        keep_fig = {Path(f).stem for f in self.figures}
        keep_tab = {Path(t).name for t in self.tables}
        for f in self.figdir.iterdir():
            if f.suffix in (".png", ".svg") and f.stem not in keep_fig:
                f.unlink(missing_ok=True)
        for d in (self.tabdir, self.datadir):
            for t in d.iterdir():
                if t.suffix == ".csv" and t.name not in keep_tab:
                    t.unlink(missing_ok=True)


_BAD_SHEET = set('[]:*?/\\')


def _sheet_name(text: str, used: set) -> str:
    """An Excel sheet name from a caption: no ``[]:*?/\\``, at most 31 characters,
    different from those ``used``."""
    base = "".join("_" if ch in _BAD_SHEET else ch for ch in str(text)).strip() or "table"
    base = base.split(" (")[0].split("（")[0][:31] or base[:31]
    name, k = base, 2
    while name in used:
        tail = f" {k}"
        name, k = base[: 31 - len(tail)] + tail, k + 1
    return name


def _cell(v):
    """A table cell for tables/*.csv and report.xlsx: numbers (and text that is a plain
    number such as "1,234") as numbers rounded to what they mean
    (:func:`~sim.report.lang.plain_number`; the page's text is already rounded), the
    rest as text."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return plain_number(v)
    text = str(v)
    plain = text.replace(",", "").replace("−", "-").strip()
    try:
        if plain and plain[-1].isdigit():
            return plain_number(float(plain))
    except ValueError:
        pass
    return text


def _width(v) -> int:
    """The width of a cell's text in Excel's units (CJK characters count double)."""
    if v is None:
        return 0
    text = f"{v:,.2f}" if isinstance(v, float) else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def keep_figures(draw, lang=("en",)) -> list:
    """Run a figure function ``draw(page)`` (it adds figures with ``page.figure``) and
    return its figures as matplotlib objects, each with its caption in ``fig.reading``,
    in the report's style and language(s). Writes no file."""
    page = Page(None, Lang(lang))
    with plt.rc_context(rc_style(page.L)):
        draw(page)
        for fig in page.kept:
            fix_fonts(fig)
    if not page.kept:
        raise ValueError("nothing to draw from these results")
    return page.kept
