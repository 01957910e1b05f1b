"""The report's web assets, vendored from the npm registry into pipeline/vendor/ (see its
README.md; they belong to the renderer like its code, so every copy of the project has them):
a partial plotly.js bundle with only the trace types the charts draw (a quarter of
the full plotly.js), and Bootswatch's Cosmo theme for Bootstrap, Quarto's default look."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

PLOTLY_BUNDLE = "plotly-basic.min.js"
THEME_CSS = {"cosmo": "bootstrap-cosmo.min.css"}
# The trace types plotly.js's "basic" bundle registers (its package's README).
BUNDLE_TRACES = frozenset({"bar", "scatter", "pie"})
BUNDLE_VERSION = re.compile(r"plotly\.js \([^)]*\) v(?P<version>\d+\.\d+\.\d+)")
NEW_PLOT = re.compile(r"Plotly\.newPlot\(\s*\"[^\"]*\",\s*")


class AssetError(RuntimeError):
    """A vendored asset does not fit the installed packages or the charts."""


VENDOR = Path(__file__).with_name("vendor")


@functools.cache
def plotlyjs(vendor: Path = VENDOR) -> str:
    """The partial plotly.js bundle, refused unless it is the plotly.js version the plotly
    package writes its figures for (its figures' schema follows that version)."""
    from plotly.offline import get_plotlyjs_version

    path = vendor / PLOTLY_BUNDLE
    text = path.read_text(encoding="utf-8")
    found = BUNDLE_VERSION.search(text[:400])
    wanted = get_plotlyjs_version()
    if not found or found["version"] != wanted:
        have = found["version"] if found else "unknown"
        raise AssetError(
            f"{path.name} is plotly.js {have}, but the installed plotly package draws for plotly.js "
            f"{wanted}: set that version in pipeline/vendor/vendor.json and run bin/vendor-assets"
        )
    return text


def trace_types(div_html: str) -> set[str]:
    """The trace types of every Plotly.newPlot call in a chart's HTML (its data argument)."""
    decoder, types = json.JSONDecoder(), set()
    for call in NEW_PLOT.finditer(div_html):
        data, _ = decoder.raw_decode(div_html, call.end())
        types |= {trace.get("type", "scatter") for trace in data}
    return types


def check_traces(name: str, div_html: str) -> None:
    """A chart whose traces the partial bundle cannot draw would stay empty in the page."""
    missing = trace_types(div_html) - BUNDLE_TRACES
    if missing:
        raise AssetError(
            f"chart {name} uses trace types {sorted(missing)}, which {PLOTLY_BUNDLE} does not draw: "
            "vendor a larger plotly.js bundle (pipeline/vendor/README.md)"
        )


@functools.cache
def theme_css(theme: str, vendor: Path = VENDOR) -> str:
    """The theme's Bootstrap CSS, offline: without the web font it imports (the page falls
    back to the system's sans-serif, as the theme's font stack says) and the source-map link."""
    css = (vendor / THEME_CSS[theme]).read_text(encoding="utf-8")
    css = re.sub(r"@import url\([^)]*\);", "", css)
    return re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
