"""The report's figure style: colours, the matplotlib settings every report figure is
drawn with, and the search for a CJK font (Chinese labels need one; without it figures
use English and a warning is printed once)."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.text import Text  # noqa: E402

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
             "SimHei", "Heiti SC", "Noto Sans CJK JP", "Droid Sans Fallback"]
NO_CJK_WARNING = ("hitech-sim: warning: no CJK font found; figures use English labels; "
                  "install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei; "
                  "Fedora: dnf install wqy-microhei-fonts; macOS and Windows have one)")
# file names of CJK fonts on the system that matplotlib's font cache may predate
CJK_FILES = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "notosanssc", "sourcehansans",
             "msyh", "pingfang", "simhei", "droidsansfallback")

COLORS = ["#2a6f97", "#c8553d", "#588b48", "#8e6bb2", "#d4a017", "#4d4d4d", "#1b998b"]

_font_state: dict = {}


def cjk_font(warn: bool = True) -> str | None:
    """The name of an installed CJK font matplotlib can use, or None (checked once);
    ``warn``: say once on stderr when there is none."""
    if "name" not in _font_state:
        names = {f.name for f in font_manager.fontManager.ttflist}
        name = next((n for n in CJK_FONTS if n in names), None)
        if name is None:  # the cache may predate the font: look on disk and add it
            names = names | _add_system_cjk_fonts()
            name = next((n for n in CJK_FONTS if n in names), None)
        _font_state["name"] = name
    if warn and _font_state["name"] is None and not _font_state.get("warned"):
        _font_state["warned"] = True
        print(NO_CJK_WARNING, file=sys.stderr)
    return _font_state["name"]



def _add_system_cjk_fonts() -> set[str]:
    """Add the system's CJK font files to matplotlib's font list (for a font installed
    after matplotlib's cache was built); return the names of the fonts added."""
    added = set()
    for path in font_manager.findSystemFonts():
        key = "".join(ch for ch in path.rsplit("/", 1)[-1].lower() if ch.isalnum() or ch == "-")
        if not any(k in key for k in CJK_FILES):
            continue
        try:
            font_manager.fontManager.addfont(path)
            added.add(font_manager.FontProperties(fname=path).get_name())
        except (OSError, RuntimeError, ValueError):  # an unreadable file: skip it
            continue
    return added


def rc_style(L) -> dict:
    """The matplotlib settings (for ``plt.rc_context``) of figures in the languages of
    ``L`` (a :class:`sim.report.lang.Lang`): a CJK font first for Chinese figures, as
    a fallback otherwise."""
    rc = {"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
          "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10,
          "figure.titlesize": 11, "axes.unicode_minus": False}
    # English labels still hold a few Chinese words (万元, 高企): the CJK font as fallback
    font = L.font if "zh" in L.fig_lang else cjk_font(warn=False)
    if font:  # CJK first for Chinese figures; as a fallback otherwise (names, symbols)
        rc["font.sans-serif"] = ([font, "DejaVu Sans"] if "zh" in L.fig_lang
                                 else ["DejaVu Sans", font])
        rc["font.family"] = "sans-serif"
    return rc


def fix_fonts(fig) -> None:
    """Give every text of a figure the fonts in force now (the report's style, with a
    CJK font), so that it draws the same when shown later, outside that style."""
    fam = plt.rcParams["font.sans-serif"] if "sans-serif" in plt.rcParams["font.family"] \
        else plt.rcParams["font.family"]
    have = {f.name for f in font_manager.fontManager.ttflist}
    fam = [f for f in fam if f in have]
    if fam:
        for t in fig.findobj(Text):
            t.set_fontfamily(fam)
