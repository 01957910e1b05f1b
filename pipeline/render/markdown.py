"""Step 3, markdown: each cell's outputs as markdown, once per format (HTML, Typst, Word): raw
blocks for what only one format understands, numbered captions ("Tabel 1.1")."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from pipeline.assets import AssetError, check_traces, plotlyjs
from pipeline.render.document import ANSI, FLOAT_NAMES, Block, Report, ReportError
from pipeline.render.parse import _check_markdown
from pipeline.render.xref import _resolve_xrefs

MIME_ORDER = {  # per format, the first of these a display output has is shown
    "html": (
        "application/vnd.plotly.v1+json",
        "text/html",
        "image/svg+xml",
        "image/png",
        "image/jpeg",
        "text/markdown",
        "text/plain",
    ),
    "typst": ("image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain"),
    "docx": ("image/png", "image/jpeg", "text/markdown", "text/plain"),  # a bitmap for Word
}


def report_markdown(report: Report, fmt: str, workdir: Path) -> str:
    names = FLOAT_NAMES[str(report.config.get("lang", "en")).split("-")[0]]
    delim = report.config.get("crossref", {}).get("title-delim", ":")
    plotly = {"included": False}  # plotly.js goes inline once, with the first plotly output
    captions = _typst_captions(report) if fmt == "typst" else {}
    parts = []
    for block in report.blocks:
        if block.kind == "verbatim":
            parts.append(block.text)
        elif block.kind == "markdown":
            parts.append(_resolve_xrefs(block.text, block.line, report.file, report.floats, report.config, fmt))
        elif block.options["include"]:
            parts.extend(_cell_markdown(block, report, fmt, workdir, names, delim, plotly, captions))
    return "\n\n".join(parts) + "\n"


def _typst_captions(report: Report) -> dict[str, str]:
    """Every float's caption in Typst markup, from one pandoc run over all of them (a run
    per caption costs more than the rest of the conversion); one run per caption only if
    a caption spans paragraphs and the joined output cannot be split back."""
    import pypandoc

    captions = {
        block.options["label"]: block.options[f"{block.options['label'][:3]}-cap"]
        for block in report.blocks
        if block.kind == "cell" and block.options.get("label", "") in report.floats
    }
    if not captions:
        return {}
    converted = pypandoc.convert_text("\n\n".join(captions.values()), "typst", format="markdown").strip().split("\n\n")
    if len(converted) != len(captions) or any("\n\n" in c.strip() for c in captions.values()):
        converted = [pypandoc.convert_text(c, "typst", format="markdown").strip() for c in captions.values()]
    return dict(zip(captions, converted))


def _cell_markdown(
    block: Block,
    report: Report,
    fmt: str,
    workdir: Path,
    names: dict,
    delim: str,
    plotly: dict,
    captions: dict[str, str],
) -> list[str]:
    parts = []
    if block.options["echo"]:
        parts.append(_fenced(block.text, ".python .cell-code"))
    if block.options["output"]:
        for n, output in enumerate(block.outputs):
            shown = _output_markdown(output, block, report, fmt, workdir, n, plotly)
            if shown is not None:
                parts.append(shown)
    label = block.options.get("label", "")
    if label in report.floats:
        if not parts:
            raise ReportError(report.file, block.line, f"cell '{label}' shows nothing to put in the {names[label[:3]]}")
        caption = captions[label] if fmt == "typst" else block.options[f"{label[:3]}-cap"]
        number = f"{names[label[:3]]} {report.floats[label]}"
        return [_float(fmt, label, number, delim, caption, parts)]
    if label:
        return [f"::: {{#{label}}}\n\n" + "\n\n".join(parts) + "\n\n:::"] if parts else []
    return parts


def _output_markdown(output, block: Block, report: Report, fmt: str, workdir: Path, n: int, plotly: dict):
    kind = output.output_type
    if kind == "stream":
        if output.name == "stderr" and not block.options["warning"]:
            return None  # `warning: false`: Python's warnings go to stderr
        if block.options["output"] == "asis" and output.name == "stdout":
            return _resolve_xrefs(output.text, block.line, report.file, report.floats, report.config, fmt)
        return _fenced(output.text.rstrip("\n"), f".cell-output .cell-output-{output.name}")
    if kind == "error":  # only with `error: true`
        return _fenced(ANSI.sub("", "\n".join(output.traceback)), ".cell-output .cell-output-error")
    data = output.data
    mime = next((m for m in MIME_ORDER[fmt] if m in data), None)
    if fmt != "html" and "application/vnd.plotly.v1+json" in data and mime in ("text/markdown", "text/plain"):
        raise ReportError(
            report.file,
            block.line,
            f"a plotly figure has no static image for the {fmt} output: display "
            "one too (image/svg+xml or image/png, e.g. via kaleido) or emit raw blocks per format",
        )
    if mime is None:
        return None
    value = data[mime]
    if mime == "text/markdown" or (mime == "text/plain" and block.options["output"] == "asis"):
        _check_markdown(value, block.line, report.file)
        return _resolve_xrefs(value, block.line, report.file, report.floats, report.config, fmt)
    if mime == "text/plain":
        return _fenced(value, ".cell-output .cell-output-display")
    if mime == "text/html":
        return _raw("html", value)
    if mime == "application/vnd.plotly.v1+json":
        import plotly.io as pio

        div_id = f"{block.options.get('label') or f'cell-{block.line}'}-plotly-{n}"
        html = pio.to_html(value, include_plotlyjs=False, full_html=False, div_id=div_id)
        try:
            check_traces(div_id, html)
        except AssetError as exc:
            raise ReportError(report.file, block.line, str(exc)) from None
        if not plotly["included"]:  # the vendored partial bundle, once
            html = f'<script charset="utf-8" type="text/javascript">{plotlyjs()}</script>\n' + html
        plotly["included"] = True
        return _raw("html", html)
    return _image(fmt, mime, value, workdir, f"{block.options.get('label') or f'cell-{block.line}'}-{n}")


PLOTLYJS_TOKEN = "/* noegletal: plotly.js is inserted here after pandoc */"


def _defer_plotlyjs(html: str) -> str:
    """plotly.js (1,2 MB) joins the page after pandoc: reading it costs pandoc seconds."""
    return html.replace(plotlyjs(), PLOTLYJS_TOKEN) if "plotly" in html else html


def _image(fmt: str, mime: str, value: str, workdir: Path, stem: str) -> str:
    """An image output: inline (a data URI) in HTML; a file in the work directory for Typst,
    whose paths are relative to reports/, the Typst root."""
    svg = mime == "image/svg+xml"
    if fmt == "html":
        encoded = base64.b64encode(value.encode("utf-8")).decode() if svg else value.replace("\n", "")
        return _raw("html", f'<img class="cell-output-image" src="data:{mime};base64,{encoded}" alt="">')
    name = f"{stem}.{'svg' if svg else mime.split('/')[1]}"
    (workdir / name).write_bytes(value.encode("utf-8") if svg else base64.b64decode(value))
    if fmt == "docx":  # pandoc sizes it by the resolution the file records; found in the work directory
        return f"![]({name})"
    return _raw("typst", f'#image("{workdir.name}/{name}", width: 100%)')


def _float(fmt: str, label: str, number: str, delim: str, caption: str, parts: list[str]) -> str:
    """A numbered table or figure. Tables have their caption above, figures below."""
    content = "\n\n".join(parts)
    kind = label[:3]
    if fmt == "html":
        cap = "\n\n".join([_raw("html", "<figcaption>"), f"{number}{delim} {caption}", _raw("html", "</figcaption>")])
        inner = [cap, content] if kind == "tbl" else [content, cap]
        return "\n\n".join(
            [
                _raw("html", f'<figure id="{label}" class="quarto-float quarto-float-{kind}">'),
                *inner,
                _raw("html", "</figure>"),
            ]
        )
    if fmt == "docx":
        # a bookmark (the div's id) for the cross-references; Word's caption styles, the
        # table's caption kept with the table
        style = "Table Caption" if kind == "tbl" else "Image Caption"
        cap = f'::: {{custom-style="{style}"}}\n{number}{delim} {caption}\n:::'
        inner = [cap, content] if kind == "tbl" else [content, cap]
        return f"::::: {{#{label}}}\n\n" + "\n\n".join(inner) + "\n\n:::::"
    # the caption is Typst markup already (_typst_captions)
    typst_kind = "table" if kind == "tbl" else "image"
    return "\n\n".join(
        [_raw("typst", f"#figure(kind: {typst_kind}, caption: [{caption}])["), content, _raw("typst", f"] <{label}>")]
    )


def _fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _raw(fmt: str, text: str) -> str:
    fence = _fence_for(text)
    return f"{fence}{{={fmt}}}\n{text}\n{fence}"


def _fenced(text: str, classes: str) -> str:
    fence = _fence_for(text)
    return f"{fence} {{{classes}}}\n{text}\n{fence}"
