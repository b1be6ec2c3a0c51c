"""The coverage picture: a row per province, a column per year, each cell a bar split by what
became of the reports its organs owed (on time, late, undated, missing, not yet due), with the
count on time over the count due. PNG or SVG, drawn with matplotlib's Agg canvas (imported here
only: `warehouse.coverage` computes the grid without it)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.coverage import STATUSES, Cell

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
#: The CJK fonts the province names are drawn in, the first installed (Debian: fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
LEGEND = {
    "on_time": ("按时", "#1a9850"),
    "late": ("逾期", "#fdae61"),
    "undated": ("未注明日期", "#a6a6a6"),
    "missing": ("缺失", "#d73027"),
    "not_due": ("未到期", "#c6dbef"),
}
NO_REGION = "地区不明"
LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "linewidth": 0}
DPI = 150
#: A smaller picture for a Markdown image inlined in metadata (31 provinces × 6 years: 190 kB).
INLINE_DPI = 72


class FontMissing(RuntimeError):
    """No CJK font is installed: the province names cannot be drawn."""


def cjk_font() -> str:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        if family in installed:
            return family
    raise FontMissing(
        f"no CJK font for the province names (looked for {', '.join(CJK_FONTS)}): install "
        "fonts-noto-cjk (apt-get install fonts-noto-cjk)"
    )


def figure(cells: Sequence[Cell]) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    provinces = list(dict.fromkeys(cell.province for cell in cells))
    years = sorted({cell.year for cell in cells})
    size = (2.6 + 0.85 * max(len(years), 4), 1.6 + 0.42 * max(len(provinces), 1))
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.add_subplot()
    for cell in cells:
        x, y = years.index(cell.year), provinces.index(cell.province)
        left = x - 0.45
        for status in STATUSES:
            width = 0.9 * cell.share(status)
            if width:
                axes.barh(y, width, left=left, height=0.8, color=LEGEND[status][1], linewidth=0)
                left += width
        label = f"{cell.on_time}/{cell.due}" if cell.due else "–"
        axes.text(x, y, label, ha="center", va="center", fontsize=8, bbox=LABEL_BOX)
    axes.set_xticks(range(len(years)), [str(year) for year in years])
    axes.set_yticks(range(len(provinces)), [p or NO_REGION for p in provinces])
    axes.set_xlim(-0.5, len(years) - 0.5)
    axes.set_ylim(len(provinces) - 0.5, -0.5)  # the first province at the top
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    axes.set_title("年度报告按时公开情况（条例第五十条）：按时数/应报机关数", fontsize=10)
    fig.legend(
        handles=[Patch(color=colour, label=label) for label, colour in LEGEND.values()],
        loc="outside lower center",
        ncols=len(LEGEND),
        fontsize=8,
        frameon=False,
    )
    return fig


def render(cells: Sequence[Cell], format: str, dpi: int = DPI) -> bytes:
    """The picture as `png` or `svg` bytes (an SVG keeps its text as text, in the CJK font)."""
    import matplotlib

    if format not in FORMATS:
        raise ValueError(f"unknown picture format {format!r}: one of {', '.join(FORMATS)}")
    style = {"font.family": cjk_font(), "svg.fonttype": "none", "axes.unicode_minus": False}
    with matplotlib.rc_context(style):
        out = io.BytesIO()
        figure(cells).savefig(out, format=format, dpi=dpi)
    return out.getvalue()


def write(cells: Sequence[Cell], path: Path) -> None:
    """To `path`, in the format its suffix names (`.png`, `.svg`)."""
    picture = render(cells, path.suffix.lstrip(".").lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(picture)


def markdown(cells: Sequence[Cell]) -> str:
    """The PNG as a Markdown image with a data: URI (Dagster shows it in an asset's metadata)."""
    encoded = base64.b64encode(render(cells, "png", INLINE_DPI)).decode("ascii")
    return f"![coverage](data:image/png;base64,{encoded})"
