"""The page: the figures, tables and text of one report, and the files it writes.

A :class:`Page` collects headings, paragraphs, tables and figures in order; with a
folder it writes every table as ``tables/NAME.csv`` (UTF-8 with BOM: opens in Excel
with Chinese) and every figure as ``figures/NAME.png`` and ``.svg``, and
:meth:`Page.write` renders ``report.html`` from the Jinja2 template
``templates/report.html`` (autoescaped; CSS inline, figures as base64 PNG data URIs, no
scripts, fonts or links: readable offline). Without a folder (:func:`keep_figures`) it
keeps the figures as matplotlib objects and writes nothing.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import jinja2
import pandas as pd

from sim.report.lang import Lang
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

    ``out``: the results folder (tables/ and figures/ are made in it), or None to keep
    figures in memory (:attr:`kept`) and write nothing."""

    def __init__(self, out: Path | None, L: Lang):
        self.out, self.L = out, L
        self.figdir = self.tabdir = None
        if out is not None:
            self.figdir, self.tabdir = out / "figures", out / "tables"
            self.figdir.mkdir(exist_ok=True)
            self.tabdir.mkdir(exist_ok=True)
        self.blocks: list[dict] = []
        self.toc: list[tuple[str, str]] = []
        self.figures: list[str] = []
        self.tables: list[str] = []
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
    def csv(self, df: pd.DataFrame, name: str) -> None:
        """Write ``tables/NAME.csv`` (UTF-8 with BOM) without showing it."""
        if self.tabdir is None:
            return
        df.to_csv(self.tabdir / f"{name}.csv", index=False, encoding="utf-8-sig")
        self.tables.append(f"tables/{name}.csv")

    def table(self, df: pd.DataFrame, name: str, caption: tuple[str, str] | None = None,
              csv: pd.DataFrame | None = None, max_rows: int = 60):
        """An HTML table and its CSV (``csv`` if given: raw numbers; else ``df``)."""
        self.csv(csv if csv is not None else df, name)
        shown = df.head(max_rows)
        more = len(df) - max_rows
        self.blocks.append({
            "kind": "table", "name": name,
            "caption": self.L.t(*caption) if caption else None, "src": f"tables/{name}.csv",
            "columns": [str(c) for c in shown.columns],
            "rows": [[str(v) for v in r.to_numpy()] for _, r in shown.iterrows()],
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
            footer=L.t("由 hitech-sim 生成；图表另存于 figures/（PNG、SVG），表格存于 tables/（CSV）。",
                       "Made by hitech-sim; figures also in figures/ (PNG, SVG), tables in "
                       "tables/ (CSV)."))

    def write(self, title: str) -> Path:
        """Write ``report.html`` (atomically) and remove stale figures and tables."""
        path = self.out / "report.html"
        tmp = self.out / ".report.html.tmp"
        tmp.write_text(self.html(title), encoding="utf-8")
        tmp.replace(path)
        self.drop_stale()
        return path

    def drop_stale(self) -> None:
        """Remove figures and tables an earlier report of this folder wrote and this one
        did not (e.g. after ``--resume`` or a report in another language)."""
        keep_fig = {Path(f).stem for f in self.figures}
        keep_tab = {Path(t).name for t in self.tables}
        for f in self.figdir.iterdir():
            if f.suffix in (".png", ".svg") and f.stem not in keep_fig:
                f.unlink(missing_ok=True)
        for t in self.tabdir.iterdir():
            if t.suffix == ".csv" and t.name not in keep_tab:
                t.unlink(missing_ok=True)


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
